import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../db/backup-json';
import { fromUtf8, sha256Hex, utf8 } from '../db/encoding';
import { embedding, freshGallery, jpeg, rawDump, type TestGallery } from '../db/test-utils';
import type { BackupProgress } from '../db';
import { WRONG_BACKUP_PASSWORD } from './gallery-backup';
import { THUMBNAILS_UP_FRONT, createGalleryStore, type GalleryServices } from './gallery-store';

const PASSWORD = 'correct horse battery';

/** The store over a real (fake-indexeddb) gallery; the face services are never reached by backups. */
function setup(test: TestGallery) {
  const unused = () => {
    throw new Error('not used by backups');
  };
  let urls = 0;
  const services: GalleryServices = {
    openGallery: async () => test.gallery,
    embedderId: () => 'facedescriptor',
    engine: { analyse: unused, analyseWithThumbnails: unused },
    upgradePending: () => false,
    clearUpgrade: () => undefined,
    decodeImage: unused,
    decodeThumbnail: unused,
    createMatcher: unused,
    adoptedModelId: () => null,
    loadAdoptedModel: unused,
    threshold: () => 0.9,
    backend: () => 'cpu',
    objectUrls: { create: () => `blob:${++urls}`, revoke: () => undefined },
  };
  return createGalleryStore(services);
}

/** Alice (with a thumbnail) and Bob, one template each, in a gallery whose ids are its own. */
async function aliceAndBob(prefix: string) {
  let n = 0;
  const test = await freshGallery({ newId: () => `${prefix}-${++n}` });
  const alice = await test.gallery.addIdentity('Alice');
  const bob = await test.gallery.addIdentity('Bob');
  await test.gallery.addTemplate(
    alice.id,
    { embedding: embedding(8, 1), modelId: 'm', quality: 1, source: 'photo' },
    { blob: jpeg(80, 1), width: 8, height: 8 },
  );
  await test.gallery.addTemplate(bob.id, { embedding: embedding(8, 2), modelId: 'm', quality: 1, source: 'photo' });
  return { ...test, alice, bob };
}

type Doc = Record<string, unknown> & { payload: Record<string, Record<string, unknown>[]> };

/** Issue 16's forgery: Bob's embedding under Alice's template, Bob gone, checksum and counts recomputed. */
async function forged(bytes: Uint8Array, aliceId: string, bobId: string): Promise<File> {
  const doc = JSON.parse(fromUtf8(bytes)) as Doc;
  const templates = doc.payload.templates!;
  const a = templates.find((t) => t.identityId === aliceId)!;
  a.embedding = templates.find((t) => t.identityId === bobId)!.embedding;
  doc.payload.templates = [a];
  doc.payload.identities = doc.payload.identities!.filter((i) => i.id !== bobId);
  doc.counts = { identities: 1, templates: 1, thumbnails: doc.payload.thumbnails!.length };
  doc.sha256 = await sha256Hex(utf8(canonicalJson(doc.payload)));
  return new File([utf8(JSON.stringify(doc))], 'forged.json', { type: 'application/json' });
}

async function sealedExport(test: TestGallery): Promise<Uint8Array> {
  return (await test.gallery.exportBackup({ password: PASSWORD, iterations: 1000 })).bytes;
}

const asFile = (bytes: Uint8Array, name = 'backup.json') => new File([new Uint8Array(bytes)], name);

