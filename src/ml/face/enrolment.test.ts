import { describe, expect, it } from 'vitest';
import type { AnalysedFrame, FrameInput } from './engine';
import {
  captureDistinctFrames,
  chooseEnrolmentFace,
  faceCapNotice,
  hasSimilarSizedFaces,
  pickEnrolmentFace,
  placeInFrame,
  reembedThumbnails,
  type FaceAnalyser,
} from './enrolment';
import type { FaceAnalysis } from './pipeline';

/** A face with a unit embedding along `axis` (or between two axes), a box of `height` (at `x`, `y`) and a quality. */
function face(
  axis: number | [number, number],
  height = 100,
  quality = 0.9,
  modelId = 'facedescriptor',
  at: [number, number] = [0, 0],
): FaceAnalysis {
  const e = new Float32Array(4);
  if (typeof axis === 'number') e[axis] = 1;
  else [e[axis[0]], e[axis[1]]] = [Math.SQRT1_2, Math.SQRT1_2];
  return {
    detection: { box: { x: at[0], y: at[1], width: height, height } },
    quality: { score: quality, reasons: quality < 0.25 ? ['Too dark.'] : [] },
    embedding: e,
    modelId,
  } as unknown as FaceAnalysis;
}

const frame = (faces: FaceAnalysis[]): AnalysedFrame => ({ faces, width: 1, height: 1, ms: 1 });
const video = {} as FrameInput;

/** An engine that shows one queued face (or group of faces) per call, then none. */
function engineShowing(faces: (FaceAnalysis | FaceAnalysis[] | null)[]): FaceAnalyser & { calls: number } {
  const queue = [...faces];
  const engine = {
    calls: 0,
    async analyse() {
      engine.calls++;
      const f = queue.shift();
      return frame(f ? [f].flat() : []);
    },
    async analyseWithThumbnails() {
      const { faces: seen, ...rest } = await engine.analyse();
      return { ...rest, faces: seen, thumbnails: seen.map((_, i) => new Blob([`${engine.calls}:${i}`])) };
    },
  };
  return engine;
}

describe('pickEnrolmentFace', () => {
  it('takes the largest face, whatever the order', () => {
    const small = face(0, 50);
    const large = face(1, 150);
    expect(pickEnrolmentFace([small, large, face(2, 80)], 'the photo')).toBe(large);
  });

  it('refuses no face and a poor largest face with a sentence', () => {
    expect(() => pickEnrolmentFace([], '"a.jpg"')).toThrow(
      'No face was found in "a.jpg". Use a photo where the face is clear and frontal.',
    );
    expect(() => pickEnrolmentFace([face(0, 150, 0.2), face(1, 50)], '"a.jpg"')).toThrow(
      'The face in "a.jpg" is not good enough to enroll: Too dark.',
    );
  });
});

describe('which face of a photo to enrol', () => {
  const photo = (faces: FaceAnalysis[]) => ({ faces, width: 900, height: 600 });

  it('counts two faces as of similar size when the smaller side is at least 70 % of the larger', () => {
    expect(hasSimilarSizedFaces([face(0, 100)])).toBe(false);
    expect(hasSimilarSizedFaces([face(0, 100), face(1, 70)])).toBe(true);
    expect(hasSimilarSizedFaces([face(0, 70), face(1, 100)])).toBe(true);
    expect(hasSimilarSizedFaces([face(0, 100), face(1, 69)])).toBe(false);
    // Only the two largest matter: a third, small face does not make the choice unclear.
    expect(hasSimilarSizedFaces([face(0, 40), face(1, 150), face(2, 60)])).toBe(false);
  });

  it('asks whenever a photo holds more than one face, offering the largest first', () => {
    const grid = Array.from({ length: 36 }, (_, i) =>
      face(i % 4, 80 + (i === 7 ? 1 : 0), 0.9, 'facedescriptor', [(i % 6) * 150, 0]),
    );
    expect(chooseEnrolmentFace(photo(grid), '"group.jpg"')).toEqual({ kind: 'ask', largest: 7 });
    // A much larger face is offered first, not taken: it need not be the person being enrolled.
    const faces = [face(0, 50, 0.9, 'facedescriptor', [800, 500]), face(1, 200, 0.9, 'facedescriptor', [20, 30])];
    expect(chooseEnrolmentFace(photo(faces), '"a.jpg"')).toEqual({ kind: 'ask', largest: 1 });
  });

  it('takes the only face of a photo', () => {
    const one = [face(0, 50, 0.9, 'facedescriptor', [800, 500])];
    expect(chooseEnrolmentFace(photo(one), '"a.jpg"')).toEqual({ kind: 'face', index: 0 });
  });

  it('refuses a photo without faces', () => {
    expect(() => chooseEnrolmentFace(photo([]), '"a.jpg"')).toThrow('No face was found in "a.jpg".');
  });

  it('says where a box is in words', () => {
    const box = (x: number, y: number) => ({ x, y, width: 100, height: 100 });
    expect(placeInFrame(box(0, 0), 900, 900)).toBe('at the top left');
    expect(placeInFrame(box(400, 400), 900, 900)).toBe('in the middle');
    expect(placeInFrame(box(800, 400), 900, 900)).toBe('at the right');
    expect(placeInFrame(box(400, 800), 900, 900)).toBe('at the bottom');
  });

  it('says when the face cap left faces out, and only then', () => {
    expect(faceCapNotice(undefined, 20)).toBeNull();
    expect(faceCapNotice(36, 36)).toBeNull();
    expect(faceCapNotice(72, 50)).toBe(
      '72 faces were found, more than Facet looks at in one photo; only the 50 clearest were used.',
    );
  });
});

