// Triplet loss (FaceNet): for an anchor A, a positive P of the same identity and a negative N of
// another, L = max(‖f(A) − f(P)‖² − ‖f(A) − f(N)‖² + α, 0). A triplet is active when L > 0.
//
// Batches hold P identities × K samples, and the triplets are mined inside the batch from the
// matrix of squared distances between the batch's embeddings. Mining is plain JavaScript over
// that matrix (n² numbers, read back once per step), so each miner can be checked by hand:
// - random: every ordered positive pair (a, p), a ≠ p, with one negative drawn uniformly.
// - semi-hard: every ordered positive pair (a, p) with the negative closest to the anchor among
//   those in the band d(a,p) < d(a,n) < d(a,p) + α. When the band is empty: the negative with the
//   largest d(a,n) <= d(a,p) (the mildest violator, which still teaches something without the
//   collapse that always taking the hardest invites early in training); when there is no such
//   negative either, every negative is beyond the margin and the closest one is kept, inactive,
//   so the share of active triplets stays a share of all positive pairs.
// - hardest (batch-hard): one triplet per anchor, with its farthest positive and closest negative.
// Ties go to the lowest index.
import * as tf from '@tensorflow/tfjs';
import { randomInt, sampleWithoutReplacement, type Random } from '../core/random';

export type MinerKind = 'random' | 'semi-hard' | 'hardest';

/** Indices into the batch: [anchor, positive, negative]. */
export type Triplet = readonly [anchor: number, positive: number, negative: number];

export interface MinedTriplets {
  triplets: Triplet[];
  /** semi-hard only: triplets whose negative is not semi-hard because the band was empty. */
  fallbacks: number;
}

/** Row-major n×n squared distances. */
export type DistanceMatrix = ArrayLike<number>;

function checkMatrix(distances: DistanceMatrix, labels: ArrayLike<number>): number {
  const n = labels.length;
  if (distances.length !== n * n) {
    throw new RangeError(`A distance matrix for ${n} samples has ${n * n} entries; got ${distances.length}.`);
  }
  return n;
}

/** Squared Euclidean distances between all rows of `vectors` (plain JS, for tests and small sets). */
export function squaredDistanceMatrix(vectors: readonly Float32Array[]): Float32Array {
  const n = vectors.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    const a = vectors[i] as Float32Array;
    for (let j = i + 1; j < n; j++) {
      const b = vectors[j] as Float32Array;
      let s = 0;
      for (let k = 0; k < a.length; k++) s += ((a[k] as number) - (b[k] as number)) ** 2;
      out[i * n + j] = s;
      out[j * n + i] = s;
    }
  }
  return out;
}

/** Squared Euclidean distances between all rows of x [n, d] → [n, n]; differentiable. */
export function pairwiseSquaredDistances(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const sq = tf.sum(tf.square(x), 1, true);
    const d = sq.add(sq.transpose()).sub(tf.matMul(x, x, false, true).mul(2));
    // Rounding makes some of ‖a‖² + ‖b‖² − 2a·b slightly negative.
    return tf.relu(d) as tf.Tensor2D;
  });
}

export function mineRandom(labels: ArrayLike<number>, random: Random): Triplet[] {
  const n = labels.length;
  const out: Triplet[] = [];
  for (let a = 0; a < n; a++) {
    const negatives: number[] = [];
    for (let j = 0; j < n; j++) if (labels[j] !== labels[a]) negatives.push(j);
    if (negatives.length === 0) continue;
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      out.push([a, p, negatives[randomInt(random, negatives.length)] as number]);
    }
  }
  return out;
}

export function mineSemiHard(distances: DistanceMatrix, labels: ArrayLike<number>, margin: number): MinedTriplets {
  const n = checkMatrix(distances, labels);
  const triplets: Triplet[] = [];
  let fallbacks = 0;
  for (let a = 0; a < n; a++) {
    for (let p = 0; p < n; p++) {
      if (p === a || labels[p] !== labels[a]) continue;
      const dap = distances[a * n + p] as number;
      let band = -1;
      let bandD = Infinity;
      let hard = -1;
      let hardD = -Infinity;
      let easy = -1;
      let easyD = Infinity;
      for (let j = 0; j < n; j++) {
        if (labels[j] === labels[a]) continue;
        const dan = distances[a * n + j] as number;
        if (dan > dap && dan < dap + margin) {
          if (dan < bandD) [band, bandD] = [j, dan];
        } else if (dan <= dap) {
          if (dan > hardD) [hard, hardD] = [j, dan];
        } else if (dan < easyD) {
          [easy, easyD] = [j, dan];
        }
      }
      const negative = band >= 0 ? band : hard >= 0 ? hard : easy;
      if (negative < 0) continue;
      if (band < 0) fallbacks++;
      triplets.push([a, p, negative]);
    }
  }
  return { triplets, fallbacks };
}

