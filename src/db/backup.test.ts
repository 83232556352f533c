import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKUP_FORMAT, checkBackupSeal, isSealVerified, readBackup } from './backup';
import { canonicalJson } from './backup-json';
import { fromUtf8, sha256Hex, utf8 } from './encoding';
import type { Gallery } from './gallery';
import { Pacer } from './pacer';
import { blobBytes, embedding, freshGallery, jpeg, rawDump, rejection } from './test-utils';

afterEach(() => vi.restoreAllMocks());

/** Floats that a lossy encoding would get wrong: signed zero, subnormals, extremes, non-dyadic values. */
const TRICKY = new Float32Array([-0, 1.401298464324817e-45, 1e-40, 3.4028234663852886e38, -0.1, 1 / 3, 42]);
const PASSWORD = 'correct horse battery';
/** Few PBKDF2 iterations keep the tests fast; the app uses 600,000. */
const FAST = 1000;

async function populate(gallery: Gallery) {
  const ada = await gallery.addIdentity('Ada Lovelace', 'notes with "quotes", \\ and ünïcödé ✓');
  const bob = await gallery.addIdentity('Bob');
  await gallery.addIdentity('Cleo (no templates)');
  await gallery.addTemplate(
    ada.id,
    { embedding: TRICKY, modelId: 'tiny', quality: 0.25, source: 'photo' },
    { blob: jpeg(300, 1), width: 20, height: 15 },
  );
  await gallery.addTemplate(ada.id, {
    embedding: embedding(192, 1),
    modelId: 'mobilefacenet',
    quality: 1,
    source: 'webcam',
  });
  await gallery.addTemplate(
    bob.id,
    { embedding: embedding(192, 2), modelId: 'mobilefacenet', quality: 0, source: 'webcam' },
    { blob: new Blob([new Uint8Array([0x89, 0x50, 1, 2, 3])], { type: 'image/png' }), width: 4, height: 4 },
  );
  return { ada, bob };
}

/** Everything a user can see in a gallery, with floats as raw bytes so equality is bit-exact. */
async function content(gallery: Gallery) {
  const identities = await gallery.listIdentities();
  const models: Record<string, unknown> = {};
  for (const modelId of ['tiny', 'mobilefacenet', 'faceres']) {
    const p = await gallery.templatesForModel(modelId);
    models[modelId] = {
      ids: p.ids,
      identityIds: p.identityIds,
      dim: p.dim,
      bytes: [...new Uint8Array(p.matrix.buffer)],
    };
  }
  const thumbnails = [];
  for (const identity of identities) {
    for (const t of await gallery.thumbnails(identity.id)) {
      thumbnails.push({ ...t, blob: { type: t.blob.type, bytes: await blobBytes(t.blob) } });
    }
  }
  return { identities, models, thumbnails };
}

type Record_ = Record<string, unknown>;
type Doc = Record_ & { payload: Record<string, Record_[]>; auth?: Record_ };

function parse(bytes: Uint8Array): Doc {
  return JSON.parse(fromUtf8(bytes)) as Doc;
}

function countsOf(payload: Doc['payload']) {
  return {
    identities: payload.identities?.length,
    templates: payload.templates?.length,
    thumbnails: payload.thumbnails?.length,
  };
}

/** Re-serialise an edited version 2 document with a correct checksum and counts, as a forger would. */
async function forge(doc: Doc): Promise<Uint8Array> {
  const sha256 = await sha256Hex(utf8(canonicalJson(doc.payload)));
  return utf8(JSON.stringify({ ...doc, counts: countsOf(doc.payload), sha256 }));
}

/** The same, written as a version 1 file (no seal; checksum of the payload as written). */
async function forgeV1(doc: Doc): Promise<Uint8Array> {
  const rest: Record_ = { ...doc };
  delete rest.auth;
  const sha256 = await sha256Hex(utf8(JSON.stringify(doc.payload)));
  return utf8(JSON.stringify({ ...rest, version: 1, counts: countsOf(doc.payload), sha256 }));
}

async function exported(password: string | undefined = PASSWORD) {
  const source = await freshGallery();
  const ids = await populate(source.gallery);
  const { bytes } = await source.gallery.exportBackup({
    app: 'Facet test',
    ...(password !== undefined ? { password, iterations: FAST } : {}),
  });
  return { ...source, ...ids, bytes };
}

