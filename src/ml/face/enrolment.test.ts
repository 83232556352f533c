import { describe, expect, it } from 'vitest';
import type { AnalysedFrame, FrameInput } from './engine';
import { captureDistinctFrames, pickEnrolmentFace, reembedThumbnails, type FaceAnalyser } from './enrolment';
import type { FaceAnalysis } from './pipeline';

/** A face with a unit embedding along `axis` (or between two axes), a box of `height` and a quality. */
function face(axis: number | [number, number], height = 100, quality = 0.9, modelId = 'facedescriptor'): FaceAnalysis {
  const e = new Float32Array(4);
  if (typeof axis === 'number') e[axis] = 1;
  else [e[axis[0]], e[axis[1]]] = [Math.SQRT1_2, Math.SQRT1_2];
  return {
    detection: { box: { x: 0, y: 0, width: height, height } },
    quality: { score: quality, reasons: quality < 0.25 ? ['Too dark.'] : [] },
    embedding: e,
    modelId,
  } as unknown as FaceAnalysis;
}

const frame = (faces: FaceAnalysis[]): AnalysedFrame => ({ faces, width: 1, height: 1, ms: 1 });
const video = {} as FrameInput;

/** An engine that shows one queued face per call, then none. */
function engineShowing(faces: (FaceAnalysis | null)[]): FaceAnalyser & { calls: number } {
  const queue = [...faces];
  const engine = {
    calls: 0,
    async analyse() {
      engine.calls++;
      const f = queue.shift();
      return frame(f ? [f] : []);
    },
    async analyseWithThumbnails() {
      const { faces: seen, ...rest } = await engine.analyse();
      return { ...rest, faces: seen, thumbnails: seen.map(() => new Blob([String(engine.calls)])) };
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

describe('captureDistinctFrames', () => {
  it('keeps good frames that differ, skipping repeats and poor faces', async () => {
    const engine = engineShowing([face(0), face(0), null, face(1, 100, 0.2), face([0, 1]), face(2)]);
    const progress: number[] = [];
    const kept = await captureDistinctFrames(engine, video, {
      frames: 3,
      timeoutMs: 1e9,
      pause: async () => undefined,
      onProgress: (n) => progress.push(n),
    });
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
    const kept = await captureDistinctFrames(engine, video, {
      frames: 3,
      timeoutMs: 3,
      now: () => t++,
      pause: async () => undefined,
    });
    expect(kept).toHaveLength(1);
    expect(engine.calls).toBe(2);
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
