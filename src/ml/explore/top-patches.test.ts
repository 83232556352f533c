import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChannelActivity, TopPatchAccumulator, mostActiveChannels, topPatches, type PatchHit } from './top-patches';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded uniform numbers in [0, 1) (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A [1, H, W, 1] map from rows of numbers. */
function map(rows: number[][]): tf.Tensor4D {
  return tf.tensor2d(rows).expandDims(0).expandDims(3) as tf.Tensor4D;
}

/** Brute force: every unit of the channel, sorted, greedy suppression within each image. */
function reference(data: Float32Array, shape: number[], channel: number, k: number, radius: number): PatchHit[] {
  const [n = 0, h = 0, w = 0, c = 0] = shape;
  const all: PatchHit[] = [];
  for (let image = 0; image < n; image++) {
    for (let row = 0; row < h; row++) {
      for (let col = 0; col < w; col++) {
        all.push({ value: data[((image * h + row) * w + col) * c + channel] ?? 0, image, row, col });
      }
    }
  }
  all.sort((a, b) => b.value - a.value);
  const kept: PatchHit[] = [];
  for (const hit of all) {
    if (kept.length === k) break;
    const near = kept.some(
      (q) => q.image === hit.image && Math.abs(q.row - hit.row) <= radius && Math.abs(q.col - hit.col) <= radius,
    );
    if (!near) kept.push(hit);
  }
  return kept;
}

describe('topPatches', () => {
  it('without suppression is the plain top k of each channel', async () => {
    // Two 2×2 images, two channels: channel 1 is channel 0 negated.
    const x = tf.tidy(() => {
      const c0 = tf.tensor4d([1, 5, 3, 2, 8, 6, 4, 7], [2, 2, 2, 1]);
      return tf.concat([c0, c0.neg()], 3);
    });
    const start = tf.memory().numTensors;
    const result = await topPatches(x, { k: 3, radius: 0 });
    expect(result).toEqual([
      {
        channel: 0,
        hits: [
          { value: 8, image: 1, row: 0, col: 0 },
          { value: 7, image: 1, row: 1, col: 1 },
          { value: 6, image: 1, row: 0, col: 1 },
        ],
      },
      {
        channel: 1,
        hits: [
          { value: -1, image: 0, row: 0, col: 0 },
          { value: -2, image: 0, row: 1, col: 1 },
          { value: -3, image: 0, row: 1, col: 0 },
        ],
      },
    ]);
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('suppresses hits next to a better one in the same image', async () => {
    // Peaks on a background falling off from (0, 0), so no two units tie.
    const peaks = [
      [0, 0, 0, 0, 0],
      [0, 9, 8, 0, 0],
      [0, 6, 0, 0, 0],
      [0, 0, 0, 7, 0],
      [0, 0, 0, 0, 5],
    ];
    const x = map(peaks.map((row, r) => row.map((v, c) => v || -(r * 5 + c) / 100)));
    // Radius 1: 8 and 6 touch 9; 5 touches 7 diagonally; of the background, (0, 0) .. (0, 2)
    // touch the 9, so (0, 3) comes next.
    const [r1] = await topPatches(x, { k: 3, radius: 1 });
    expect(r1?.hits).toEqual([
      { value: 9, image: 0, row: 1, col: 1 },
      { value: 7, image: 0, row: 3, col: 3 },
      { value: expect.closeTo(-0.03, 6), image: 0, row: 0, col: 3 },
    ]);
    const [r0] = await topPatches(x, { k: 3, radius: 0 });
    expect(r0?.hits.map((h) => h.value)).toEqual([9, 8, 7]);
    // Radius 2 keeps the 9 and then only units at least 3 rows or columns away from it.
    const [r2] = await topPatches(x, { k: 2, radius: 2 });
    expect(r2?.hits).toEqual([
      { value: 9, image: 0, row: 1, col: 1 },
      { value: 5, image: 0, row: 4, col: 4 },
    ]);
    x.dispose();
  });

  it('keeps one hit per image with an infinite radius, and the same hits from another image', async () => {
    const x = tf.concat([
      map([
        [1, 2],
        [3, 9],
      ]),
      map([
        [8, 0],
        [0, 0],
      ]),
      map([
        [4, 7],
        [6, 5],
      ]),
    ]) as tf.Tensor4D;
    const [one] = await topPatches(x, { k: 2, radius: Infinity });
    expect(one?.hits).toEqual([
      { value: 9, image: 0, row: 1, col: 1 },
      { value: 8, image: 1, row: 0, col: 0 },
    ]);
    const [all] = await topPatches(x, { k: 5, radius: Infinity });
    expect(all?.hits.map((h) => [h.value, h.image])).toEqual([
      [9, 0],
      [8, 1],
      [7, 2],
    ]);
    x.dispose();
  });

  it('matches brute force, and streaming batches match one shot', async () => {
    const random = rng(7);
    const shape = [12, 6, 5, 4];
    const size = shape.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: size }, () => random() * 10 - 2);
    const x = tf.tensor4d(data, shape as [number, number, number, number]);
    const start = tf.memory().numTensors;
    for (const radius of [0, 1, 2, 5, Infinity]) {
      const k = 9;
      const oneShot = await topPatches(x, { k, radius });
      for (const [c, entry] of oneShot.entries()) {
        expect(entry.channel).toBe(c);
        const expected = reference(data, shape, c, k, radius).map((h) => ({ ...h, value: expect.closeTo(h.value, 5) }));
        expect(entry.hits).toEqual(expected);
      }
      const acc = new TopPatchAccumulator({ k, radius });
      for (const [from, count] of [
        [0, 5],
        [5, 4],
        [9, 3],
      ] as const) {
        const batch = x.slice([from, 0, 0, 0], [count, -1, -1, -1]);
        await acc.add(batch);
        batch.dispose();
      }
      expect(acc.imagesSeen).toBe(12);
      expect(acc.result()).toEqual(oneShot);
    }
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('ranks only the channels asked for, in that order', async () => {
    const x = tf.tidy(() => tf.stack([tf.fill([1, 3, 3], 1), tf.fill([1, 3, 3], 2), tf.fill([1, 3, 3], 3)], 3));
    const result = await topPatches(x as tf.Tensor4D, { k: 1, channels: [2, 0] });
    expect(result.map((r) => [r.channel, r.hits[0]?.value])).toEqual([
      [2, 3],
      [0, 1],
    ]);
    await expect(topPatches(x as tf.Tensor4D, { channels: [3] })).rejects.toThrow(RangeError);
    const acc = new TopPatchAccumulator();
    await acc.add(x as tf.Tensor4D);
    const other = tf.zeros([1, 3, 3, 2]) as tf.Tensor4D;
    await expect(acc.add(other)).rejects.toThrow(/channels/);
    other.dispose();
    x.dispose();
    expect(() => new TopPatchAccumulator({ k: 0 })).toThrow(RangeError);
  });
});

describe('channel activity', () => {
  // 1×4×4, three channels: constant 1; a single 10 among zeros; constant 0.5.
  function activations(): tf.Tensor4D {
    return tf.tidy(() => {
      const spike = tf.buffer([1, 4, 4, 1]);
      spike.set(10, 0, 2, 1, 0);
      return tf.concat([tf.ones([1, 4, 4, 1]), spike.toTensor(), tf.fill([1, 4, 4, 1], 0.5)], 3) as tf.Tensor4D;
    });
  }

  it('ranks channels by mean or by max', async () => {
    const x = activations();
    const start = tf.memory().numTensors;
    // Means 1, 10/16, 0.5; maxima 1, 10, 0.5.
    expect(await mostActiveChannels(x, 3)).toEqual([0, 1, 2]);
    expect(await mostActiveChannels(x, 2, 'max')).toEqual([1, 0]);
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('weights the mean by units over batches of different sizes', async () => {
    const activity = new ChannelActivity();
    const a = activations();
    const b = tf.fill([2, 2, 2, 3], 3) as tf.Tensor4D;
    await activity.add(a);
    await activity.add(b);
    // 16 units from the first batch, 8 from the second.
    const values = activity.values('mean');
    expect(values[0]).toBeCloseTo((16 + 24) / 24, 6);
    expect(values[1]).toBeCloseTo((10 + 24) / 24, 6);
    expect(activity.values('max')).toEqual([3, 10, 3]);
    expect(activity.top(1, 'max')).toEqual([1]);
    a.dispose();
    b.dispose();
  });
});