/** Read, check the seal if a password is given, plan, and write with confirmation: the whole import. */
async function importAll(gallery: Gallery, data: Uint8Array | Blob, mode: 'merge' | 'replace', password?: string) {
  const file = await readBackup(data);
  if (password !== undefined) expect(await checkBackupSeal(file, password)).toBe('valid');
  const plan = await gallery.planImport(file, mode);
  return gallery.applyImport(plan, { confirmed: true });
}

describe('backup export', () => {
  it('writes one JSON document with a header, a seal and the SHA-256 of its canonical payload', async () => {
    const { gallery, bytes } = await exported();
    const doc = parse(bytes);
    expect(doc).toMatchObject({
      format: 'facet-gallery-backup',
      version: 2,
      app: 'Facet test',
      counts: { identities: 3, templates: 3, thumbnails: 2 },
      auth: { method: 'HMAC-SHA-256', kdf: 'PBKDF2-SHA-256', iterations: FAST, key: 'backup-password' },
    });
    expect(doc.auth?.salt).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(doc.auth?.tag).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(new Date(doc.created as string).getTime()).toBeGreaterThan(1_600_000_000_000);
    expect(doc.sha256).toBe(await sha256Hex(utf8(canonicalJson(doc.payload))));
    const tiny = doc.payload.templates?.find((t) => t.modelId === 'tiny');
    // Base64 of the float32 little-endian bytes: -0 is 00 00 00 80.
    expect((tiny?.embedding as string).slice(0, 8)).toBe('AAAAgAEA');
    const png = doc.payload.thumbnails?.find((t) => t.type === 'image/png');
    expect(png?.data).toBe('iVABAgM=');
    const file = await gallery.exportBackup();
    expect(file.fileName).toMatch(/^facet-gallery-\d{4}-\d{2}-\d{2}\.json$/);
    expect(file.mimeType).toBe('application/json');
    expect(parse(file.bytes).auth).toBeUndefined(); // no password, no seal
  });

  it('refuses a backup password shorter than 8 characters', async () => {
    const { gallery } = await freshGallery();
    const err = await rejection(gallery.exportBackup({ password: 'short' }));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/at least 8 characters/);
  });
});

