import { describe, expect, it } from 'vitest';
import { openGallery } from './gallery';
import { MAX_NOTES_LENGTH } from './private-notes';
import { SCHEMA_VERSION } from './schema';
import { freshGallery, rawOpen } from './test-utils';

const FAST = { iterations: 1000 };

/** The stored notes row, read around the gallery. */
async function rawNotes(factory: IDBFactory): Promise<Record<string, unknown> | undefined> {
  const db = await rawOpen(factory, SCHEMA_VERSION);
  const row = await new Promise<unknown>((resolve, reject) => {
    const req = db.transaction('meta').objectStore('meta').get('private-notes');
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  db.close();
  return row as Record<string, unknown> | undefined;
}

describe('the private notes', () => {
  it('start empty, save whole, and read back after a reload', async () => {
    const { gallery, factory } = await freshGallery();
    expect(await gallery.readPrivateNotes()).toBeNull();
    const saved = await gallery.savePrivateNotes('door code 4711', null);
    expect(saved.text).toBe('door code 4711');
    gallery.close();
    const reloaded = await openGallery({ factory });
    expect(await reloaded.readPrivateNotes()).toEqual(saved);
    reloaded.close();
  });

  it('are sealed while encryption is on, and rewritten with the rest when it is turned on and off', async () => {
    const { gallery, factory } = await freshGallery();
    const first = await gallery.savePrivateNotes('plain words', null);
    expect((await rawNotes(factory))?.text).toBe('plain words');

    await gallery.enableEncryption('a long passphrase', FAST);
    const sealed = await rawNotes(factory);
    expect(sealed?.text).toBeUndefined();
    expect(sealed?.sealed).toBeDefined();
    expect(JSON.stringify(sealed)).not.toContain('plain words');
    expect((await gallery.readPrivateNotes())?.text).toBe('plain words');

    const second = await gallery.savePrivateNotes('secret words', first.updated);
    const row = await rawNotes(factory);
    expect(row?.sealed).toBeDefined();
    expect(new TextDecoder().decode(new Uint8Array((row!.sealed as { data: ArrayBuffer }).data))).not.toContain(
      'secret',
    );

    // Locked: not readable and not writable.
    gallery.lock();
    await expect(gallery.readPrivateNotes()).rejects.toMatchObject({ kind: 'locked' });
    await expect(gallery.savePrivateNotes('overwrite', second.updated)).rejects.toMatchObject({ kind: 'locked' });
    await gallery.unlock('a long passphrase');
    expect((await gallery.readPrivateNotes())?.text).toBe('secret words');

    await gallery.disableEncryption('a long passphrase');
    expect((await rawNotes(factory))?.text).toBe('secret words');
    gallery.close();
  });

  it("refuse a save over notes another tab saved since, and keep that tab's text", async () => {
    const { gallery, factory } = await freshGallery();
    const tabB = await openGallery({ factory });
    const start = await gallery.savePrivateNotes('v1', null);
    await tabB.savePrivateNotes('from tab B', start.updated);
    await expect(gallery.savePrivateNotes('from tab A', start.updated)).rejects.toMatchObject({ kind: 'conflict' });
    expect((await gallery.readPrivateNotes())?.text).toBe('from tab B');
    tabB.close();
    gallery.close();
  });

  it('refuse notes that are too long, changing nothing', async () => {
    const { gallery } = await freshGallery();
    const saved = await gallery.savePrivateNotes('short', null);
    await expect(gallery.savePrivateNotes('x'.repeat(MAX_NOTES_LENGTH + 1), saved.updated)).rejects.toThrow(/too long/);
    expect((await gallery.readPrivateNotes())?.text).toBe('short');
    gallery.close();
  });
});
