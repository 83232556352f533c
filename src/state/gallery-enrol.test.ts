// Enrolment's questions, on a real (fake-indexeddb) gallery with a fake face engine and a JS matcher:
// which face of a group photo, a photo chosen before the name, a new person who already matches someone, the face cap, and the
// People list following another tab's writes.
import { describe, expect, it } from 'vitest';
import { broadcastChanges, type Gallery } from '../db';
import { blobBytes, embedding, freshGallery, jpeg, type TestGallery } from '../db/test-utils';
import type { AnalysedFrame } from '../ml/face/engine';
import type { FaceAnalyser } from '../ml/face/enrolment';
import type { Matcher, PackedTemplates } from '../ml/face/matcher';
import type { FaceAnalysis } from '../ml/face/pipeline';
import { createGalleryStore, type GalleryServices, type GalleryState } from './gallery-store';

const W = 900;
const H = 600;

/** A unit-embedding face of person `seed`, its box `side` px at `x`, centred on the middle row, of `quality`. */
function face(seed: number, side = 120, x = 0, quality = 0.9): FaceAnalysis {
  const e = embedding(128, seed);
  const norm = Math.hypot(...e);
  return {
    detection: { box: { x, y: 300 - side / 2, width: side, height: side }, keypoints: [], score: 0.99 },
    quality: { score: quality, reasons: quality < 0.25 ? ['The face is blurred.'] : [] },
    embedding: e.map((v) => v / norm),
    modelId: 'facedescriptor',
  } as unknown as FaceAnalysis;
}

/** Shows `next` to every photo and camera frame, with `found` as the detector's count if set. */
class FakeEngine implements FaceAnalyser {
  next: FaceAnalysis[] = [];
  found: number | undefined;
  async analyse(): Promise<AnalysedFrame> {
    return { faces: this.next, found: this.found, width: W, height: H, ms: 1 };
  }
  async analyseWithThumbnails(_source: unknown, maxFaces?: number) {
    const faces = this.next.slice(0, maxFaces);
    return { faces, found: this.found, width: W, height: H, ms: 1, thumbnails: faces.map((_, i) => jpeg(64, i + 1)) };
  }
}

async function createMatcher(t: PackedTemplates): Promise<Matcher> {
  const score = (p: Float32Array, r: number) => p.reduce((s, v, i) => s + v * t.matrix[r * t.dim + i]!, 0);
  const best = (probe: Float32Array, threshold: number) => {
    const top = t.identityIds.map((id, r) => ({ id, s: score(probe, r) })).sort((a, b) => b.s - a.s)[0];
    if (!top) return { identityId: null, closestId: null, score: 0 };
    return { identityId: top.s >= threshold ? top.id : null, closestId: top.id, score: top.s };
  };
  return {
    size: t.identityIds.length,
    identify: async (probe, threshold) => best(probe, threshold),
    verify: async (probe, _id, threshold) => best(probe, threshold),
    close: () => undefined,
  };
}

function setup(test: TestGallery | Promise<Gallery>) {
  const engine = new FakeEngine();
  const bitmaps = { open: 0 };
  const services: GalleryServices = {
    openGallery: async () => ('gallery' in test ? test.gallery : test),
    embedderId: () => 'facedescriptor',
    engine,
    upgradePending: () => false,
    clearUpgrade: () => undefined,
    decodeImage: async (file) => {
      bitmaps.open++;
      const bitmap = { width: W, height: H, close: () => void bitmaps.open-- } as unknown as ImageBitmap;
      return { bitmap, name: file.name, width: W, height: H, originalWidth: W, originalHeight: H, notice: null };
    },
    decodeThumbnail: async () => ({ close() {} }) as unknown as ImageBitmap,
    createMatcher,
    adoptedModelId: () => null,
    loadAdoptedModel: () => Promise.reject(new Error('no Lab model here')),
    threshold: () => 0.9,
    backend: () => 'cpu',
    objectUrls: { create: () => 'blob:x', revoke: () => undefined },
    camera: { timeoutMs: 1000, pause: async () => undefined },
  };
  return { store: createGalleryStore(services), engine, bitmaps };
}