describe('backup seal', () => {
  it('a valid seal with the right password, and a wrong password told apart from a change', async () => {
    const { bytes } = await exported();
    const file = await readBackup(bytes);
    expect(file.header.sealKey).toBe('backup-password');
    expect(isSealVerified(file)).toBe(false);
    expect(await checkBackupSeal(file, 'not the password')).toBe('wrong-password');
    expect(isSealVerified(file)).toBe(false);
    expect(await checkBackupSeal(file, PASSWORD)).toBe('valid');
    expect(isSealVerified(file)).toBe(true);
  });

  it('survives reformatting: the seal covers the canonical form, not the layout or key order', async () => {
    const { bytes } = await exported();
    const doc = parse(bytes);
    const reordered = Object.fromEntries(Object.entries(doc).reverse());
    const file = await readBackup(utf8(JSON.stringify(reordered, null, 2)));
    expect(await checkBackupSeal(file, PASSWORD)).toBe('valid');
  });

  it('detects any change after sealing, in the payload or the header, even with the checksum recomputed', async () => {
    const edits: [string, (d: Doc) => void][] = [
      ['a name', (d) => (d.payload.identities![0]!.name = 'Mallory')],
      ['an embedding', (d) => (d.payload.templates![1]!.embedding = d.payload.templates![2]!.embedding)],
      ['a removed person', (d) => d.payload.identities!.splice(2, 1)],
      ['the creation date', (d) => (d.created = '2001-01-01T00:00:00.000Z')],
      ['the app name', (d) => (d.app = 'Other')],
    ];
    const { bytes } = await exported();
    for (const [what, edit] of edits) {
      const doc = parse(bytes);
      edit(doc);
      const file = await readBackup(await forge(doc));
      expect({ what, result: await checkBackupSeal(file, PASSWORD) }).toEqual({ what, result: 'changed' });
      expect(isSealVerified(file)).toBe(false);
    }
  });

  it('a forged seal parameter reads as a wrong password, never as valid', async () => {
    const { bytes } = await exported();
    const doc = parse(bytes);
    doc.auth!.iterations = FAST + 1;
    expect(await checkBackupSeal(await readBackup(await forge(doc)), PASSWORD)).toBe('wrong-password');
  });

  it('a file without a seal (removed, or version 1) is read but has nothing to verify', async () => {
    const doc = parse((await exported()).bytes);
    const unsealed = { ...doc };
    delete unsealed.auth;
    const stripped = await readBackup(await forge(unsealed));
    expect(stripped.header.sealKey).toBeNull();
    expect((await rejection(checkBackupSeal(stripped, PASSWORD))).message).toBe('This backup has no seal to check.');
    const v1 = await readBackup(await forgeV1(doc));
    expect(v1.header.version).toBe(1);
    expect(v1.header.sealKey).toBeNull();
    expect(v1.content.templates.find((t) => t.modelId === 'tiny')?.embedding).toEqual(TRICKY);
  });

  it('a seal that cannot be checked is reported, not trusted', async () => {
    const doc = parse((await exported()).bytes);
    doc.auth!.method = 'CRC-32';
    const file = await readBackup(await forge(doc));
    expect(file.header.sealKey).toBeNull();
    expect(file.header.sealProblem).toMatch(
      /seal cannot be checked: its seal uses a method this version does not know/,
    );
  });

  it('an encrypted gallery seals its backup with the gallery passphrase, and refuses another', async () => {
    const { gallery } = await freshGallery();
    await populate(gallery);
    await gallery.enableEncryption('gallery passphrase', { iterations: FAST });
    const wrong = await rejection(gallery.exportBackup({ password: 'some other words', iterations: FAST }));
    expect(wrong.kind).toBe('wrong-passphrase');
    expect(wrong.message).toMatch(/not this gallery's passphrase/);
    const { bytes } = await gallery.exportBackup({ password: 'gallery passphrase', iterations: FAST });
    const file = await readBackup(bytes);
    expect(file.header.sealKey).toBe('gallery-passphrase');
    expect(await checkBackupSeal(file, 'gallery passphrase')).toBe('valid');
  });
});

describe('the forged backup of issue 16', () => {
  // Alice and Bob enrolled; the backup downloaded; Bob's embedding copied into Alice's template,
  // Bob deleted, checksum and counts recomputed; restored with "replace".
  async function forgedSetup() {
    const target = await freshGallery();
    const alice = await target.gallery.addIdentity('Alice');
    const bob = await target.gallery.addIdentity('Bob');
    await target.gallery.addTemplate(
      alice.id,
      { embedding: embedding(8, 1), modelId: 'm', quality: 1, source: 'photo' },
      { blob: jpeg(80, 1), width: 8, height: 8 },
    );
    await target.gallery.addTemplate(bob.id, { embedding: embedding(8, 2), modelId: 'm', quality: 1, source: 'photo' });
    const doc = parse((await target.gallery.exportBackup({ password: PASSWORD, iterations: FAST })).bytes);
    const templates = doc.payload.templates!;
    const aliceTemplate = templates.find((t) => t.identityId === alice.id)!;
    const bobTemplate = templates.find((t) => t.identityId === bob.id)!;
    aliceTemplate.embedding = bobTemplate.embedding;
    doc.payload.templates = [aliceTemplate];
    doc.payload.identities = doc.payload.identities!.filter((i) => i.id !== bob.id);
    return { ...target, alice, bob, forged: await forge(doc) };
  }

  it('is not imported: the seal says changed, the preview names the change to Alice, nothing is written', async () => {
    const { gallery, factory, alice, bob, forged } = await forgedSetup();
    const before = await rawDump(factory);
    const file = await readBackup(forged);
    expect(await checkBackupSeal(file, PASSWORD)).toBe('changed');
    const plan = await gallery.planImport(file, 'replace');
    expect(plan.sealValid).toBe(false);
    expect(plan.needsConfirmation).toBe(true);
    expect(plan.preview.add).toEqual([]);
    expect(plan.preview.change).toHaveLength(1);
    expect(plan.preview.change[0]).toMatchObject({
      id: alice.id,
      before: { name: 'Alice', templates: 1 },
      after: { name: 'Alice', templates: 1 },
      renamed: false,
      templatesReplaced: 1,
      templatesAdded: 0,
      templatesRemoved: 0,
    });
    expect(plan.preview.remove.map((p) => [p.id, p.name, p.templates])).toEqual([[bob.id, 'Bob', 1]]);
    // Without the person's confirmation it is refused; cancelling (not applying) leaves all as it was.
    const err = await rejection(gallery.applyImport(plan));
    expect(err.message).toMatch(/confirm its preview first/);
    expect(await rawDump(factory)).toEqual(before);
  });

  it('without the password (skipped), or downgraded to version 1, it still only reaches the preview', async () => {
    const { gallery, factory, forged } = await forgedSetup();
    const before = await rawDump(factory);
    const unchecked = await gallery.planImport(await readBackup(forged), 'replace');
    expect(unchecked.needsConfirmation).toBe(true);
    const v1 = await gallery.planImport(await readBackup(await forgeV1(parse(forged))), 'replace');
    expect(v1.needsConfirmation).toBe(true);
    expect(v1.preview.change[0]?.templatesReplaced).toBe(1);
    expect(await rawDump(factory)).toEqual(before);
  });
});

describe('import plans and previews', () => {
  it('a valid seal adding people only is written without a question; changing someone always asks', async () => {
    const { gallery, bytes } = await exported();
    const target = await freshGallery();
    const file = await readBackup(bytes);
    await checkBackupSeal(file, PASSWORD);
    const plan = await target.gallery.planImport(file, 'merge');
    expect(plan.needsConfirmation).toBe(false);
    expect(plan.preview.add.map((p) => [p.name, p.templates, p.thumbnails, p.thumbnail !== null])).toEqual([
      ['Ada Lovelace', 2, 1, true],
      ['Bob', 1, 1, true],
      ['Cleo (no templates)', 0, 0, false],
    ]);
    await target.gallery.applyImport(plan);
    expect(await content(target.gallery)).toEqual(await content(gallery));

    // The same valid file replacing a gallery where Ada's templates differ: shown first.
    const list = await target.gallery.listIdentities();
    const ada = list.find((i) => i.name === 'Ada Lovelace')!;
    await target.gallery.addTemplate(ada.id, {
      embedding: embedding(192, 9),
      modelId: 'mobilefacenet',
      quality: 1,
      source: 'photo',
    });
    const replacing = await target.gallery.planImport(file, 'replace');
    expect(replacing.sealValid).toBe(true);
    expect(replacing.needsConfirmation).toBe(true);
    expect(replacing.preview.change.map((c) => [c.after.name, c.templatesRemoved, c.before.templates])).toEqual([
      ['Ada Lovelace', 1, 3],
    ]);
    expect(replacing.preview.unchanged).toBe(2);
  });

  it('replace lists additions, changes (renamed, templates replaced, added, removed) and removals', async () => {
    const { bytes, ada, bob } = await exported(undefined);
    const doc = parse(bytes);
    let n = 0;
    const target = await freshGallery({ newId: () => `target-${++n}` }); // ids apart from the source's
    await importAll(target.gallery, bytes, 'merge');
    const extra = await target.gallery.addIdentity('Dora');
    // The backup as edited: Ada renamed and her tiny template swapped; Bob gets a new template; a new person.
    const identities = doc.payload.identities!;
    identities.find((i) => i.id === ada.id)!.name = 'Ada King';
    const tiny = doc.payload.templates!.find((t) => t.modelId === 'tiny')!;
    tiny.quality = 0.5;
    doc.payload.templates!.push({
      ...doc.payload.templates!.find((t) => t.identityId === bob.id)!,
      id: 'new-template',
    });
    identities.push({ id: 'eve', name: 'Eve', notes: '', created: 1, updated: 1 });
    const plan = await target.gallery.planImport(await readBackup(await forge(doc)), 'replace');
    const { preview } = plan;
    expect(preview.add.map((p) => p.name)).toEqual(['Eve']);
    expect(preview.remove.map((p) => p.name)).toEqual(['Dora']);
    expect(preview.remove[0]?.id).toBe(extra.id);
    const byName = Object.fromEntries(preview.change.map((c) => [c.after.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['Ada King', 'Bob']);
    expect(byName['Ada King']).toMatchObject({ renamed: true, templatesReplaced: 1, before: { name: 'Ada Lovelace' } });
    expect(byName.Bob).toMatchObject({
      renamed: false,
      templatesAdded: 1,
      templatesReplaced: 0,
      after: { templates: 2 },
    });
    expect(preview.unchanged).toBe(1); // Cleo
    expect(preview.before).toEqual({ identities: 4, templates: 3, thumbnails: 2 });
    expect(preview.after).toEqual({ identities: 4, templates: 4, thumbnails: 2 });
  });

  it('merge lists people who would gain templates, and never removes anyone', async () => {
    const { bytes, bob } = await exported(undefined);
    const target = await freshGallery();
    await importAll(target.gallery, bytes, 'merge');
    const doc = parse(bytes);
    doc.payload.templates!.push({ ...doc.payload.templates!.find((t) => t.identityId === bob.id)!, id: 'second-face' });
    const { preview, needsConfirmation } = await target.gallery.planImport(await readBackup(await forge(doc)), 'merge');
    expect(needsConfirmation).toBe(true);
    expect(preview.add).toEqual([]);
    expect(preview.remove).toEqual([]);
    expect(preview.change.map((c) => [c.after.name, c.templatesAdded, c.before.templates, c.after.templates])).toEqual([
      ['Bob', 1, 1, 2],
    ]);
    expect(preview.unchanged).toBe(2);
  });

  it('refuses to write a plan made before the gallery changed', async () => {
    const { bytes } = await exported(undefined);
    const target = await freshGallery();
    const plan = await target.gallery.planImport(await readBackup(bytes), 'replace');
    await target.gallery.addIdentity('Arrived meanwhile');
    const before = await rawDump(target.factory);
    const err = await rejection(target.gallery.applyImport(plan, { confirmed: true }));
    expect(err.kind).toBe('conflict');
    expect(err.message).toMatch(/Nothing was imported/);
    expect(await rawDump(target.factory)).toEqual(before);
  });
});

describe('backup import', () => {
  it('round-trips a gallery into an empty one, bit-exact', async () => {
    const { gallery, bytes } = await exported();
    const target = await freshGallery();
    const report = await importAll(target.gallery, bytes, 'merge', PASSWORD);
    expect(report.added).toEqual({ identities: 3, templates: 3, thumbnails: 2 });
    expect(await content(target.gallery)).toEqual(await content(gallery));
    const [tinyRow] = (await target.gallery.templatesForModel('tiny')).matrix.subarray(0, 1);
    expect(Object.is(tinyRow, -0)).toBe(true);
    // Exporting the imported gallery gives back the same payload checksum.
    const again = parse((await target.gallery.exportBackup()).bytes);
    expect(again.sha256).toBe(parse(bytes).sha256);
  });

  it('reads a version 1 file as written by earlier versions', async () => {
    const { gallery, bytes } = await exported();
    const target = await freshGallery();
    await importAll(target.gallery, await forgeV1(parse(bytes)), 'replace');
    expect(await content(target.gallery)).toEqual(await content(gallery));
  });

  it('accepts a Blob as well as bytes', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    await importAll(target.gallery, new Blob([new Uint8Array(bytes)]), 'replace');
    expect(await target.gallery.count()).toEqual({ identities: 3, templates: 3, thumbnails: 2 });
  });

  it('merge skips records that are already there unchanged', async () => {
    const { gallery, factory, bytes } = await exported();
    const before = await rawDump(factory);
    const report = await importAll(gallery, bytes, 'merge');
    expect(report).toEqual({
      mode: 'merge',
      added: { identities: 0, templates: 0, thumbnails: 0 },
      skipped: { identities: 3, templates: 3, thumbnails: 2 },
      reIded: { identities: 0, templates: 0, thumbnails: 0 },
    });
    expect({ ...(await rawDump(factory)), meta: [] }).toEqual({ ...before, meta: [] });
  });

  it('merge gives new ids to records whose id is taken by different content, and links follow', async () => {
    const { gallery, ada, bytes } = await exported();
    await gallery.rename(ada.id, 'Ada King'); // same id, different content now
    const report = await importAll(gallery, bytes, 'merge');
    // Ada comes back as a second identity; her two templates and thumbnail move with her.
    expect(report.reIded).toEqual({ identities: 1, templates: 2, thumbnails: 1 });
    expect(report.skipped).toEqual({ identities: 2, templates: 1, thumbnails: 1 });
    const list = await gallery.listIdentities();
    expect(list.map((i) => [i.name, i.templateCount, i.thumbnailCount])).toEqual([
      ['Ada King', 2, 1],
      ['Ada Lovelace', 2, 1],
      ['Bob', 1, 1],
      ['Cleo (no templates)', 0, 0],
    ]);
    const imported = list[1]!;
    expect(imported.id).not.toBe(ada.id);
    const [thumb] = await gallery.thumbnails(imported.id);
    const tiny = await gallery.templatesForModel('tiny');
    expect(tiny.identityIds).toContain(imported.id);
    expect(thumb?.templateId).toBe(tiny.ids[tiny.identityIds.indexOf(imported.id)]);
  });

  it('replace swaps the whole gallery for the backup', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    const stranger = await target.gallery.addIdentity('Stranger');
    await target.gallery.addTemplate(stranger.id, { embedding: [1, 2], modelId: 'tiny', quality: 1, source: 'photo' });
    const report = await importAll(target.gallery, bytes, 'replace', PASSWORD);
    expect(report.mode).toBe('replace');
    const names = (await target.gallery.listIdentities()).map((i) => i.name);
    expect(names).toEqual(['Ada Lovelace', 'Bob', 'Cleo (no templates)']);
    expect((await target.gallery.templatesForModel('tiny')).dim).toBe(TRICKY.length);
  });

  it('merge refuses templates whose dimension disagrees with the gallery, writing nothing', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    const x = await target.gallery.addIdentity('X');
    await target.gallery.addTemplate(x.id, { embedding: [1, 2], modelId: 'tiny', quality: 1, source: 'photo' });
    const before = await rawDump(target.factory);
    const err = await rejection(importAll(target.gallery, bytes, 'merge'));
    expect(err.kind).toBe('bad-backup');
    expect(err.message).toMatch(/templates for model tiny have 7 values, but this gallery's have 2/);
    expect(await rawDump(target.factory)).toEqual(before);
  });

  it('lands whole or not at all: a failure midway through the write leaves the gallery unchanged', async () => {
    const { bytes } = await exported();
    for (const mode of ['merge', 'replace'] as const) {
      const target = await freshGallery();
      const x = await target.gallery.addIdentity('Existing');
      await target.gallery.addTemplate(x.id, { embedding: [1, 2], modelId: 'other', quality: 1, source: 'photo' });
      const before = await rawDump(target.factory);

      const original = IDBObjectStore.prototype.add;
      let templateAdds = 0;
      const spy = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (
        this: IDBObjectStore,
        ...args: Parameters<IDBObjectStore['add']>
      ) {
        if (this.name === 'templates' && ++templateAdds === 2) throw new DOMException('disk error', 'UnknownError');
        return original.apply(this, args);
      });
      const err = await rejection(importAll(target.gallery, bytes, mode));
      spy.mockRestore();

      expect(templateAdds).toBe(2); // identities and the first template had been written by then
      expect(err.kind).toBe('unknown');
      expect(err.message).toMatch(/UnknownError: disk error/);
      expect(await rawDump(target.factory)).toEqual(before);
    }
  });

  it('reports progress through reading, checking and writing, and yields while it works', async () => {
    const source = await freshGallery();
    for (let i = 0; i < 30; i++) await source.gallery.addIdentity(`Person ${i}`);
    const { bytes } = await source.gallery.exportBackup({ password: PASSWORD, iterations: FAST });
    const stages: string[] = [];
    let lastWrite = { done: 0, total: 0 };
    // A clock that moves 1 ms per reading and 5 ms slices: the work must yield many times.
    let t = 0;
    const pacer = new Pacer({ sliceMs: 5, now: () => t++, checkEvery: 1 });
    const file = await readBackup(bytes, { pacer, onProgress: (p) => stages.push(p.stage) });
    expect(pacer.yields).toBeGreaterThan(5);
    expect(stages[0]).toBe('reading');
    expect(stages).toContain('checking');
    const target = await freshGallery();
    const plan = await target.gallery.planImport(file, 'merge');
    await target.gallery.applyImport(plan, {
      confirmed: true,
      onProgress: (p) => {
        stages.push(p.stage);
        lastWrite = p;
      },
    });
    expect(stages.at(-1)).toBe('writing');
    expect(lastWrite).toMatchObject({ done: 30, total: 30 });
  });
});

