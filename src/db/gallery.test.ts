import { describe, expect, it } from 'vitest';
import { MAX_TEMPLATES_PER_MODEL } from './gallery';
import { blobBytes, embedding, freshGallery, jpeg, rawDump, rejection } from './test-utils';

const mfn = (seed: number, extra: Partial<{ quality: number; source: 'photo' | 'webcam' }> = {}) => ({
  embedding: embedding(192, seed),
  modelId: 'mobilefacenet',
  quality: 0.9,
  source: 'webcam' as const,
  ...extra,
});

describe('identities', () => {
  it('are added, read back, renamed and annotated; updated always moves forward', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('  Ada Lovelace ', 'met at the lab');
    expect(ada).toMatchObject({ name: 'Ada Lovelace', notes: 'met at the lab' });
    expect(ada.updated).toBe(ada.created);

    const renamed = await gallery.rename(ada.id, 'Ada King');
    expect(renamed.name).toBe('Ada King');
    expect(renamed.notes).toBe('met at the lab');
    expect(renamed.updated).toBeGreaterThan(ada.updated);
    const annotated = await gallery.setNotes(ada.id, '');
    expect(annotated.updated).toBeGreaterThan(renamed.updated);

    expect(await gallery.getIdentity(ada.id)).toEqual({
      ...annotated,
      templateCount: 0,
      templatesByModel: {},
      thumbnailCount: 0,
    });
    expect(await gallery.getIdentity('nobody')).toBeUndefined();
  });

  it('are listed by name with template counts per model and thumbnail counts', async () => {
    const { gallery } = await freshGallery();
    const zoe = await gallery.addIdentity('Zoe');
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(zoe.id, mfn(1), { blob: jpeg(), width: 16, height: 16 });
    await gallery.addTemplate(zoe.id, mfn(2));
    await gallery.addTemplate(zoe.id, { ...mfn(3), modelId: 'faceres', embedding: embedding(1024, 3) });
    await gallery.addTemplate(ada.id, mfn(4));

    const list = await gallery.listIdentities();
    expect(list.map((i) => [i.name, i.templateCount, i.templatesByModel, i.thumbnailCount])).toEqual([
      ['Ada', 1, { mobilefacenet: 1 }, 0],
      ['Zoe', 3, { faceres: 1, mobilefacenet: 2 }, 1],
    ]);
    expect((await gallery.getIdentity(zoe.id))?.templatesByModel).toEqual({ faceres: 1, mobilefacenet: 2 });
    expect(await gallery.count()).toEqual({ identities: 2, templates: 4, thumbnails: 1 });
  });

  it('refuse empty or oversized names and unknown ids with clear messages', async () => {
    const { gallery } = await freshGallery();
    expect(await rejection(gallery.addIdentity('   '))).toMatchObject({
      kind: 'invalid',
      message: 'The name is empty; type a name for this person.',
    });
    expect((await rejection(gallery.addIdentity('x'.repeat(201)))).message).toMatch(/longer than 200/);
    expect(await rejection(gallery.rename('missing', 'Bob'))).toMatchObject({
      kind: 'not-found',
      message: 'There is no identity with id missing in the gallery; it may have been deleted.',
    });
    const bob = await gallery.addIdentity('Bob');
    expect((await rejection(gallery.rename(bob.id, ''))).kind).toBe('invalid');
    expect((await gallery.getIdentity(bob.id))?.name).toBe('Bob');
    expect(await gallery.count()).toEqual({ identities: 1, templates: 0, thumbnails: 0 });
  });
});