const photo = (name = 'group.jpg') => new File([jpeg()], name, { type: 'image/jpeg' });
const video = {} as HTMLVideoElement;

async function templates(g: Gallery) {
  return Array.from((await g.templatesForModel('facedescriptor')).matrix);
}

describe('a photo with several faces of similar size', () => {
  it('asks which face, stores nothing until told, then enrolls the chosen one', async () => {
    const test = await freshGallery();
    const { store, engine, bitmaps } = setup(test);
    // The detector lists the right-hand face first; the question numbers them left to right.
    engine.next = [face(2, 100, 700), face(1, 120, 50)];
    expect(await store.getState().enrollFromFile('Ada', photo())).toBe(false);

    expect(store.getState().enrolPrompt).toMatchObject({
      kind: 'choose-face',
      name: 'Ada',
      faces: [{ place: 'at the left' }, { place: 'at the right' }],
      capNotice: null,
    });
    expect(await test.gallery.count()).toEqual({ identities: 0, templates: 0, thumbnails: 0 });
    expect(bitmaps.open).toBe(1); // the question holds the photo to draw the boxes on

    expect(await store.getState().chooseEnrolFace(1)).toBe(true);
    expect(store.getState().enrolPrompt).toBeNull();
    expect(bitmaps.open).toBe(0);
    expect(await templates(test.gallery)).toEqual(Array.from(engine.next[0]!.embedding));
    expect(store.getState().notice).toBe(
      'Ada is enrolled from one photo. 2 faces were found; you chose the one at the right.',
    );
    expect(store.getState().identities).toMatchObject([{ name: 'Ada', templateCount: 1, thumbnailCount: 1 }]);
    // The chosen face's own thumbnail (the engine's first), not the other one's.
    const [thumb] = await test.gallery.thumbnails(store.getState().identities[0]!.id);
    expect(await blobBytes(thumb!.blob)).toEqual(await blobBytes(jpeg(64, 1)));
  });

  it('keeps the question open when the chosen face is too poor, and Cancel stores nothing', async () => {
    const test = await freshGallery();
    const { store, engine, bitmaps } = setup(test);
    engine.next = [face(1, 120, 50, 0.1), face(2, 110, 700)];
    await store.getState().enrollFromFile('Ada', photo());
    expect(await store.getState().chooseEnrolFace(0)).toBe(false);
    expect(store.getState().error).toBe('The face in "group.jpg" is not good enough to enroll: The face is blurred.');
    expect(store.getState().enrolPrompt?.kind).toBe('choose-face');

    store.getState().cancelEnrol();
    expect(store.getState()).toMatchObject({
      enrolPrompt: null,
      error: null,
      notice: 'Ada was not enrolled; nothing was stored.',
    });
    expect(bitmaps.open).toBe(0);
    expect(await store.getState().chooseEnrolFace(1)).toBe(false);
    expect((await test.gallery.count()).identities).toBe(0);
  });

  it('asks about a group photo even when one face is much larger, offering the largest first', async () => {
    const test = await freshGallery();
    const { store, engine } = setup(test);
    // The big face at the right is listed first by the detector and numbered second, left to right.
    engine.next = [face(2, 200, 650), face(1, 60, 0)];
    expect(await store.getState().enrollFromFile('Ada', photo())).toBe(false);
    expect(store.getState().enrolPrompt).toMatchObject({
      kind: 'choose-face',
      faces: [{ place: 'at the left' }, { place: 'at the right' }],
      largest: 1,
    });
    expect((await test.gallery.count()).identities).toBe(0);
    expect(await store.getState().chooseEnrolFace(1)).toBe(true);
    expect(await templates(test.gallery)).toEqual(Array.from(engine.next[0]!.embedding));
  });

  it('says when the face cap left faces out', async () => {
    const { store, engine } = setup(await freshGallery());
    engine.next = [face(1, 200)];
    engine.found = 72; // a crowd, of which the cap let one face through
    expect(await store.getState().enrollFromFile('Ada', photo())).toBe(true);
    expect(store.getState().notice).toBe(
      'Ada is enrolled from one photo. 72 faces were found, more than Facet looks at in one photo; ' +
        'only the 1 clearest were used.',
    );
  });
});

