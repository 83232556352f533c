import * as tf from '@tensorflow/tfjs';
import { openSync, readSync, closeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDescriptorWeights, loadTestImage, loadTestModel } from '../../test/fixtures';
import { FaceDescriptorNet } from './descriptor-net';
import { FaceDetector } from './detector';
import { Embedder, EMBEDDERS } from './embedder';
import { LandmarkModel } from './landmarks';
import { FacePipeline, landmarkStage, type FaceAnalysis } from './pipeline';
import { cosineSimilarity } from './similarity';
import {
  boxFromMesh,
  calibrate,
  DEFAULT_MESH_TO_BOX,
  FaceTracker,
  fuseEmbeddings,
  meshBounds,
  type TrackedFrame,
} from './tracker';

describe('tracking box (pure)', () => {
  it('meshBounds spans the x, y of every point and ignores z', () => {
    const points = new Float32Array([10, 20, 999, 30, 5, -999, 20, 40, 0]);
    expect(meshBounds(points)).toEqual({ x: 10, y: 5, width: 20, height: 35 });
  });

  it('calibrate and boxFromMesh invert each other', () => {
    const mesh = { x: 100, y: 100, width: 80, height: 100 };
    const det = { x: 110, y: 130, width: 70, height: 70 };
    const k = calibrate(mesh, det);
    // side 100: scale 0.7; centres (140, 150) → (145, 165)
    expect(k.scale).toBeCloseTo(0.7, 10);
    expect(k.dx).toBeCloseTo(0.05, 10);
    expect(k.dy).toBeCloseTo(0.15, 10);
    const back = boxFromMesh(mesh, k);
    expect(back.x).toBeCloseTo(110, 8);
    expect(back.y).toBeCloseTo(130, 8);
    expect(back.width).toBeCloseTo(70, 8);
  });

  it('fuseEmbeddings averages and renormalises', () => {
    const fused = fuseEmbeddings([new Float32Array([1, 0]), new Float32Array([0, 1])]);
    expect(fused[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(fused[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });
});

describe('FaceTracker on the fixtures (cpu backend)', () => {
  let detector: FaceDetector;
  let landmarks: LandmarkModel;
  let embedder: Embedder;
  let pipeline: FacePipeline;
  let faceA: tf.Tensor3D;
  let faceB: tf.Tensor3D;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const [blazeface, facemesh] = await Promise.all([loadTestModel('blazeface'), loadTestModel('facemesh')]);
    detector = new FaceDetector(blazeface);
    landmarks = new LandmarkModel(facemesh);
    embedder = new Embedder(new FaceDescriptorNet(await loadDescriptorWeights()), EMBEDDERS.facedescriptor);
    pipeline = new FacePipeline(detector, embedder, landmarkStage(landmarks));
    faceA = await loadTestImage('e2e/fixtures/face-a.png');
    faceB = await loadTestImage('e2e/fixtures/face-b.png');
  }, 60_000);

  afterAll(() => {
    detector?.dispose();
    landmarks?.dispose();
    embedder?.dispose();
    faceA?.dispose();
    faceB?.dispose();
  });

  /** `frame` moved right by `dx` px (black comes in from the left), like a head drifting. */
  const shifted = (frame: tf.Tensor3D, dx: number) =>
    tf.tidy(() => {
      const [h, w] = frame.shape;
      return tf
        .pad(frame, [
          [0, 0],
          [dx, 0],
          [0, 0],
        ])
        .slice([0, 0, 0], [h, w, 3]) as tf.Tensor3D;
    });

  it('detects once, then follows the face on landmarks alone, re-detecting every N frames; one read-back per frame, no leak', async () => {
    const tracker = new FaceTracker(detector, landmarks, embedder, { detectEvery: 4, landmarkIntervalMs: 0 });
    const still = (await pipeline.analyse(faceA, 1))[0]!;
    const data = tf.Tensor.prototype.data;
    let reads = 0;
    tf.Tensor.prototype.data = function (this: tf.Tensor) {
      reads++;
      return data.call(this) as never;
    } as typeof data;
    const out: TrackedFrame[] = [];
    const readsPerFrame: number[] = [];
    const tensorsAfter: number[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        const frame = shifted(faceA, i * 3);
        reads = 0;
        try {
          out.push(await tracker.next(frame, i * 66));
        } finally {
          frame.dispose();
        }
        readsPerFrame.push(reads);
        tensorsAfter.push(tf.memory().numTensors);
      }
    } finally {
      tf.Tensor.prototype.data = data;
    }
    expect(readsPerFrame).toEqual(readsPerFrame.map(() => 1));
    expect(out.map((f) => f.work)).toEqual([
      'acquire',
      'landmarks',
      'landmarks',
      'landmarks',
      'landmarks+detect',
      'landmarks',
      'landmarks',
      'landmarks',
      'landmarks+detect',
      'landmarks',
    ]);
    expect(out[0]!.fresh).toBe(false);
    expect(out.slice(1).every((f) => f.fresh && f.face !== null)).toBe(true);
    // The tracked face moves with the frame: 3 px a frame, nine frames → 27 px.
    const nose = (f: FaceAnalysis) => f.shape!.points5[2]!;
    const moved = nose(out[9]!.face!)[0] - nose(out[1]!.face!)[0];
    expect(moved).toBeGreaterThan(24 - 3);
    expect(moved).toBeLessThan(24 + 3);
    // On the unshifted frame the tracked five points agree with the still pipeline's.
    const first = out[1]!.face!.shape!.points5;
    const stillPoints = still.shape!.points5;
    const eyeDistance = stillPoints[1]![0] - stillPoints[0]![0];
    for (let p = 0; p < 5; p++) {
      const d = Math.hypot(first[p]![0] - 3 - stillPoints[p]![0], first[p]![1] - stillPoints[p]![1]);
      expect(d).toBeLessThan(0.08 * eyeDistance);
    }
    // Kept crops are bounded: numTensors does not grow once `keep` frames are held.
    expect(tracker.keptFrames).toBe(3);
    expect(new Set(tensorsAfter.slice(3)).size).toBe(1);
    // The fused probe matches the still photo's embedding of the same person.
    const before = tf.memory().numTensors;
    const decision = (await tracker.decide())!;
    expect(tf.memory().numTensors).toBe(before);
    expect(decision.frames).toBeGreaterThanOrEqual(1);
    expect(decision.frames).toBeLessThanOrEqual(3);
    expect(cosineSimilarity(decision.embedding, still.embedding)).toBeGreaterThan(
      EMBEDDERS.facedescriptor.unlock.threshold,
    );
    tracker.dispose();
    expect(tf.memory().numTensors).toBe(before - 3);
  }, 120_000);

  it('loses the track on a frame without a face and finds another face afterwards', async () => {
    const tracker = new FaceTracker(detector, landmarks, embedder, { landmarkIntervalMs: 0 });
    const before = tf.memory().numTensors;
    const blank = tf.zeros<tf.Rank.R3>(faceA.shape);
    try {
      expect((await tracker.next(faceA, 0)).work).toBe('acquire');
      expect((await tracker.next(faceA, 66)).fresh).toBe(true);
      const lost = await tracker.next(blank, 133);
      expect(lost.face).toBeNull();
      expect(tracker.keptFrames).toBe(0);
      expect((await tracker.next(faceB, 200)).work).toBe('acquire');
      const b = await tracker.next(faceB, 266);
      expect(b.fresh).toBe(true);
      const still = (await pipeline.analyse(faceB, 1))[0]!;
      const decision = (await tracker.decide())!;
      expect(cosineSimilarity(decision.embedding, still.embedding)).toBeGreaterThan(0.95);
    } finally {
      blank.dispose();
      tracker.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('carries the last face over frames inside landmarkIntervalMs, without running anything', async () => {
    const tracker = new FaceTracker(detector, landmarks, embedder, { landmarkIntervalMs: 100 });
    try {
      await tracker.next(faceA, 0);
      const measured = await tracker.next(faceA, 10);
      const carried = await tracker.next(faceA, 60);
      const again = await tracker.next(faceA, 120);
      expect(measured.work).toBe('landmarks');
      expect(carried.work).toBe('carried');
      expect(carried.fresh).toBe(false);
      expect(carried.face).toBe(measured.face);
      expect(again.work).toBe('landmarks');
    } finally {
      tracker.dispose();
    }
  }, 120_000);

  it('measures every frame while the eyes close (the blinks of live-a.y4m), every other one otherwise', async () => {
    const tracker = new FaceTracker(detector, landmarks, embedder);
    const work: string[] = [];
    const eyes: (number | null)[] = [];
    try {
      // live-a.y4m: 15 fps, painted blinks at frames 20–23 (scripts/make-fixtures.mjs).
      for (let i = 12; i <= 27; i++) {
        const frame = y4mFrame('e2e/fixtures/live-a.y4m', i);
        try {
          const r = await tracker.next(frame, (i * 1000) / 15);
          work.push(r.work);
          eyes.push(r.fresh && r.face?.shape?.eyes ? r.face.shape.eyes.left : null);
        } finally {
          frame.dispose();
        }
      }
    } finally {
      tracker.dispose();
    }
    const at = (frame: number) => work[frame - 12];
    // Eyes open (frames 13–19): one frame in two is carried.
    expect(work.slice(1, 8).filter((w) => w === 'carried').length).toBeGreaterThanOrEqual(3);
    // In the blink, a measured closing frame is followed by a measured frame, not a carried one.
    const measuredInBlink = [20, 21, 22, 23].filter((f) => at(f) !== 'carried');
    expect(measuredInBlink.length).toBeGreaterThanOrEqual(3);
    const openLevel = Math.max(...eyes.slice(0, 8).map((e) => e ?? 0));
    const closed = Math.min(...eyes.slice(8, 12).map((e) => e ?? Infinity));
    expect(closed).toBeLessThan(0.7 * openLevel);
  }, 120_000);

  it('DEFAULT_MESH_TO_BOX is what the fixtures measure (BlazeFace box against the mesh bounds)', async () => {
    for (const frame of [faceA, faceB]) {
      const d = (await detector.detect(frame))[0]!;
      const [mesh] = await landmarks.estimate(frame, [d.box]);
      const k = calibrate(meshBounds(mesh!.points), d.box);
      expect(Math.abs(k.scale - DEFAULT_MESH_TO_BOX.scale)).toBeLessThan(0.08);
      expect(Math.abs(k.dx - DEFAULT_MESH_TO_BOX.dx)).toBeLessThan(0.05);
      expect(Math.abs(k.dy - DEFAULT_MESH_TO_BOX.dy)).toBeLessThan(0.05);
    }
  }, 60_000);
});

/** Frame `index` of a 640×480 4:2:0 .y4m (JPEG-range YCbCr) as an RGB tensor in 0..1. */
function y4mFrame(path: string, index: number, width = 640, height = 480): tf.Tensor3D {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(256);
    readSync(fd, head, 0, 256, 0);
    const headerLength = head.indexOf(10) + 1;
    const planes = width * height * 1.5;
    const bytes = Buffer.alloc(planes);
    readSync(fd, bytes, 0, planes, headerLength + index * (6 + planes) + 6);
    const rgb = new Float32Array(width * height * 3);
    const uOffset = width * height;
    const vOffset = uOffset + (width / 2) * (height / 2);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const Y = bytes[y * width + x]!;
        const c = (y >> 1) * (width / 2) + (x >> 1);
        const U = bytes[uOffset + c]! - 128;
        const V = bytes[vOffset + c]! - 128;
        const o = (y * width + x) * 3;
        rgb[o] = Math.min(255, Math.max(0, Y + 1.402 * V)) / 255;
        rgb[o + 1] = Math.min(255, Math.max(0, Y - 0.344136 * U - 0.714136 * V)) / 255;
        rgb[o + 2] = Math.min(255, Math.max(0, Y + 1.772 * U)) / 255;
      }
    }
    return tf.tensor3d(rgb, [height, width, 3]);
  } finally {
    closeSync(fd);
  }
}