describe('templates', () => {
  it('store the embedding bit-exact, as a copy of the caller buffer', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const values = new Float32Array([-0, 1e-40, 3.4028234663852886e38, 0.1, -7]);
    const expected = values.slice();
    const adding = gallery.addTemplate(ada.id, { embedding: values, modelId: 'tiny', quality: 1, source: 'photo' });
    values.fill(9); // the caller reuses its buffer before the write lands
    const { templateId } = await adding;
    const packed = await gallery.templatesForModel('tiny');
    expect(packed.ids).toEqual([templateId]);
    expect(new Uint8Array(packed.matrix.buffer)).toEqual(new Uint8Array(expected.buffer));
    expect(Object.is(packed.matrix[0], -0)).toBe(true);
  });

  it('accept number[] embeddings', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(ada.id, { embedding: [0.5, -0.5], modelId: 'tiny', quality: 0, source: 'photo' });
    expect(Array.from((await gallery.templatesForModel('tiny')).matrix)).toEqual([0.5, -0.5]);
  });

  it('are packed per model into one row-major N×dim matrix', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const bob = await gallery.addIdentity('Bob');
    const a1 = await gallery.addTemplate(ada.id, mfn(1));
    await gallery.addTemplate(bob.id, { ...mfn(9), modelId: 'faceres', embedding: embedding(1024, 9) });
    const b1 = await gallery.addTemplate(bob.id, mfn(2));
    const a2 = await gallery.addTemplate(ada.id, mfn(3));

    const packed = await gallery.templatesForModel('mobilefacenet');
    expect(packed.dim).toBe(192);
    expect(packed.ids).toEqual([a1.templateId, b1.templateId, a2.templateId]);
    expect(packed.identityIds).toEqual([ada.id, bob.id, ada.id]);
    expect(packed.matrix).toHaveLength(3 * 192);
    [1, 2, 3].forEach((seed, row) => {
      expect(packed.matrix.subarray(row * 192, (row + 1) * 192)).toEqual(embedding(192, seed));
    });

    const none = await gallery.templatesForModel('unknown-model');
    expect(none).toEqual({ modelId: 'unknown-model', ids: [], identityIds: [], matrix: new Float32Array(0), dim: 0 });
  });

  it('refuse broken embeddings and bad fields, writing nothing', async () => {
    const { gallery, factory } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(ada.id, mfn(1));
    const before = await rawDump(factory);

    const withNaN = embedding(192, 2);
    withNaN[17] = NaN;
    const withInf = embedding(192, 2);
    withInf[3] = -Infinity;
    const cases: [Promise<unknown>, RegExp][] = [
      [gallery.addTemplate(ada.id, { ...mfn(2), embedding: withNaN }), /invalid value \(NaN\) at position 17/],
      [gallery.addTemplate(ada.id, { ...mfn(2), embedding: withInf }), /invalid value \(-Infinity\) at position 3/],
      [gallery.addTemplate(ada.id, { ...mfn(2), embedding: new Float32Array(192) }), /all zeros/],
      [gallery.addTemplate(ada.id, { ...mfn(2), embedding: new Float32Array(0) }), /embedding is empty/],
      [gallery.addTemplate(ada.id, { ...mfn(2), embedding: embedding(128, 2) }), /has 128 values, but .* have 192/],
      [gallery.addTemplate(ada.id, mfn(2, { quality: 1.5 })), /quality must be a number from 0 to 1/],
      [gallery.addTemplate(ada.id, mfn(2, { quality: NaN })), /quality must be a number from 0 to 1/],
      [gallery.addTemplate(ada.id, { ...mfn(2), source: 'upload' as 'photo' }), /source must be one of photo, webcam/],
      [gallery.addTemplate(ada.id, { ...mfn(2), modelId: '' }), /model id "" is not valid/],
      [
        gallery.addTemplate(ada.id, mfn(2), {
          blob: new Blob(['%PDF'], { type: 'application/pdf' }),
          width: 1,
          height: 1,
        }),
        /not an image type/,
      ],
      [gallery.addTemplate(ada.id, mfn(2), { blob: jpeg(2 * 1024 * 1024), width: 9, height: 9 }), /at most 1024 KiB/],
      [gallery.addTemplate(ada.id, mfn(2), { blob: jpeg(), width: 0, height: 9 }), /thumbnail size 0×9 is not valid/],
    ];
    for (const [attempt, message] of cases) {
      const err = await rejection(attempt);
      expect(err.kind).toBe('invalid');
      expect(err.message).toMatch(message);
    }
    expect(await rawDump(factory)).toEqual(before);
  });

  it('refuse a template for a missing identity, writing nothing', async () => {
    const { gallery, factory } = await freshGallery();
    const before = await rawDump(factory);
    const err = await rejection(gallery.addTemplate('ghost', mfn(1), { blob: jpeg(), width: 8, height: 8 }));
    expect(err.kind).toBe('not-found');
    expect(await rawDump(factory)).toEqual(before);
  });

  it('keep thumbnails with their template, typed, and take untyped blobs as JPEG', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const untyped = new Blob([new Uint8Array([0xff, 0xd8, 0xff, 1, 2])]);
    const { templateId, thumbnailId } = await gallery.addTemplate(ada.id, mfn(1), {
      blob: untyped,
      width: 32,
      height: 24,
    });
    const [thumb] = await gallery.thumbnails(ada.id);
    expect(thumb).toMatchObject({ id: thumbnailId, identityId: ada.id, templateId, width: 32, height: 24 });
    expect(thumb?.blob.type).toBe('image/jpeg');
    expect(await blobBytes(thumb!.blob)).toEqual([0xff, 0xd8, 0xff, 1, 2]);
  });

  it('deleteTemplate removes the template and its own thumbnail only', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const first = await gallery.addTemplate(ada.id, mfn(1), { blob: jpeg(30, 1), width: 8, height: 8 });
    const second = await gallery.addTemplate(ada.id, mfn(2), { blob: jpeg(30, 2), width: 8, height: 8 });
    const before = await gallery.getIdentity(ada.id);
    await gallery.deleteTemplate(first.templateId);
    expect((await gallery.templatesForModel('mobilefacenet')).ids).toEqual([second.templateId]);
    expect((await gallery.thumbnails(ada.id)).map((t) => t.id)).toEqual([second.thumbnailId]);
    expect((await gallery.getIdentity(ada.id))!.updated).toBeGreaterThan(before!.updated);
    expect((await rejection(gallery.deleteTemplate(first.templateId))).kind).toBe('not-found');
  });

  it('run overlapping calls in order without losing any', async () => {
    const { gallery } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    const adds = Array.from({ length: 25 }, (_, i) => gallery.addTemplate(ada.id, mfn(i + 1)));
    const ids = (await Promise.all(adds)).map((a) => a.templateId);
    expect((await gallery.templatesForModel('mobilefacenet')).ids).toEqual(ids);
    expect((await gallery.getIdentity(ada.id))?.templateCount).toBe(25);
  });
});

