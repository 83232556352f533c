import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { readBackup } from './backup';
import { DEFAULT_PBKDF2_ITERATIONS, IV_BYTES, SALT_BYTES, createEncryption, keyFromPassphrase } from './crypto';
import { bytesToHex, float32ToBytesLE } from './encoding';
import { MESSAGES } from './errors';
import { openGallery, type Gallery } from './gallery';
import type { Sealed } from './schema';
import { blobBytes, embedding, freshGallery, jpeg, rawDump, rejection } from './test-utils';

const FAST = { iterations: 1_000 }; // the real default (600k) is exercised once, below
const PASS = 'correct horse battery staple';

async function populated() {
  const t = await freshGallery();
  const ada = await t.gallery.addIdentity('Ada Lovelace', 'secret notes');
  const bob = await t.gallery.addIdentity('Bob');
  const same = embedding(16, 1);
  await t.gallery.addTemplate(
    ada.id,
    { embedding: same, modelId: 'm', quality: 0.5, source: 'photo' },
    {
      blob: jpeg(200, 1),
      width: 10,
      height: 10,
    },
  );
  // Bob gets the very same embedding: equal plaintexts must still give different ciphertexts.
  await t.gallery.addTemplate(bob.id, { embedding: same, modelId: 'm', quality: 0.5, source: 'photo' });
  return { ...t, ada, bob, same };
}

async function visible(gallery: Gallery) {
  const identities = await gallery.listIdentities();
  const packed = await gallery.templatesForModel('m');
  const thumbs = await Promise.all(
    identities.map(async (i) => Promise.all((await gallery.thumbnails(i.id)).map((t) => blobBytes(t.blob)))),
  );
  return { identities, ids: packed.ids, matrix: [...new Uint8Array(packed.matrix.buffer)], thumbs };
}

type Row = Record<string, unknown>;
const sealedOf = (row: unknown) => (row as { sealed: Sealed }).sealed;
const hex = (bytes: ArrayBuffer | Uint8Array) => bytesToHex(new Uint8Array(bytes));

