import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { openGallery, type Gallery } from '../db';
import { createNotesStore } from './private-notes';

async function setup(factory = new IDBFactory()) {
  const gallery = await openGallery({ factory });
  const store = createNotesStore({ gallery: async () => gallery });
  return { gallery, store, factory };
}

/** The notes row as stored, read around the gallery and its store. */
async function storedRow(factory: IDBFactory): Promise<Record<string, unknown>> {
  const probe: Gallery = await openGallery({ factory });
  probe.close();
  return new Promise((resolve, reject) => {
    const req = factory.open('facet-gallery');
    req.onsuccess = () => {
      const get = req.result.transaction('meta').objectStore('meta').get('private-notes');
      get.onsuccess = () => {
        req.result.close();
        resolve(get.result as Record<string, unknown>);
      };
      get.onerror = () => reject(get.error);
    };
    req.onerror = () => reject(req.error);
  });
}

describe('the private notes store', () => {
  it('keeps notes in clear with encryption off, and reads them back in a new store (a reload)', async () => {
    const { store, factory } = await setup();
    await store.getState().load();
    expect(store.getState()).toMatchObject({ status: 'ready', text: '', encrypted: false });
    expect(await store.getState().save('bike lock 0815')).toBe(true);
    expect(store.getState().notice).toBe('Saved on this device.');
    expect((await storedRow(factory)).text).toBe('bike lock 0815');
    const reloaded = await setup(factory);
    await reloaded.store.getState().load();
    expect(reloaded.store.getState().text).toBe('bike lock 0815');
  });

  it('encrypts the notes with the gallery key when encryption is on, and cannot read them while it is locked', async () => {
    const { gallery, store, factory } = await setup();
    await gallery.enableEncryption('gallery passphrase', { iterations: 1000 });
    await store.getState().load();
    expect(store.getState().encrypted).toBe(true);
    expect(await store.getState().save('the safe opens with 31-12-07')).toBe(true);
    expect(store.getState().notice).toBe('Saved, encrypted with the gallery key.');
    const row = await storedRow(factory);
    expect(row.text).toBeUndefined();
    expect(row.sealed).toBeDefined();
    expect(JSON.stringify(row)).not.toContain('safe');

    // A reload: the key is gone until the gallery passphrase is given again.
    const reloaded = await setup(factory);
    await reloaded.store.getState().load();
    expect(reloaded.store.getState().status).toBe('locked');
    expect(reloaded.store.getState().error).toContain('unlock it with your passphrase');
    expect(await reloaded.store.getState().save('overwritten?')).toBe(false);
    await reloaded.gallery.unlock('gallery passphrase');
    await reloaded.store.getState().load();
    expect(reloaded.store.getState().text).toBe('the safe opens with 31-12-07');
  });

  it('refuses to save over notes saved in another tab since, keeping theirs, and forgets on lock', async () => {
    const a = await setup();
    const b = await setup(a.factory);
    await a.store.getState().load();
    await b.store.getState().load();
    expect(await b.store.getState().save('from B')).toBe(true);
    expect(await a.store.getState().save('from A')).toBe(false);
    expect(a.store.getState().error).toMatch(/changed in another tab/);
    expect((await storedRow(a.factory)).text).toBe('from B');
    a.store.getState().forget();
    expect(a.store.getState()).toMatchObject({ status: 'idle', text: '' });
  });
});