describe('limits', () => {
  /** A minimal version 1 file with `n` people, built as text (fast enough for 200,001 people). */
  async function manyPeople(n: number, templatesForFirst = 0) {
    const people: string[] = [];
    for (let i = 0; i < n; i++) people.push(`{"id":"p${i}","name":"P ${i}","notes":"","created":1,"updated":1}`);
    const templates: string[] = [];
    for (let i = 0; i < templatesForFirst; i++) {
      templates.push(
        `{"id":"t${i}","identityId":"p0","modelId":"m","dim":1,"quality":1,"source":"photo","created":1,"embedding":"AACAPw=="}`,
      );
    }
    const payload = `{"identities":[${people.join(',')}],"templates":[${templates.join(',')}],"thumbnails":[]}`;
    const sha256 = await sha256Hex(utf8(payload));
    const counts = { identities: n, templates: templatesForFirst, thumbnails: 0 };
    return utf8(
      `{"format":"${BACKUP_FORMAT}","version":1,"created":"","app":"","counts":${JSON.stringify(counts)},"sha256":"${sha256}","payload":${payload}}`,
    );
  }

  it('refuses more than 200,000 people in one backup, saying so', async () => {
    const err = await rejection(readBackup(await manyPeople(200_001)));
    expect(err.kind).toBe('bad-backup');
    expect(err.message).toBe('This backup holds 200,001 people; Facet imports at most 200,000 people from one backup.');
  });

  it('refuses more than 100 templates for one person, naming them', async () => {
    await expect(readBackup(await manyPeople(2, 100))).resolves.toBeDefined();
    const err = await rejection(readBackup(await manyPeople(2, 101)));
    expect(err.message).toBe(
      'This backup holds 101 templates for P 0; Facet imports at most 100 templates per person.',
    );
  });

  it('refuses a merge that would take the gallery past 200,000 people', async () => {
    const { planImport } = await import('./backup-plan');
    const identities = new Map<string, { id: string; name: string; notes: string; created: number; updated: number }>();
    for (let i = 0; i < 199_999; i++)
      identities.set(`g${i}`, { id: `g${i}`, name: 'G', notes: '', created: 1, updated: 1 });
    const existing = {
      identities,
      templates: new Map(),
      thumbnails: new Map(),
      template: () => Promise.reject(new Error('unused')),
      thumbnail: () => Promise.reject(new Error('unused')),
    };
    const incoming = (n: number) => ({
      identities: Array.from({ length: n }, (_, i) => ({ id: `b${i}`, name: 'B', notes: '', created: 1, updated: 1 })),
      templates: [],
      thumbnails: [],
    });
    let n = 0;
    const newId = () => `new-${n++}`;
    await expect(planImport(incoming(1), existing, 'merge', newId, new Pacer())).resolves.toBeDefined();
    const err = await rejection(planImport(incoming(2), existing, 'merge', newId, new Pacer()));
    expect(err.message).toBe(
      'After this import the gallery would hold 200,001 people; Facet keeps at most 200,000 people. Import with "replace", or delete people first.',
    );
  });
});