describe('restoring a backup through the store', () => {
  it('a sealed backup that only adds people is restored once its password checks out', async () => {
    const source = await aliceAndBob('src');
    const store = setup(await freshGallery());
    const stages = new Set<string>();
    store.subscribe((s) => s.backupProgress && stages.add(s.backupProgress.stage));
    await store.getState().importBackup(asFile(await sealedExport(source)), 'merge');
    expect(store.getState().restore).toMatchObject({ step: 'password', keySource: 'backup-password', problem: null });
    await store.getState().checkRestorePassword(PASSWORD);
    expect(store.getState().restore).toBeNull();
    expect(store.getState().notice).toBe('Backup restored (merge): 2 people and 2 templates added.');
    expect(store.getState().identities.map((i) => i.name)).toEqual(['Alice', 'Bob']);
    expect([...stages]).toEqual(expect.arrayContaining(['reading', 'checking', 'writing']));
    expect(store.getState().backupProgress).toBeNull();
  });

  it('the forged backup reaches only the preview, which names the change to Alice; Cancel changes nothing', async () => {
    const target = await aliceAndBob('tgt');
    const store = setup(target);
    await store.getState().open();
    const file = await forged(await sealedExport(target), target.alice.id, target.bob.id);
    const before = await rawDump(target.factory);

    await store.getState().importBackup(file, 'replace');
    await store.getState().checkRestorePassword(PASSWORD);
    const restore = store.getState().restore;
    expect(restore?.step).toBe('preview');
    if (restore?.step !== 'preview') return;
    expect(restore.trust).toBe('changed');
    expect(restore.preview.change.map((c) => [c.after.name, c.templatesReplaced])).toEqual([['Alice', 1]]);
    expect(restore.preview.remove.map((p) => p.name)).toEqual(['Bob']);

    store.getState().cancelRestore();
    expect(store.getState().restore).toBeNull();
    expect(store.getState().notice).toBe('The backup was not restored. Nothing was changed.');
    expect(await rawDump(target.factory)).toEqual(before);
    expect(await store.getState().confirmRestore()).toBe(false); // nothing left to confirm
    expect(await rawDump(target.factory)).toEqual(before);
  });

  it('a wrong password is said so and can be retried; the preview can still be seen and confirmed', async () => {
    const source = await aliceAndBob('src');
    const target = await freshGallery();
    const store = setup(target);
    await store.getState().importBackup(asFile(await sealedExport(source)), 'replace');
    await store.getState().checkRestorePassword('not the password');
    expect(store.getState().restore).toMatchObject({ step: 'password', problem: WRONG_BACKUP_PASSWORD });
    expect(await target.gallery.count()).toEqual({ identities: 0, templates: 0, thumbnails: 0 });

    await store.getState().previewRestore();
    const restore = store.getState().restore;
    expect(restore).toMatchObject({ step: 'preview', trust: 'wrong-password' });
    expect(restore?.step === 'preview' && restore.preview.add.map((p) => p.name)).toEqual(['Alice', 'Bob']);
    expect(await store.getState().confirmRestore()).toBe(true);
    expect(store.getState().identities.map((i) => i.name)).toEqual(['Alice', 'Bob']);
  });

  it('a backup from before seals always shows its preview first', async () => {
    const source = await aliceAndBob('src');
    const doc = JSON.parse(fromUtf8((await source.gallery.exportBackup()).bytes)) as Doc;
    const v1 = { ...doc, version: 1, sha256: await sha256Hex(utf8(JSON.stringify(doc.payload))) };
    const store = setup(await freshGallery());
    await store.getState().importBackup(asFile(utf8(JSON.stringify(v1))), 'merge');
    expect(store.getState().restore).toMatchObject({ step: 'preview', trust: 'old-version' });
  });

  it('a broken file is refused with its reason, and the flow ends', async () => {
    const store = setup(await freshGallery());
    await store
      .getState()
      .importBackup(asFile(utf8('{"format":"facet-gallery-backup","version":2,"payload":')), 'merge');
    expect(store.getState().restore).toBeNull();
    expect(store.getState().error).toBe(
      'The backup is damaged: it is incomplete or broken (was the download or copy interrupted?). Nothing was changed.',
    );
  });

  it('saving reports progress and seals with the password', async () => {
    const source = await aliceAndBob('src');
    const store = setup(source);
    const seen: BackupProgress[] = [];
    store.subscribe((s) => s.backupProgress && seen.push(s.backupProgress));
    const saved = await store.getState().exportBackup(PASSWORD);
    expect(saved?.fileName).toMatch(/^facet-gallery-.*\.json$/);
    const doc = JSON.parse(await saved!.blob.text()) as Doc & { auth?: { key?: string } };
    expect(doc.auth?.key).toBe('backup-password');
    expect(seen.at(-1)).toMatchObject({ stage: 'saving' });
    expect(store.getState().notice).toMatch(/sealed with your password/);
  });
});

describe('thumbnails for a long list', () => {
  it('loads them for the first page and for rows asked for, not for everyone', async () => {
    const test = await freshGallery();
    for (let i = 0; i < THUMBNAILS_UP_FRONT + 10; i++) {
      const p = await test.gallery.addIdentity(`Person ${String(i).padStart(3, '0')}`);
      await test.gallery.addTemplate(
        p.id,
        { embedding: embedding(4, i + 1), modelId: 'm', quality: 1, source: 'photo' },
        { blob: jpeg(40, i), width: 4, height: 4 },
      );
    }
    const store = setup(test);
    await store.getState().open();
    const { identities } = store.getState();
    expect(Object.keys(store.getState().thumbs).sort()).toEqual(
      identities
        .slice(0, THUMBNAILS_UP_FRONT)
        .map((i) => i.id)
        .sort(),
    );
    const later = identities.slice(THUMBNAILS_UP_FRONT, THUMBNAILS_UP_FRONT + 5).map((i) => i.id);
    await store.getState().showThumbnails(later);
    expect(Object.keys(store.getState().thumbs)).toHaveLength(THUMBNAILS_UP_FRONT + 5);
    await store.getState().refresh();
    expect(Object.keys(store.getState().thumbs)).toHaveLength(THUMBNAILS_UP_FRONT + 5); // still shown after a refresh
  });
});