describe('enrol', () => {
  const sample = (seed: number) => ({ template: mfn(seed), thumbnail: { blob: jpeg(30, seed), width: 8, height: 8 } });

  it('makes a person with all their samples in one call, or adds to one that exists', async () => {
    const { gallery } = await freshGallery();
    const made = await gallery.enrol({ name: ' Ada ' }, [sample(1), sample(2)]);
    expect(made.identity).toMatchObject({ name: 'Ada', notes: '' });
    expect(made.added.every((a) => a.thumbnailId !== null)).toBe(true);
    const more = await gallery.enrol({ identityId: made.identityId }, [{ template: mfn(3) }]);
    expect(more).toMatchObject({ identity: null, identityId: made.identityId });
    expect(await gallery.getIdentity(made.identityId)).toMatchObject({ templateCount: 3, thumbnailCount: 2 });
  });

  it('refuses an empty list, a bad name and a sample of another size, writing nothing', async () => {
    const { gallery, factory } = await freshGallery();
    const ada = await gallery.addIdentity('Ada');
    await gallery.addTemplate(ada.id, mfn(1));
    const before = await rawDump(factory);
    expect((await rejection(gallery.enrol({ name: 'Bo' }, []))).message).toMatch(/nothing to enroll/);
    expect((await rejection(gallery.enrol({ name: '  ' }, [sample(2)]))).kind).toBe('invalid');
    const odd = { template: { ...mfn(3), embedding: embedding(128, 3) } };
    expect((await rejection(gallery.enrol({ name: 'Bo' }, [sample(2), odd]))).message).toMatch(/has 128 values/);
    expect((await rejection(gallery.enrol({ identityId: 'ghost' }, [sample(2)]))).kind).toBe('not-found');
    expect(await rawDump(factory)).toEqual(before);
  });

  it(`holds at most ${MAX_TEMPLATES_PER_MODEL} samples of one model per person, and says what to do`, async () => {
    const { gallery, factory } = await freshGallery();
    const many = Array.from({ length: MAX_TEMPLATES_PER_MODEL - 1 }, (_, i) => ({ template: mfn(i + 1) }));
    const { identityId } = await gallery.enrol({ name: 'Ada' }, many);
    const before = await rawDump(factory);
    const err = await rejection(gallery.enrol({ identityId }, [{ template: mfn(500) }, { template: mfn(501) }]));
    expect(err.kind).toBe('invalid');
    expect(err.message).toMatch(/already has 99 face samples .* at most 100\. Delete some/);
    expect(await rawDump(factory)).toEqual(before);
    // Another model's samples are counted apart.
    await gallery.enrol({ identityId }, [{ template: { ...mfn(7), modelId: 'faceres' } }]);
    await gallery.addTemplate(identityId, mfn(502));
    expect((await gallery.getIdentity(identityId))?.templatesByModel).toEqual({ mobilefacenet: 100, faceres: 1 });
  });
});