describe('backup refusals', () => {
  async function refusal(data: Uint8Array | Blob) {
    const target = await freshGallery();
    const x = await target.gallery.addIdentity('Existing');
    const before = await rawDump(target.factory);
    const err = await rejection(importAll(target.gallery, data, 'replace'));
    expect(err.kind).toBe('bad-backup');
    expect(await rawDump(target.factory)).toEqual(before); // refused before anything was written
    expect((await target.gallery.getIdentity(x.id))?.name).toBe('Existing');
    return err.message;
  }

  it('a truncated file', async () => {
    const { bytes } = await exported();
    expect(await refusal(bytes.slice(0, Math.floor(bytes.length * 0.6)))).toBe(
      'The backup is damaged: it is incomplete or broken (was the download or copy interrupted?).',
    );
  });

  it('a file with one byte edited', async () => {
    const { bytes } = await exported();
    const text = fromUtf8(bytes);
    const at = text.indexOf('"embedding":"') + 20; // inside the first embedding's base64
    const edited = utf8(text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    expect(edited.length).toBe(bytes.length);
    expect(await refusal(edited)).toBe('The backup is damaged: its checksum does not match.');
  });

  it('foreign JSON, non-JSON text, an empty file', async () => {
    expect(await refusal(utf8('{"name":"my-app","version":"1.0.0"}'))).toBe(
      'This file is not a Facet backup (it is JSON, but not written by Facet).',
    );
    expect(await refusal(utf8('[1, 2, 3]'))).toBe(
      'This file is not a Facet backup (it is JSON, but not written by Facet).',
    );
    expect(await refusal(utf8('id,name\n1,Ada\n'))).toBe(
      'This file is not a Facet backup (it is not a JSON document).',
    );
    expect(await refusal(new Uint8Array(0))).toBe('This file is not a Facet backup (the file is empty).');
  });

  it('image and archive files, by their magic bytes', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(await refusal(png)).toBe('This file is not a Facet backup (it looks like a PNG image).');
    expect(await refusal(jpeg(100))).toBe('This file is not a Facet backup (it looks like a JPEG image).');
    expect(await refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0]))).toBe(
      'This file is not a Facet backup (it looks like a ZIP archive).',
    );
  });

  it('a backup from a newer format version, or with a nonsense version', async () => {
    const doc = parse((await exported()).bytes);
    expect(await refusal(await forge({ ...doc, version: 3 }))).toBe(
      'This backup was made by a newer version of Facet (backup format 3); update the app to import it.',
    );
    expect(await refusal(await forge({ ...doc, version: '2' }))).toBe(
      'The backup is damaged: its format version is missing or not valid.',
    );
  });

  it('a template whose identity is not in the backup', async () => {
    const doc = parse((await exported()).bytes);
    const template = doc.payload.templates![0]!;
    template.identityId = 'nobody';
    expect(await refusal(await forge(doc))).toBe(
      `The backup cannot be imported: template 1 (id ${String(template.id)}): ` +
        'it belongs to identity nobody, which is not in the backup.',
    );
  });

  it('inconsistent records, even with a correct checksum', async () => {
    const fresh = async () => parse((await exported()).bytes);
    const cases: [(doc: Doc) => void, RegExp][] = [
      [(d) => (d.payload.identities![1]!.id = d.payload.identities![0]!.id), /identity id .* appears more than once/],
      [(d) => (d.payload.identities![0]!.name = ''), /identity 1 .*: the name is empty/],
      [(d) => (d.payload.templates![0]!.embedding = 'not base64!'), /template 1 .*: its embedding is not valid base64/],
      [(d) => (d.payload.templates![0]!.dim = 8), /its embedding has \d+ bytes, but 8 float32 values need 32/],
      [
        (d) => Object.assign(d.payload.templates![0]!, { dim: 1, embedding: 'AADAfw==' }), // one float32 NaN
        /template 1 .*: the embedding has an invalid value \(NaN\) at position 0/,
      ],
      [(d) => (d.payload.templates![0]!.quality = 7), /the quality must be a number from 0 to 1 \(got 7\)/],
      [(d) => (d.payload.templates![0]!.source = 'scan'), /the source must be one of photo, webcam/],
      [(d) => (d.payload.thumbnails![0]!.templateId = 'nope'), /refers to template nope, which is not in the backup/],
      [(d) => (d.payload.thumbnails![0]!.type = 'text/html'), /"text\/html" is not an image type/],
      [(d) => (d.payload.thumbnails![0]!.width = 1.5), /thumbnail size 1\.5×/],
      [
        (d) => (d.payload.thumbnails = 'none' as unknown as []),
        /missing a list of identities, templates or thumbnails/,
      ],
    ];
    for (const [edit, message] of cases) {
      const doc = await fresh();
      edit(doc);
      expect(await refusal(await forge(doc))).toMatch(message);
    }
  });

  it('a header whose counts disagree with the payload', async () => {
    const doc = parse((await exported()).bytes);
    const bytes = utf8(JSON.stringify({ ...doc, counts: { identities: 3, templates: 4, thumbnails: 2 } }));
    expect(await refusal(bytes)).toBe('The backup is damaged: its header counts 4 templates, but it holds 3.');
  });

  it('readBackup validates without a gallery (for a preview before import)', async () => {
    const { bytes } = await exported();
    const { header, content: c } = await readBackup(bytes);
    expect(header.format).toBe(BACKUP_FORMAT);
    expect(c.templates.find((t) => t.modelId === 'tiny')?.embedding).toEqual(TRICKY);
  });
});
