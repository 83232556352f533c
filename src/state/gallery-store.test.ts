import { describe, expect, it } from 'vitest';
import { embedding, freshGallery, jpeg, type TestGallery } from '../db/test-utils';
import type { Gallery } from '../db';
import { EMBEDDERS, type EmbedderId } from '../ml/face/embedder-specs';
import type { FaceAnalyser } from '../ml/face/enrolment';
import type { AnalysedFrame } from '../ml/face/engine';
import type { Matcher, PackedTemplates } from '../ml/face/matcher';
import type { FaceAnalysis } from '../ml/face/pipeline';
import type { DecodedImage } from '../ml/runtime/image-file';
import { galleryLockedMessage } from './gallery-locked';
import { createGalleryStore, type GalleryServices } from './gallery-store';

/** A face as the engine reports it; only what the gallery reads is filled in. */
function face(modelId: EmbedderId, seed: number, height = 100, quality = 0.9): FaceAnalysis {
  const e = embedding(EMBEDDERS[modelId].dim, seed);
  const norm = Math.hypot(...e);
  return {
    detection: { box: { x: 0, y: 0, width: height, height }, keypoints: [], score: 0.99 },
    quality: { score: quality, reasons: quality < 0.25 ? ['The face is blurred.'] : [] },
    embedding: e.map((v) => v / norm),
    modelId,
  } as unknown as FaceAnalysis;
}

const frame = (faces: FaceAnalysis[]): AnalysedFrame => ({ faces, width: 640, height: 480, ms: 1 });
const fakeBitmap = () => ({ close() {}, width: 640, height: 480 }) as unknown as ImageBitmap;

/** An engine that sees whatever the test puts in front of it: `next` for photos, `thumbnailFaces` for thumbnails. */
class FakeEngine implements FaceAnalyser {
  next: FaceAnalysis[] = [];
  thumbnailFaces: (FaceAnalysis | null)[] = [];
  async analyse() {
    return frame(this.thumbnailFaces.length ? [this.thumbnailFaces.shift()!].filter((f) => f !== null) : []);
  }
  async analyseWithThumbnails() {
    return { ...frame(this.next), thumbnails: this.next.map((_, i) => jpeg(64, i + 1)) };
  }
}

/** A matcher that scores by the dot product in JS, and counts how often it is built and closed. */
function fakeMatchers() {
  const built: PackedTemplates[] = [];
  let closed = 0;
  async function createMatcher(t: PackedTemplates): Promise<Matcher> {
    built.push(t);
    const score = (probe: Float32Array, row: number) =>
      probe.reduce((s, v, i) => s + v * t.matrix[row * t.dim + i]!, 0);
    const best = (probe: Float32Array, rows: number[], threshold: number) => {
      const top = rows.map((r) => ({ id: t.identityIds[r]!, s: score(probe, r) })).sort((a, b) => b.s - a.s)[0];
      if (!top) return { identityId: null, closestId: null, score: 0 };
      return { identityId: top.s >= threshold ? top.id : null, closestId: top.id, score: top.s };
    };
    const all = t.identityIds.map((_, i) => i);
    return {
      size: t.identityIds.length,
      identify: async (probe, threshold) => best(probe, all, threshold),
      verify: async (probe, id, threshold) =>
        best(
          probe,
          all.filter((i) => t.identityIds[i] === id),
          threshold,
        ),
      close: () => void closed++,
    };
  }
  return { built, createMatcher, closed: () => closed };
}

function setup(test: TestGallery, options: { embedderId?: EmbedderId; upgradePending?: boolean } = {}) {
  const engine = new FakeEngine();
  const matchers = fakeMatchers();
  const upgrade = { pending: options.upgradePending ?? false, cleared: 0 };
  const services: GalleryServices = {
    openGallery: async () => test.gallery,
    embedderId: () => options.embedderId ?? 'facedescriptor',
    engine,
    upgradePending: () => upgrade.pending,
    clearUpgrade: () => {
      upgrade.pending = false;
      upgrade.cleared++;
    },
    decodeImage: async (file: File): Promise<DecodedImage> => ({
      bitmap: fakeBitmap(),
      name: file.name,
      width: 640,
      height: 480,
      originalWidth: 640,
      originalHeight: 480,
      notice: null,
    }),
    decodeThumbnail: async () => fakeBitmap(),
    createMatcher: matchers.createMatcher,
    adoptedModelId: () => null,
    loadAdoptedModel: () => Promise.reject(new Error('no Lab model in these tests')),
    threshold: () => 0.9,
    backend: () => 'cpu',
    objectUrls: { create: () => `blob:${Math.random()}`, revoke: () => undefined },
    camera: { timeoutMs: 1000, pause: async () => undefined },
  };
  return { store: createGalleryStore(services), engine, matchers, upgrade, gallery: test.gallery };
}