describe('deleteIdentity', () => {
  async function populated() {
    const t = await freshGallery();
    const ada = await t.gallery.addIdentity('Ada', 'notes');
    const bob = await t.gallery.addIdentity('Bob');
    await t.gallery.addTemplate(ada.id, mfn(1), { blob: jpeg(50, 1), width: 8, height: 8 });
    await t.gallery.addTemplate(ada.id, { ...mfn(2), modelId: 'faceres', embedding: embedding(1024, 2) });
    await t.gallery.addTemplate(bob.id, mfn(3), { blob: jpeg(50, 3), width: 8, height: 8 });
    return { ...t, ada, bob };
  }

  it('removes the identity with all its templates and thumbnails, and undo restores exactly that', async () => {
    const { gallery, factory, ada, bob } = await populated();
    const before = await rawDump(factory);

    const deleted = await gallery.deleteIdentity(ada.id);
    expect(deleted).toMatchObject({ identityId: ada.id, templateCount: 2, thumbnailCount: 1, undoable: true });
    expect(await gallery.count()).toEqual({ identities: 1, templates: 1, thumbnails: 1 });
    expect((await gallery.listIdentities()).map((i) => i.id)).toEqual([bob.id]);
    expect((await gallery.templatesForModel('faceres')).ids).toEqual([]);

    await deleted.undo();
    expect(deleted.undoable).toBe(false);
    const after = await rawDump(factory);
    // Same rows, byte for byte; only the meta revision counter moved on.
    expect({ ...after, meta: [] }).toEqual({ ...before, meta: [] });
    expect((await rejection(deleted.undo())).message).toBe('This deletion was already undone.');
  });

  it('cannot be undone after the caller discards the undo', async () => {
    const { gallery, ada } = await populated();
    const deleted = await gallery.deleteIdentity(ada.id);
    deleted.discard();
    expect(deleted.undoable).toBe(false);
    expect(await rejection(deleted.undo())).toMatchObject({
      kind: 'invalid',
      message: 'It is too late to undo this deletion.',
    });
    expect((await gallery.count()).identities).toBe(1);
  });

  it('reports a missing identity', async () => {
    const { gallery } = await freshGallery();
    expect((await rejection(gallery.deleteIdentity('nobody'))).kind).toBe('not-found');
  });
});