export function mineHardest(distances: DistanceMatrix, labels: ArrayLike<number>): Triplet[] {
  const n = checkMatrix(distances, labels);
  const out: Triplet[] = [];
  for (let a = 0; a < n; a++) {
    let p = -1;
    let pD = -Infinity;
    let q = -1;
    let qD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === a) continue;
      const d = distances[a * n + j] as number;
      if (labels[j] === labels[a]) {
        if (d > pD) [p, pD] = [j, d];
      } else if (d < qD) {
        [q, qD] = [j, d];
      }
    }
    if (p >= 0 && q >= 0) out.push([a, p, q]);
  }
  return out;
}

/** Runs the chosen miner; `distances` may be null for 'random', which does not look at them. */
export function mineTriplets(
  kind: MinerKind,
  distances: DistanceMatrix | null,
  labels: ArrayLike<number>,
  options: { margin: number; random: Random },
): MinedTriplets {
  if (kind === 'random') return { triplets: mineRandom(labels, options.random), fallbacks: 0 };
  if (!distances) throw new Error(`The ${kind} miner needs the batch's distance matrix.`);
  if (kind === 'semi-hard') return mineSemiHard(distances, labels, options.margin);
  return { triplets: mineHardest(distances, labels), fallbacks: 0 };
}

/**
 * Per-triplet losses max(d(a,p) − d(a,n) + α, 0) from embeddings [n, k] of a batch; differentiable.
 * The differences f(a) − f(p) are taken as one matMul with a signed selection matrix (+1 at a,
 * −1 at p) rather than by gathering rows: the gradient of a gather is a scatter-add, which on the
 * cpu backend costs a kernel launch per row, while a matMul's gradient is a matMul everywhere.
 */
export function tripletLosses(embeddings: tf.Tensor2D, triplets: readonly Triplet[], margin: number): tf.Tensor1D {
  const n = embeddings.shape[0];
  const t = triplets.length;
  const towardsPositive = new Float32Array(t * n);
  const towardsNegative = new Float32Array(t * n);
  triplets.forEach(([a, p, q], i) => {
    if (![a, p, q].every((x) => Number.isInteger(x) && x >= 0 && x < n)) {
      throw new RangeError(`Triplet ${i} (${a}, ${p}, ${q}) points outside the batch of ${n}.`);
    }
    towardsPositive[i * n + a] = 1;
    towardsPositive[i * n + p] = -1;
    towardsNegative[i * n + a] = 1;
    towardsNegative[i * n + q] = -1;
  });
  return tf.tidy(() => {
    const dap = tf.sum(tf.square(tf.matMul(tf.tensor2d(towardsPositive, [t, n]), embeddings)), 1);
    const dan = tf.sum(tf.square(tf.matMul(tf.tensor2d(towardsNegative, [t, n]), embeddings)), 1);
    return tf.relu(dap.sub(dan).add(margin)) as tf.Tensor1D;
  });
}

/** The same losses from a distance matrix, in plain JS. */
export function tripletLossesFromDistances(
  distances: DistanceMatrix,
  n: number,
  triplets: readonly Triplet[],
  margin: number,
): Float32Array {
  return Float32Array.from(triplets, ([a, p, q]) =>
    Math.max((distances[a * n + p] as number) - (distances[a * n + q] as number) + margin, 0),
  );
}

export interface TripletLossSummary {
  sum: number;
  mean: number;
  triplets: number;
  /** Share of triplets with a loss > 0; 0 when there are none. */
  activeFraction: number;
}

export function summariseTripletLosses(losses: ArrayLike<number>): TripletLossSummary {
  let sum = 0;
  let active = 0;
  for (let i = 0; i < losses.length; i++) {
    const l = losses[i] as number;
    sum += l;
    if (l > 0) active++;
  }
  const n = losses.length;
  return { sum, mean: n ? sum / n : 0, triplets: n, activeFraction: n ? active / n : 0 };
}

/**
 * A batch of `identities` (P) identities × `perIdentity` (K) samples. Only identities with at
 * least two samples can give positives; one with fewer than K samples gives all it has (no
 * sample twice: a duplicate is a zero-distance positive that teaches nothing).
 * `groups[i]` lists the sample indices of identity i; `labels` in the result are identity indices.
 */
export function identityBatch(
  groups: readonly (readonly number[])[],
  identities: number,
  perIdentity: number,
  random: Random,
): { indices: number[]; labels: number[] } {
  const eligible: number[] = [];
  groups.forEach((g, i) => {
    if (g.length >= 2) eligible.push(i);
  });
  if (eligible.length < 2) {
    throw new RangeError(
      `Triplets need at least two identities with two or more samples each; there are ${eligible.length}.`,
    );
  }
  const indices: number[] = [];
  const labels: number[] = [];
  for (const id of sampleWithoutReplacement(eligible, identities, random)) {
    for (const s of sampleWithoutReplacement(groups[id] as readonly number[], perIdentity, random)) {
      indices.push(s);
      labels.push(id);
    }
  }
  return { indices, labels };
}