describe('a photo chosen before a name is typed', () => {
  it('is kept, not enrolled, and enrolment goes on with it once the name is given', async () => {
    const test = await freshGallery();
    const { store, engine, bitmaps } = setup(test);
    engine.next = [face(1)];
    expect(await store.getState().enrollFromFile('  ', photo('ada.jpg'))).toBe(false);
    expect(store.getState()).toMatchObject({ photoAwaitingName: 'ada.jpg', error: null, enrolPrompt: null });
    expect(bitmaps.open).toBe(0); // only the file is kept, not a decoded photo
    expect((await test.gallery.count()).identities).toBe(0);

    // Confirming with the name still empty changes nothing.
    expect(await store.getState().enrollAwaitingPhoto('')).toBe(false);
    expect(store.getState().photoAwaitingName).toBe('ada.jpg');

    expect(await store.getState().enrollAwaitingPhoto('Ada')).toBe(true);
    expect(store.getState().photoAwaitingName).toBeNull();
    expect(store.getState().notice).toBe('Ada is enrolled from one photo.');
    expect(store.getState().identities).toMatchObject([{ name: 'Ada', templateCount: 1 }]);
    expect(await store.getState().enrollAwaitingPhoto('Ada')).toBe(false); // used once, then gone
  });

  it('goes on to ask which face when the kept photo is a group photo', async () => {
    const { store, engine } = setup(await freshGallery());
    engine.next = [face(1, 120, 50), face(2, 110, 700)];
    await store.getState().enrollFromFile('', photo());
    expect(await store.getState().enrollAwaitingPhoto('Ada')).toBe(false);
    expect(store.getState().enrolPrompt).toMatchObject({ kind: 'choose-face', name: 'Ada', largest: 0 });
    expect(store.getState().photoAwaitingName).toBeNull();
  });

  it('is dropped by "forget", and replaced by a newer photo', async () => {
    const { store } = setup(await freshGallery());
    await store.getState().enrollFromFile('', photo('a.jpg'));
    await store.getState().enrollFromFile('', photo('b.jpg'));
    expect(store.getState().photoAwaitingName).toBe('b.jpg');
    store.getState().forgetAwaitingPhoto();
    expect(store.getState().photoAwaitingName).toBeNull();
    expect(await store.getState().enrollAwaitingPhoto('Ada')).toBe(false);
  });
});