describe('encryption at rest', () => {
  it('seals names, notes, embeddings and thumbnails; the app sees the same data', async () => {
    const { gallery, factory, same } = await populated();
    const plain = await visible(gallery);
    await gallery.enableEncryption(PASS, FAST);
    expect(gallery.isEncrypted()).toBe(true);
    expect(gallery.isLocked()).toBe(false);
    expect(await visible(gallery)).toEqual(plain);

    const dump = await rawDump(factory);
    for (const row of dump.identities as Row[]) {
      expect(row).not.toHaveProperty('name');
      expect(row).not.toHaveProperty('notes');
    }
    for (const row of [...dump.templates, ...dump.thumbnails] as Row[]) {
      expect(row).not.toHaveProperty('embedding');
      expect(row).not.toHaveProperty('blob');
    }
    // Ciphertext is not the plaintext, and equal plaintexts do not give equal ciphertexts.
    const [t1, t2] = (dump.templates as Row[]).map(sealedOf);
    const plaintextHex = hex(float32ToBytesLE(same));
    expect(hex(t1!.data)).not.toContain(plaintextHex.slice(0, 16));
    expect(hex(t1!.data)).not.toBe(hex(t2!.data));
    // Every row has its own 12-byte IV.
    const all = [...dump.identities, ...dump.templates, ...dump.thumbnails].map(sealedOf);
    expect(all.every((s) => s.iv.length === IV_BYTES)).toBe(true);
    expect(new Set(all.map((s) => hex(s.iv))).size).toBe(all.length);
    const names = JSON.stringify(dump.identities.map((r) => hex(sealedOf(r).data)));
    expect(names).not.toContain(hex(new TextEncoder().encode('Ada')));

    const [meta] = dump.meta as Row[];
    expect(meta).toMatchObject({ encryption: { kdf: 'PBKDF2-SHA-256', iterations: 1000, cipher: 'AES-GCM-256' } });
    expect((meta!.encryption as { salt: Uint8Array }).salt).toHaveLength(SALT_BYTES);
  });

  it('after a reload the gallery is locked until the right passphrase is given', async () => {
    const { gallery, factory } = await populated();
    const plain = await visible(gallery);
    await gallery.enableEncryption(PASS, FAST);
    gallery.close();

    const reopened = await openGallery({ factory });
    expect(reopened.isEncrypted()).toBe(true);
    expect(reopened.isLocked()).toBe(true);
    expect(await rejection(reopened.listIdentities())).toMatchObject({ kind: 'locked', message: MESSAGES.locked });
    expect((await rejection(reopened.templatesForModel('m'))).kind).toBe('locked');
    expect((await rejection(reopened.addIdentity('Eve'))).kind).toBe('locked');
    expect(await reopened.count()).toEqual({ identities: 2, templates: 2, thumbnails: 1 }); // needs no key

    const before = await rawDump(factory);
    expect(await rejection(reopened.unlock('correct horse battery stapler'))).toMatchObject({
      kind: 'wrong-passphrase',
      message: 'That passphrase is not the one this gallery was encrypted with. Nothing was changed.',
    });
    expect(reopened.isLocked()).toBe(true);
    expect(await rawDump(factory)).toEqual(before);

    await reopened.unlock(PASS);
    expect(reopened.isLocked()).toBe(false);
    expect(await visible(reopened)).toEqual(plain);

    // New records are sealed too.
    const eve = await reopened.addIdentity('Eve');
    await reopened.addTemplate(eve.id, { embedding: embedding(16, 5), modelId: 'm', quality: 1, source: 'webcam' });
    const dump = await rawDump(factory);
    expect((dump.templates as Row[]).every((r) => 'sealed' in r)).toBe(true);
    expect((dump.identities as Row[]).every((r) => 'sealed' in r && !('name' in r))).toBe(true);

    reopened.lock();
    expect((await rejection(reopened.getIdentity(eve.id))).kind).toBe('locked');
  });

  it('deleting works while locked, and undo puts back the sealed rows', async () => {
    const { gallery, factory, ada } = await populated();
    await gallery.enableEncryption(PASS, FAST);
    gallery.lock();
    const before = await rawDump(factory);
    const deleted = await gallery.deleteIdentity(ada.id);
    expect(await gallery.count()).toEqual({ identities: 1, templates: 1, thumbnails: 0 });
    await deleted.undo();
    expect({ ...(await rawDump(factory)), meta: [] }).toEqual({ ...before, meta: [] });
  });

  it('disableEncryption needs the passphrase and writes everything back in clear', async () => {
    const { gallery, factory } = await populated();
    const plain = await visible(gallery);
    await gallery.enableEncryption(PASS, FAST);

    const sealed = await rawDump(factory);
    expect((await rejection(gallery.disableEncryption('wrong passphrase'))).kind).toBe('wrong-passphrase');
    expect(await rawDump(factory)).toEqual(sealed);

    await gallery.disableEncryption(PASS);
    expect(gallery.isEncrypted()).toBe(false);
    const dump = await rawDump(factory);
    expect((dump.meta as Row[])[0]?.encryption).toBeNull();
    expect((dump.identities as Row[]).map((r) => r.name).sort()).toEqual(['Ada Lovelace', 'Bob']);
    expect((dump.templates as Row[]).every((r) => r.embedding instanceof Float32Array)).toBe(true);
    expect(await visible(gallery)).toEqual(plain);
  });

  it('refuses short passphrases, double enabling and unlocking a plain gallery', async () => {
    const { gallery } = await freshGallery();
    expect(await rejection(gallery.enableEncryption('short', FAST))).toMatchObject({
      kind: 'invalid',
      message: 'The passphrase must be at least 8 characters long.',
    });
    expect((await rejection(gallery.unlock(PASS))).message).toMatch(/not encrypted/);
    await gallery.enableEncryption(PASS, FAST);
    expect((await rejection(gallery.enableEncryption(PASS, FAST))).message).toBe('The gallery is already encrypted.');
  });

  it('detects ciphertext moved between records (it is bound to its record)', async () => {
    const { gallery, factory } = await populated();
    await gallery.enableEncryption(PASS, FAST);
    gallery.close();
    // Swap the two sealed embeddings directly in the database.
    const db = await new Promise<IDBDatabase>((resolve) => {
      const r = factory.open('facet-gallery');
      r.onsuccess = () => resolve(r.result);
    });
    const tx = db.transaction('templates', 'readwrite');
    const store = tx.objectStore('templates');
    const rows = await new Promise<Row[]>((resolve) => {
      const r = store.getAll();
      r.onsuccess = () => resolve(r.result as Row[]);
    });
    store.put({ ...rows[0], sealed: rows[1]!.sealed });
    store.put({ ...rows[1], sealed: rows[0]!.sealed });
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();

    const reopened = await openGallery({ factory });
    await reopened.unlock(PASS);
    expect(await rejection(reopened.templatesForModel('m'))).toMatchObject({ kind: 'corrupt' });
  });

  it('refuses to write plaintext when another tab turned encryption on meanwhile', async () => {
    const factory = new IDBFactory();
    const tabA = await openGallery({ factory });
    const tabB = await openGallery({ factory });
    await tabA.addIdentity('Ada');
    await tabB.enableEncryption(PASS, FAST);
    expect(tabA.isEncrypted()).toBe(false); // tab A has not looked yet

    // Tab A still believes the gallery is plain and prepares a plaintext row; the write must refuse it.
    const err = await rejection(tabA.addIdentity('Plaintext leak'));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/another tab/);
    expect(tabA.isEncrypted()).toBe(true);
    expect(tabA.isLocked()).toBe(true);
    expect((await rejection(tabA.addIdentity('Eve'))).kind).toBe('locked');

    const dump = await rawDump(factory);
    expect(dump.identities).toHaveLength(1);
    expect((dump.identities as Row[]).every((r) => 'sealed' in r && !('name' in r))).toBe(true);
    await tabA.unlock(PASS);
    expect((await tabA.listIdentities()).map((i) => i.name)).toEqual(['Ada']);
  });

  it(`uses ${DEFAULT_PBKDF2_ITERATIONS.toLocaleString('en')} PBKDF2 iterations by default`, async () => {
    expect(DEFAULT_PBKDF2_ITERATIONS).toBeGreaterThanOrEqual(600_000);
    const { params } = await createEncryption(PASS);
    expect(params.iterations).toBe(DEFAULT_PBKDF2_ITERATIONS);
    await expect(keyFromPassphrase(PASS, params)).resolves.toBeDefined();
    await expect(keyFromPassphrase(PASS.toUpperCase(), { ...params, iterations: 1 })).rejects.toMatchObject({
      kind: 'wrong-passphrase',
    });
  });

  it('treats a passphrase the same whichever Unicode form it was typed in', async () => {
    const { params } = await createEncryption('caf\u00e9 au lait', 10);
    await expect(keyFromPassphrase('cafe\u0301 au lait', params)).resolves.toBeDefined();
  });

  it('exports a decrypted backup only while unlocked, and imports into an encrypted gallery sealed', async () => {
    const { gallery, factory } = await populated();
    const plain = await visible(gallery);
    await gallery.enableEncryption(PASS, FAST);
    gallery.lock();
    expect((await rejection(gallery.exportBackup())).kind).toBe('locked');
    await gallery.unlock(PASS);
    const { bytes } = await gallery.exportBackup();
    expect(new TextDecoder().decode(bytes)).toContain('"name":"Ada Lovelace"'); // backups are plaintext

    const target = await freshGallery();
    await target.gallery.enableEncryption('another passphrase', FAST);
    const plan = await target.gallery.planImport(await readBackup(bytes), 'replace');
    await target.gallery.applyImport(plan, { confirmed: true });
    expect(await visible(target.gallery)).toEqual(plain);
    const dump = await rawDump(target.factory);
    expect((dump.thumbnails as Row[]).every((r) => 'sealed' in r && !('blob' in r))).toBe(true);
    expect(factory).not.toBe(target.factory);
  });
});
