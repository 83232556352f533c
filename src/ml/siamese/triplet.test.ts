import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { gaussian, seededRandom } from '../core/random';
import {
  identityBatch,
  mineHardest,
  mineRandom,
  mineSemiHard,
  mineTriplets,
  pairwiseSquaredDistances,
  squaredDistanceMatrix,
  summariseTripletLosses,
  tripletLosses,
  tripletLossesFromDistances,
  type Triplet,
} from './triplet';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Points on a line as 2-D embeddings: squared distances are (x_i − x_j)², exact in float32. */
const onLine = (...xs: number[]) => xs.map((x) => Float32Array.of(x, 0));

describe('squared distance matrices', () => {
  it('agree between plain JS and tensors, and are (x_i − x_j)² on a line', async () => {
    const points = onLine(0, 1, 3, -2);
    const js = squaredDistanceMatrix(points);
    expect(Array.from(js)).toEqual([0, 1, 9, 4, 1, 0, 4, 9, 9, 4, 0, 25, 4, 9, 25, 0]);
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(
      points.flatMap((p) => Array.from(p)),
      [4, 2],
    );
    const d = pairwiseSquaredDistances(x);
    const values = await d.data();
    tf.dispose([x, d]);
    expect(tf.memory().numTensors).toBe(before);
    values.forEach((v, i) => expect(v).toBeCloseTo(js[i] as number, 5));
  });
});

describe('mineHardest', () => {
  // a0..a2 = 0, 1, 3 · b0, b1 = 1.5, 5 · c0, c1 = 2, 10  (indices 0..6)
  const labels = [0, 0, 0, 1, 1, 2, 2];
  const distances = squaredDistanceMatrix(onLine(0, 1, 3, 1.5, 5, 2, 10));

  it('pairs each anchor with its farthest positive and closest negative', () => {
    expect(mineHardest(distances, labels)).toEqual([
      [0, 2, 3], // a0: a2 at 9 is the farthest positive; b0 at 2.25 the closest negative
      [1, 2, 3], // a1: a2 at 4; b0 at 0.25
      [2, 0, 5], // a2: a0 at 9; c0 at 1
      [3, 4, 1], // b0: b1; a1 and c0 tie at 0.25 → the lower index, a1
      [4, 3, 2], // b1: b0; a2 at 4
      [5, 6, 3], // c0: c1; b0 at 0.25
      [6, 5, 4], // c1: c0; b1 at 25
    ]);
  });

  it('skips anchors without a positive and checks the matrix size', () => {
    const labelsWithSingle = [0, 0, 0, 1, 1, 2, 3];
    expect(mineHardest(distances, labelsWithSingle).map((t) => t[0])).toEqual([0, 1, 2, 3, 4]);
    expect(() => mineHardest(distances, [0, 1])).toThrow(/4 entries/);
  });
});

describe('mineSemiHard', () => {
  it('takes, per positive pair, the closest negative inside d(a,p) < d(a,n) < d(a,p) + α', () => {
    // a0, a1 = 0, 1 · b0, b1 = 1.2, −0.5 · c0, c1 = 3, 1.5; α = 3.
    const distances = squaredDistanceMatrix(onLine(0, 1, 1.2, -0.5, 3, 1.5));
    const mined = mineSemiHard(distances, [0, 0, 1, 1, 2, 2], 3);
    expect(mined.triplets).toEqual([
      [0, 1, 2], // d(a,p) = 1; band (1, 4) holds b0 1.44 and c1 2.25 → b0. b1 (0.25) is hard, c0 (9) easy.
      [1, 0, 3], // band (1, 4): only b1 (2.25); c0 at exactly 4 is outside (strict)
      [2, 3, 4], // d = 2.89; band (2.89, 5.89): c0 3.24 only
      [3, 2, 5], // band: c1 at 4; c0 at 12.25 is easy
      [4, 5, 2], // d = 2.25; band (2.25, 5.25): a1 4 and b0 3.24 → b0
      [5, 4, 3], // band: b1 at 4; a0 at exactly 2.25 = d(a,p) is hard, not semi-hard
    ]);
    expect(mined.fallbacks).toBe(0);
  });

  it('falls back to the mildest hard negative, then to the closest easy one', () => {
    // a0, a1 = 0, 2 · b0, b1 = 1, 0.5; α = 0.1.
    const distances = squaredDistanceMatrix(onLine(0, 2, 1, 0.5));
    const mined = mineSemiHard(distances, [0, 0, 1, 1], 0.1);
    expect(mined.triplets).toEqual([
      [0, 1, 2], // d = 4; both negatives hard (1, 0.25) → the larger, b0
      [1, 0, 3], // d = 4; b0 at 1, b1 at 2.25, both hard → b1
      [2, 3, 0], // d = 0.25; a0 and a1 both at 1 > 0.35: all easy → closest, tie → a0
      [3, 2, 0], // d = 0.25; a0 at exactly 0.25 is hard (<=), a1 at 2.25 easy → a0
    ]);
    expect(mined.fallbacks).toBe(4);
  });
});