describe('a new person whose face already matches someone enrolled', () => {
  async function withAda() {
    const test = await freshGallery();
    const env = setup(test);
    env.engine.next = [face(1)];
    expect(await env.store.getState().enrollFromFile('Ada', photo('ada.jpg'))).toBe(true);
    return { ...env, gallery: test.gallery };
  }

  it('warns with the match and its score, and Cancel leaves one identity', async () => {
    const { store, gallery } = await withAda();
    expect(await store.getState().enrollFromFile('Bob', photo('bob.jpg'))).toBe(false);
    const prompt = store.getState().enrolPrompt;
    expect(prompt).toMatchObject({ kind: 'lookalike', name: 'Bob', match: 'Ada' });
    expect(prompt?.kind === 'lookalike' && prompt.score).toBeCloseTo(1, 5);
    expect((await gallery.count()).identities).toBe(1);

    store.getState().cancelEnrol();
    expect(store.getState().notice).toBe('Bob was not enrolled; nothing was stored.');
    expect(await gallery.count()).toEqual({ identities: 1, templates: 1, thumbnails: 1 });
  });

  it('enrolls only after the user confirms, and says so', async () => {
    const { store, gallery } = await withAda();
    await store.getState().enrollFromFile('Bob', photo('bob.jpg'));
    expect(await store.getState().confirmEnrol()).toBe(true);
    expect(store.getState().enrolPrompt).toBeNull();
    expect(
      store
        .getState()
        .identities.map((i) => i.name)
        .sort(),
    ).toEqual(['Ada', 'Bob']);
    expect(store.getState().notice).toBe(
      'Bob is enrolled from one photo. The face looks like Ada; it was enrolled as Bob as you asked.',
    );
    expect((await gallery.count()).templates).toBe(2);
  });

  it('does not ask for a different face, nor for one more photo of the same person', async () => {
    const { store, engine } = await withAda();
    const adaId = store.getState().identities[0]!.id;
    expect(await store.getState().addPhoto(adaId, photo('ada-2.jpg'))).toBe(true);
    engine.next = [face(5)];
    expect(await store.getState().enrollFromFile('Bob', photo('bob.jpg'))).toBe(true);
    expect(store.getState().enrolPrompt).toBeNull();
  });

  it('asks after camera enrolment too, before anything is stored', async () => {
    const { store, engine, gallery } = await withAda();
    engine.next = [face(1)];
    expect(await store.getState().enrollFromCamera('Bob', video, 1)).toBe(false);
    expect(store.getState().enrolPrompt).toMatchObject({ kind: 'lookalike', name: 'Bob', match: 'Ada' });
    expect((await gallery.count()).identities).toBe(1);
    expect(await store.getState().confirmEnrol()).toBe(true);
    expect(store.getState().identities.find((i) => i.name === 'Bob')).toMatchObject({ templateCount: 1 });
  });
});

describe('camera enrolment with two faces in view', () => {
  it('keeps no frame whose two faces are of similar size, and says why', async () => {
    const test = await freshGallery();
    const { store, engine } = setup(test);
    engine.next = [face(1, 120, 0), face(2, 110, 600)];
    expect(await store.getState().enrollFromCamera('Ada', video)).toBe(false);
    expect(store.getState().error).toBe(
      'Two faces of similar size were in view, so Facet could not tell whom to enroll. ' +
        'Make sure only Ada faces the camera, then try again.',
    );
    expect((await test.gallery.count()).identities).toBe(0);
  });
});

describe('another tab', () => {
  /** Resolves when `check` holds for the store's state, checked on every change. */
  function when(store: ReturnType<typeof setup>['store'], check: (s: GalleryState) => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (check(store.getState())) return resolve();
      const stop = store.subscribe((s) => {
        if (check(s)) {
          stop();
          resolve();
        }
      });
    });
  }

  it('re-reads its People list when the first tab enrolls, renames or deletes', async () => {
    const first = await freshGallery({ changes: broadcastChanges });
    const second = await freshGallery({ factory: first.factory, changes: broadcastChanges });
    try {
      const a = setup(first);
      const b = setup(second);
      await b.store.getState().open();
      expect(b.store.getState().identities).toEqual([]);

      a.engine.next = [face(1)];
      await a.store.getState().enrollFromFile('Ada', photo());
      await when(b.store, (s) => s.identities.length === 1);
      expect(b.store.getState().identities[0]).toMatchObject({ name: 'Ada', templateCount: 1 });

      const id = a.store.getState().identities[0]!.id;
      await a.store.getState().rename(id, 'Ada King');
      await when(b.store, (s) => s.identities[0]?.name === 'Ada King');
      await a.store.getState().remove(id);
      await when(b.store, (s) => s.identities.length === 0);
    } finally {
      first.gallery.close();
      second.gallery.close();
    }
  });
});