const photo = (name = 'ada.jpg') => new File([jpeg()], name, { type: 'image/jpeg' });

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
}

describe('enrolling from a photo', () => {
  it('writes an identity with one template and one thumbnail for the chosen face', async () => {
    const { store, engine, gallery } = setup(await freshGallery());
    engine.next = [face('facedescriptor', 1, 40), face('facedescriptor', 2, 120)];
    expect(await store.getState().enrollFromFile('Ada', photo())).toBe(false);
    expect(store.getState().enrolPrompt).toMatchObject({ kind: 'choose-face', largest: 1 });
    expect(await store.getState().chooseEnrolFace(1)).toBe(true);

    const [ada] = store.getState().identities;
    expect(ada).toMatchObject({ name: 'Ada', templateCount: 1, thumbnailCount: 1 });
    expect(ada!.templatesByModel).toEqual({ facedescriptor: 1 });
    expect(store.getState().notice).toBe(
      'Ada is enrolled from one photo. 2 faces were found; you chose the one at the top left.',
    );
    expect(store.getState().busy).toBeNull();
    expect(Object.keys(store.getState().thumbs)).toEqual([ada!.id]);
    const { matrix } = await gallery.templatesForModel('facedescriptor');
    expect(Array.from(matrix)).toEqual(Array.from(engine.next[1]!.embedding));
  });

  it('says why when no face is found, and writes nothing', async () => {
    const { store, engine, gallery } = setup(await freshGallery());
    engine.next = [];
    expect(await store.getState().enrollFromFile('Ada', photo('empty.jpg'))).toBe(false);
    expect(store.getState().error).toBe(
      'No face was found in "empty.jpg". Use a photo where the face is clear and frontal.',
    );
    expect(await gallery.count()).toEqual({ identities: 0, templates: 0, thumbnails: 0 });
    expect(store.getState().busy).toBeNull();
  });

  it('refuses a poor face with the reasons, and writes nothing', async () => {
    const { store, engine, gallery } = setup(await freshGallery());
    engine.next = [face('facedescriptor', 1, 100, 0.1)];
    expect(await store.getState().enrollFromFile('Ada', photo())).toBe(false);
    expect(store.getState().error).toBe('The face in "ada.jpg" is not good enough to enroll: The face is blurred.');
    expect((await gallery.count()).identities).toBe(0);
  });
});

describe('editing', () => {
  it('renames, deletes and undoes the deletion', async () => {
    const { store, engine } = setup(await freshGallery());
    engine.next = [face('facedescriptor', 1)];
    await store.getState().enrollFromFile('Ada', photo());
    const id = store.getState().identities[0]!.id;

    await store.getState().rename(id, 'Ada King');
    expect(store.getState().identities.map((i) => i.name)).toEqual(['Ada King']);

    await store.getState().remove(id);
    expect(store.getState().identities).toEqual([]);
    expect(store.getState().undo?.name).toBe('Ada King');

    await store.getState().undoRemove();
    expect(store.getState()).toMatchObject({ undo: null, notice: 'Ada King is restored.' });
    expect(store.getState().identities).toMatchObject([{ id, name: 'Ada King', templateCount: 1 }]);
  });
});