describe('mineRandom', () => {
  it('gives every ordered positive pair one negative of another identity, the same for the same seed', () => {
    const labels = [0, 0, 1, 1, 1, 2];
    const a = mineRandom(labels, seededRandom(5));
    expect(a.map(([x, y]) => [x, y])).toEqual([
      [0, 1],
      [1, 0],
      [2, 3],
      [2, 4],
      [3, 2],
      [3, 4],
      [4, 2],
      [4, 3],
    ]);
    for (const [x, , n] of a) expect(labels[n]).not.toBe(labels[x]);
    expect(mineRandom(labels, seededRandom(5))).toEqual(a);
    // Over many draws every negative of anchor 0 turns up.
    const seen = new Set<number>();
    const random = seededRandom(9);
    for (let i = 0; i < 100; i++) for (const [x, , n] of mineRandom(labels, random)) if (x === 0) seen.add(n);
    expect([...seen].sort()).toEqual([2, 3, 4, 5]);
  });

  it('is what mineTriplets runs for "random", without a distance matrix', () => {
    expect(mineTriplets('random', null, [0, 0, 1], { margin: 0.2, random: seededRandom(1) }).triplets).toHaveLength(2);
    expect(() => mineTriplets('hardest', null, [0, 0, 1], { margin: 0.2, random: seededRandom(1) })).toThrow(
      /distance matrix/,
    );
  });
});

describe('tripletLosses', () => {
  const run = async (points: number[][], triplets: Triplet[], margin: number) => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d(points);
    const l = tripletLosses(x, triplets, margin);
    const v = Array.from(await l.data());
    tf.dispose([x, l]);
    expect(tf.memory().numTensors).toBe(before);
    return v;
  };

  it('is zero when the margin is met and d(a,p) − d(a,n) + α otherwise', async () => {
    // a = (1, 0); p = (0.6, 0.8): d(a,p) = 0.16 + 0.64 = 0.8; n = (0.8, 0.6): d(a,n) = 0.04 + 0.36 = 0.4;
    // far = (−1, 0): d(a,far) = 4.
    const points = [
      [1, 0],
      [0.6, 0.8],
      [0.8, 0.6],
      [-1, 0],
    ];
    const losses = await run(
      points,
      [
        [0, 1, 3], // 0.8 − 4 + 0.2 < 0 → 0
        [0, 1, 2], // 0.8 − 0.4 + 0.2 = 0.6
        [0, 2, 1], // 0.4 − 0.8 + 0.2 < 0 → 0
      ],
      0.2,
    );
    expect(losses[0]).toBe(0);
    expect(losses[1]).toBeCloseTo(0.6, 6);
    expect(losses[2]).toBe(0);
    expect(await run(points, [[0, 2, 1]], 0.5)).toEqual([expect.closeTo(0.1, 6)]);
    expect(summariseTripletLosses(losses)).toEqual({
      sum: expect.closeTo(0.6, 6),
      mean: expect.closeTo(0.2, 6),
      triplets: 3,
      activeFraction: 1 / 3,
    });
    expect(summariseTripletLosses([])).toEqual({ sum: 0, mean: 0, triplets: 0, activeFraction: 0 });
  });

  it('matches the plain-JS losses from the distance matrix, and its gradient is finite', async () => {
    const random = seededRandom(3);
    const vectors = Array.from({ length: 8 }, () => Float32Array.from({ length: 5 }, () => gaussian(random)));
    const labels = [0, 0, 1, 1, 2, 2, 3, 3];
    const distances = squaredDistanceMatrix(vectors);
    const { triplets } = mineSemiHard(distances, labels, 1);
    const expected = tripletLossesFromDistances(distances, 8, triplets, 1);
    const got = await run(
      vectors.map((v) => Array.from(v)),
      triplets,
      1,
    );
    got.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4));

    const x = tf.tensor2d(vectors.map((v) => Array.from(v)));
    const g = tf.grad((e) => tf.sum(tripletLosses(e as tf.Tensor2D, triplets, 1)))(x);
    expect((await g.data()).every(Number.isFinite)).toBe(true);
    tf.dispose([x, g]);
  });

  it('rejects a triplet that points outside the batch', () => {
    const x = tf.zeros([2, 2]) as tf.Tensor2D;
    expect(() => tripletLosses(x, [[0, 1, 2]], 0.2)).toThrow(/outside the batch/);
    x.dispose();
  });
});

describe('identityBatch', () => {
  const groups = [[0, 1, 2, 3, 4], [5, 6], [7], [8, 9, 10, 11], [12, 13, 14]];

  it('draws P identities × K samples, without repeats, from identities that can give positives', () => {
    const { indices, labels } = identityBatch(groups, 3, 3, seededRandom(2));
    expect(new Set(indices).size).toBe(indices.length);
    const ids = [...new Set(labels)];
    expect(ids).toHaveLength(3);
    expect(ids).not.toContain(2); // one sample: no positive
    for (const id of ids) {
      const mine = indices.filter((_, i) => labels[i] === id);
      expect(mine.length).toBe(Math.min(3, (groups[id] as number[]).length));
      for (const s of mine) expect(groups[id]).toContain(s);
    }
    expect(identityBatch(groups, 3, 3, seededRandom(2))).toEqual({ indices, labels });
  });

  it('caps P at the identities available and refuses data with fewer than two usable identities', () => {
    expect(new Set(identityBatch(groups, 10, 2, seededRandom(1)).labels).size).toBe(4);
    expect(() => identityBatch([[0, 1], [2]], 2, 2, seededRandom(1))).toThrow(/at least two identities/);
  });
});