describe('captureDistinctFrames', () => {
  it('keeps good frames that differ, skipping repeats and poor faces', async () => {
    const engine = engineShowing([face(0), face(0), null, face(1, 100, 0.2), face([0, 1]), face(2)]);
    const progress: number[] = [];
    const { kept, crowded } = await captureDistinctFrames(engine, video, {
      frames: 3,
      timeoutMs: 1e9,
      pause: async () => undefined,
      onProgress: (n) => progress.push(n),
    });
    expect(crowded).toBe(0);
    expect(kept.map((k) => Array.from(k.face.embedding))).toEqual([
      [1, 0, 0, 0],
      [Math.SQRT1_2, Math.SQRT1_2, 0, 0].map(Math.fround),
      [0, 0, 1, 0],
    ]);
    expect(progress).toEqual([1, 1, 1, 1, 2, 3]);
    expect(engine.calls).toBe(6);
  });

  it('stops at the deadline with what it has', async () => {
    let t = 0;
    const engine = engineShowing([face(0), face(0), face(0), face(0)]);
    const { kept } = await captureDistinctFrames(engine, video, {
      frames: 3,
      timeoutMs: 3,
      now: () => t++,
      pause: async () => undefined,
    });
    expect(kept).toHaveLength(1);
    expect(engine.calls).toBe(2);
  });

  it('skips frames with two faces of similar size, and takes the largest face of the others', async () => {
    const engine = engineShowing([
      [face(0, 100), face(1, 90)],
      [face(2, 60), face(3, 160)],
    ]);
    const { kept, crowded } = await captureDistinctFrames(engine, video, {
      frames: 3,
      timeoutMs: 1e9,
      now: () => (engine.calls < 2 ? 0 : 2e9),
      pause: async () => undefined,
    });
    expect(crowded).toBe(1);
    expect(kept.map((k) => Array.from(k.face.embedding))).toEqual([[0, 0, 0, 1]]);
    expect(await kept[0]!.thumbnail.text()).toBe('2:1');
  });
});

describe('reembedThumbnails', () => {
  it('embeds each thumbnail, skips those with no face and closes every bitmap', async () => {
    const engine = engineShowing([face(0), null, face(1)]);
    let open = 0;
    const stored: FaceAnalysis[] = [];
    const faces = await reembedThumbnails(engine, [new Blob(['a']), new Blob(['b']), new Blob(['c'])], {
      modelId: 'facedescriptor',
      decode: async () => {
        open++;
        return { close: () => void open-- } as unknown as ImageBitmap;
      },
      onFace: async (f) => void stored.push(f),
    });
    expect(faces).toHaveLength(2);
    expect(stored).toEqual(faces);
    expect(open).toBe(0);
  });

  it('refuses faces of another embedder', async () => {
    const engine = engineShowing([face(0, 100, 0.9, 'faceres')]);
    await expect(
      reembedThumbnails(engine, [new Blob(['a'])], {
        modelId: 'facedescriptor',
        decode: async () => ({ close() {} }) as unknown as ImageBitmap,
      }),
    ).rejects.toThrow('The face recognition model was changed while re-embedding; run it again.');
  });
});