describe('matching', () => {
  it('builds the matcher once, and again only when the gallery changes', async () => {
    const { store, engine, matchers } = setup(await freshGallery());
    const ada = face('facedescriptor', 1);
    const bob = face('facedescriptor', 5);
    engine.next = [ada];
    await store.getState().enrollFromFile('Ada', photo());

    const first = await store.getState().match(ada.embedding, 'facedescriptor');
    expect(first).toMatchObject({ name: 'Ada', matched: true });
    expect(first.score).toBeCloseTo(1, 5);
    await store.getState().match(ada.embedding, 'facedescriptor');
    expect(matchers.built).toHaveLength(1);

    engine.next = [bob];
    await store.getState().enrollFromFile('Bob', photo('bob.jpg'));
    expect(await store.getState().match(bob.embedding, 'facedescriptor')).toMatchObject({ name: 'Bob', matched: true });
    expect(matchers.built).toHaveLength(2);
    expect(matchers.built[1]!.identityIds).toHaveLength(2);
    expect(matchers.closed()).toBe(1);

    // 1:1 against Ada: Bob's face is not taken for her, whoever else is enrolled.
    const adaId = store.getState().identities.find((i) => i.name === 'Ada')!.id;
    expect(await store.getState().match(bob.embedding, 'facedescriptor', adaId)).toMatchObject({
      identityId: adaId,
      matched: false,
    });
  });

  it('refuses while the gallery is locked, and drops the matcher it had', async () => {
    const { store, engine, matchers } = setup(await freshGallery());
    const ada = face('facedescriptor', 1);
    engine.next = [ada];
    await store.getState().enrollFromFile('Ada', photo());
    await store.getState().match(ada.embedding, 'facedescriptor');
    expect(await store.getState().enableEncryption('correct horse')).toBe(true);
    await store.getState().lockGallery();
    expect(store.getState()).toMatchObject({ encryption: 'locked', identities: [], lockedCount: 1 });
    expect(matchers.closed()).toBe(1);

    await expect(store.getState().match(ada.embedding, 'facedescriptor')).rejects.toMatchObject({
      kind: 'locked',
      message: galleryLockedMessage('match faces'),
    });
    expect(matchers.built).toHaveLength(1);

    expect(await store.getState().unlockGallery('correct horse')).toBe(true);
    expect(await store.getState().match(ada.embedding, 'facedescriptor')).toMatchObject({ name: 'Ada', matched: true });
  });
});

describe('after the default model changed', () => {
  /** A gallery with people enrolled under FaceRes only, as before the update. */
  async function oldGallery(): Promise<{ test: TestGallery; ids: string[] }> {
    const test = await freshGallery();
    const g: Gallery = test.gallery;
    const ids: string[] = [];
    for (const [n, name] of ['Ada', 'Bob'].entries()) {
      const identity = await g.addIdentity(name);
      ids.push(identity.id);
      await g.addTemplate(
        identity.id,
        { embedding: face('faceres', n + 1).embedding, modelId: 'faceres', quality: 0.9, source: 'photo' },
        { blob: jpeg(64, n + 1), width: 160, height: 160 },
      );
    }
    return { test, ids };
  }

  it('re-embeds everyone from their thumbnails once when the gallery opens', async () => {
    const { test } = await oldGallery();
    const { store, engine, upgrade, gallery } = setup(test, { upgradePending: true });
    engine.thumbnailFaces = [face('facedescriptor', 11), face('facedescriptor', 12)];
    await store.getState().open();
    await until(() => upgrade.cleared === 1);

    expect(store.getState().notice).toBe('2 Face descriptor (ResNet, 128-D) templates added for 2 people.');
    expect(store.getState().identities.map((i) => i.templatesByModel)).toEqual([
      { faceres: 1, facedescriptor: 1 },
      { faceres: 1, facedescriptor: 1 },
    ]);
    // Templates only: the thumbnails they were made from are not stored again.
    expect((await gallery.count()).thumbnails).toBe(2);
  });

  it('keeps the upgrade pending when a thumbnail shows no face, and says who', async () => {
    const { test } = await oldGallery();
    const { store, engine, upgrade } = setup(test, { upgradePending: true });
    engine.thumbnailFaces = [face('facedescriptor', 11), null];
    await store.getState().open();
    await until(() => store.getState().busy === null && store.getState().error !== null);

    expect(upgrade).toMatchObject({ pending: true, cleared: 0 });
    expect(store.getState().error).toBe(
      '1 Face descriptor (ResNet, 128-D) template added for 1 person. Some people still have no Face descriptor ' +
        '(ResNet, 128-D) template: no face was found in the thumbnails of Bob. ' +
        'Delete and enroll them again with a photo or the camera.',
    );
  });

  it('waits while the gallery is locked', async () => {
    const { test } = await oldGallery();
    await test.gallery.enableEncryption('correct horse');
    test.gallery.lock();
    const { store, upgrade } = setup(test, { upgradePending: true });
    await store.getState().open();
    await new Promise((r) => setTimeout(r, 20));
    expect(store.getState()).toMatchObject({ encryption: 'locked', busy: null });
    expect(upgrade).toMatchObject({ pending: true, cleared: 0 });
  });
});
