import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseMotion, solveSymmetric, type MotionAnalysis, type MotionOptions } from './motion';
import { renderClip, texture, type RenderOptions, type Warp } from './testing';

const SIZE = 48;
const C = (SIZE - 1) / 2;
const SURFACE = texture(7, SIZE);
const clip = (warp: Warp, options: RenderOptions = {}) => renderClip(SURFACE, SIZE, 8, warp, options);

async function analyse(warp: Warp, options: Parameters<typeof clip>[1] = {}, motion: Partial<MotionOptions> = {}) {
  const c = clip(warp, options);
  try {
    return await analyseMotion(c, motion);
  } finally {
    c.dispose();
  }
}

const shift =
  (dx: number, dy: number): Warp =>
  (x, y, t) => [x - dx * t, y - dy * t];
const zoom =
  (rate: number): Warp =>
  (x, y, t) => [C + (x - C) / (1 + rate * t), C + (y - C) / (1 + rate * t)];
const rotate =
  (degPerFrame: number): Warp =>
  (x, y, t) => {
    const a = (-degPerFrame * t * Math.PI) / 180;
    return [C + Math.cos(a) * (x - C) - Math.sin(a) * (y - C), C + Math.sin(a) * (x - C) + Math.cos(a) * (y - C)];
  };
/** A picture tilting about its vertical axis: perspective makes one side grow, the other shrink. */
const tilt =
  (rate: number): Warp =>
  (x, y, t) => {
    const w = 1 + rate * t * (x - C);
    return [C + (x - C) / w, C + (y - C) / w];
  };
const still: Warp = (x, y) => [x, y];

/** An "eye" (14×10 px at (16, 18)) closing: its content squashed vertically towards its midline. */
const eyeClosing =
  (then: Warp = still): Warp =>
  (x, y, t) => {
    const [u, v] = then(x, y, t);
    const inEye = Math.abs(u - 16) < 7 && Math.abs(v - 18) < 5;
    return inEye ? [u, 18 + (v - 18) / Math.max(0.1, 1 - 0.12 * t)] : [u, v];
  };

/** A round patch (radius 8 px) moving against the rest of the face. */
const patchAgainst: Warp = (x, y, t) => ((x - 16) ** 2 + (y - 18) ** 2 < 64 ? [x + 0.6 * t, y] : [x - 0.6 * t, y]);

function expectRigid(r: MotionAnalysis) {
  expect(r.verdict).toBe('rigid');
  expect(r.nonRigidity).toBeLessThan(0.05);
}

describe('solveSymmetric', () => {
  it('solves a small positive-definite system', () => {
    // G = [[4,2,0],[2,5,1],[0,1,3]], p = [1, −1, 2] → h = G·p = [2, −1, 5].
    const p = solveSymmetric([4, 2, 0, 2, 5, 1, 0, 1, 3], [2, -1, 5], 3);
    expect(p[0]).toBeCloseTo(1, 6);
    expect(p[1]).toBeCloseTo(-1, 6);
    expect(p[2]).toBeCloseTo(2, 6);
  });
});

describe('analyseMotion', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('calls a perfectly still clip still, with no temporal energy', async () => {
    const r = await analyse(still);
    expect(r.verdict).toBe('still');
    expect(r.energy).toBeLessThan(1e-9);
    expect(r.frames).toHaveLength(6);
  });

  it('calls a still clip with sensor noise still', async () => {
    const r = await analyse(still, { noise: 0.01 });
    expect(r.verdict).toBe('still');
    // Noise is energy no motion explains: most of it stays unexplained, but it is small.
    expect(r.nonRigidity).toBeGreaterThan(0.5);
  });

  it('finds a sub-pixel rigid shift rigid, and measures its speed', async () => {
    const r = await analyse(shift(0.3, 0.2));
    expectRigid(r);
    expect(r.speed).toBeCloseTo(Math.hypot(0.3, 0.2), 1);
  });

  it('finds multi-pixel rigid shifts rigid (1.1 and 2.2 px per frame)', async () => {
    const one = await analyse(shift(1, 0.5));
    expectRigid(one);
    expect(one.speed).toBeCloseTo(Math.hypot(1, 0.5), 1);
    const two = await analyse(shift(2, 1));
    expectRigid(two);
    // Beyond a pixel or two the linearised fit underestimates the speed a little.
    expect(two.speed).toBeGreaterThan(1.8);
  });

  it('finds zoom, in-plane rotation and a perspective tilt rigid', async () => {
    expectRigid(await analyse(zoom(0.02)));
    expectRigid(await analyse(rotate(1.5)));
    expectRigid(await analyse(tilt(0.004)));
  });

  it('needs the planar model for a tilt: the affine one leaves its perspective unexplained', async () => {
    const planar = await analyse(tilt(0.004));
    const affine = await analyse(tilt(0.004), {}, { model: 'affine' });
    expect(affine.nonRigidity).toBeGreaterThan(0.2);
    expect(planar.nonRigidity).toBeLessThan(affine.nonRigidity / 10);
  });

  it('stays rigid with sensor noise on a moving picture', async () => {
    expect((await analyse(shift(0.5, 0), { noise: 0.01 })).verdict).toBe('rigid');
    expect((await analyse(rotate(1.5), { noise: 0.01 })).verdict).toBe('rigid');
  });

  it('does not call an exposure change non-rigid', async () => {
    const r = await analyse(still, { gain: 0.02 });
    expect(r.verdict).not.toBe('non-rigid');
    expect(r.nonRigidity).toBeLessThan(0.05);
  });

  it('finds a region moving against the rest non-rigid', async () => {
    const r = await analyse(patchAgainst);
    expect(r.verdict).toBe('non-rigid');
    expect(r.nonRigidity).toBeGreaterThan(0.4);
  });

  it('finds an eye closing non-rigid, on a still face and on a moving one', async () => {
    const alone = await analyse(eyeClosing());
    expect(alone.verdict).toBe('non-rigid');
    expect(alone.nonRigidity).toBeGreaterThan(0.6);
    const moving = await analyse(eyeClosing(shift(0.4, 0.2)), { noise: 0.005 });
    expect(moving.verdict).toBe('non-rigid');
  });

  it('refuses clips too short or too small', async () => {
    const short = tf.zeros([2, 48, 48]) as tf.Tensor3D;
    const small = tf.zeros([8, 8, 8]) as tf.Tensor3D;
    await expect(analyseMotion(short)).rejects.toThrow(RangeError);
    await expect(analyseMotion(small)).rejects.toThrow(RangeError);
    tf.dispose([short, small]);
  });

  it('leaves no tensors behind', async () => {
    const c = clip(eyeClosing());
    const before = tf.memory().numTensors;
    await analyseMotion(c);
    expect(tf.memory().numTensors).toBe(before);
    c.dispose();
  });
});
