// Evaluation of a face embedding model on a labelled set: verification (ROC, EER, TAR at a
// fixed FAR) over all unordered pairs, and leave-one-out rank-1 identification. Pure
// TypeScript over Float32Arrays, so scripts/ and tests run it in Node without tfjs.
//
// Rules, the same in every function here:
// - A pair matches when score >= threshold. FAR(t) is the share of impostor pairs with score
//   >= t, FRR(t) the share of genuine pairs with score < t, TAR(t) = 1 - FRR(t).
// - The operating points are the distinct scores (genuine and impostor together) used as
//   thresholds, plus one threshold just above the highest score where nothing matches. Pairs
//   with equal scores therefore always switch together: there is no point that accepts one of
//   two tied pairs and rejects the other.
// - EER: FAR - FRR falls from 1 (lowest score: everything matches) to -1 (nothing matches).
//   Between the last operating point with FAR > FRR and the first with FAR <= FRR we
//   interpolate linearly, which is exactly the error of a classifier that picks one of the two
//   thresholds at random; the threshold is interpolated with the same weight. When a point has
//   FAR = FRR exactly, that point and its threshold are the answer.
// - TAR at a target FAR: no interpolation. The threshold is the lowest operating point whose
//   measured FAR is <= the target (the most permissive threshold that keeps the target), and
//   TAR is measured there. With I impostor pairs FAR moves in steps of 1/I, so a target below
//   1/I means "no impostor accepted"; evaluateEmbeddings reports that step as far_resolution.
// - The work is one sort of each score list and linear sweeps: O(P log P) for P pairs.

import { seededRandom } from '../core/random';

export interface LabelledEmbedding {
  label: string;
  /** L2-normalised; pair scores are plain dot products. */
  embedding: Float32Array;
}

export interface RocPoint {
  threshold: number;
  far: number;
  tar: number;
}

export interface ScoreSummary {
  min: number;
  mean: number;
  max: number;
}

export interface FaceEvaluation {
  identities: number;
  samples: number;
  genuine_pairs: number;
  impostor_pairs: number;
  /** Equal error rate, 0..1, interpolated where FAR and FRR cross. */
  eer: number;
  threshold_at_eer: number;
  /** TAR at the lowest threshold whose measured FAR <= 1e-3 (no interpolation). */
  tar_at_far_1e3: number;
  threshold_at_far_1e3: number;
  /** 1 / impostor_pairs: the smallest non-zero FAR this set can measure. */
  far_resolution: number;
  /** Leave-one-out closed-set identification accuracy. */
  rank1: number;
  rank1_probes: number;
  /** From (far=1, tar=1) at the lowest score to (far=0, tar=0), at most 200 points. */
  roc: RocPoint[];
  genuine_scores_summary: ScoreSummary;
  impostor_scores_summary: ScoreSummary;
}

const NORM_TOLERANCE = 1e-3;
const DEFAULT_ROC_POINTS = 200;

// ---------------------------------------------------------------------------------------------
// Pair scores

interface PairScan {
  genuine: Float32Array;
  impostor: Float32Array;
  /** Per sample: best score against another sample of its label, -Infinity if none. */
  bestGenuine: Float64Array;
  /** Per sample: best score against a sample of another label, -Infinity if none. */
  bestImpostor: Float64Array;
}

function checkSamples(samples: LabelledEmbedding[]): void {
  const first = samples[0];
  if (!first) return;
  const dim = first.embedding.length;
  samples.forEach((s, i) => {
    if (s.embedding.length !== dim) {
      throw new RangeError(
        `Sample ${i} ("${s.label}") has an embedding of length ${s.embedding.length}, not ${dim}; were all made by one model?`,
      );
    }
    let sq = 0;
    for (let k = 0; k < dim; k++) sq += (s.embedding[k] as number) ** 2;
    const norm = Math.sqrt(sq);
    if (!(Math.abs(norm - 1) <= NORM_TOLERANCE)) {
      throw new RangeError(
        `Sample ${i} ("${s.label}") has an embedding of length ${norm}; L2-normalise embeddings before evaluating.`,
      );
    }
  });
}

function scanPairs(samples: LabelledEmbedding[]): PairScan {
  checkSamples(samples);
  const n = samples.length;
  const perLabel = new Map<string, number>();
  for (const s of samples) perLabel.set(s.label, (perLabel.get(s.label) ?? 0) + 1);
  let genuineCount = 0;
  for (const c of perLabel.values()) genuineCount += (c * (c - 1)) / 2;
  const genuine = new Float32Array(genuineCount);
  const impostor = new Float32Array((n * (n - 1)) / 2 - genuineCount);
  const bestGenuine = new Float64Array(n).fill(-Infinity);
  const bestImpostor = new Float64Array(n).fill(-Infinity);

  let g = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = samples[i] as LabelledEmbedding;
    const ea = a.embedding;
    const dim = ea.length;
    for (let j = i + 1; j < n; j++) {
      const b = samples[j] as LabelledEmbedding;
      const eb = b.embedding;
      let s = 0;
      for (let k = 0; k < dim; k++) s += (ea[k] as number) * (eb[k] as number);
      // Scores are stored as float32; comparing the stored value keeps rank-1 and the
      // verification sweep consistent about ties.
      const score = Math.fround(s);
      if (a.label === b.label) {
        genuine[g++] = score;
        if (score > (bestGenuine[i] as number)) bestGenuine[i] = score;
        if (score > (bestGenuine[j] as number)) bestGenuine[j] = score;
      } else {
        impostor[m++] = score;
        if (score > (bestImpostor[i] as number)) bestImpostor[i] = score;
        if (score > (bestImpostor[j] as number)) bestImpostor[j] = score;
      }
    }
  }
  return { genuine, impostor, bestGenuine, bestImpostor };
}

/** Scores of all unordered pairs (i < j), split by whether the two labels agree. */
export function pairScores(samples: LabelledEmbedding[]): { genuine: Float32Array; impostor: Float32Array } {
  const { genuine, impostor } = scanPairs(samples);
  return { genuine, impostor };
}

// ---------------------------------------------------------------------------------------------
// Operating points

interface OperatingPoints {
  /** Ascending thresholds: the distinct scores, then one just above the highest. */
  threshold: Float64Array;
  /** Genuine pairs with score >= threshold[k]. */
  genuineAccepted: Float64Array;
  /** Impostor pairs with score >= threshold[k]. */
  impostorAccepted: Float64Array;
  count: number;
  genuineTotal: number;
  impostorTotal: number;
}

/** The smallest double greater than a finite x. */
function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const f = new Float64Array([x]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] = (bits[0] as bigint) + (x > 0 ? 1n : -1n);
  return f[0] as number;
}

function sortedScores(scores: Float32Array, what: string): Float32Array {
  const sorted = Float32Array.from(scores).sort();
  const last = sorted[sorted.length - 1];
  // sort() puts NaN last, so checking the ends covers every element.
  if (!Number.isFinite(sorted[0] as number) || !Number.isFinite(last as number)) {
    throw new RangeError(`The ${what} scores contain a value that is not a finite number.`);
  }
  return sorted;
}

function requirePairs(genuine: Float32Array, impostor: Float32Array): void {
  if (genuine.length === 0) {
    throw new Error('No genuine pairs: each identity needs at least two images to form genuine pairs.');
  }
  if (impostor.length === 0) {
    throw new Error('No impostor pairs: the set needs at least two identities to form impostor pairs.');
  }
}

function operatingPoints(genuine: Float32Array, impostor: Float32Array): OperatingPoints {
  requirePairs(genuine, impostor);
  const gen = sortedScores(genuine, 'genuine');
  const imp = sortedScores(impostor, 'impostor');
  const G = gen.length;
  const I = imp.length;
  const cap = G + I + 1;
  const threshold = new Float64Array(cap);
  const genuineAccepted = new Float64Array(cap);
  const impostorAccepted = new Float64Array(cap);

  let gi = 0; // genuine scores below the current threshold
  let ii = 0;
  let k = 0;
  while (gi < G || ii < I) {
    const v = Math.min(gi < G ? (gen[gi] as number) : Infinity, ii < I ? (imp[ii] as number) : Infinity);
    threshold[k] = v;
    genuineAccepted[k] = G - gi;
    impostorAccepted[k] = I - ii;
    k++;
    while (gi < G && gen[gi] === v) gi++;
    while (ii < I && imp[ii] === v) ii++;
  }
  threshold[k] = nextUp(Math.max(gen[G - 1] as number, imp[I - 1] as number));
  genuineAccepted[k] = 0;
  impostorAccepted[k] = 0;
  k++;
  return { threshold, genuineAccepted, impostorAccepted, count: k, genuineTotal: G, impostorTotal: I };
}

function eerOf(op: OperatingPoints): { eer: number; threshold: number } {
  const G = op.genuineTotal;
  const I = op.impostorTotal;
  const far = (k: number) => (op.impostorAccepted[k] as number) / I;
  const frr = (k: number) => (G - (op.genuineAccepted[k] as number)) / G;
  // Point 0 has FAR 1, FRR 0 and the last has FAR 0, FRR 1, so the crossing lies in 1..count-1.
  // Sign of FAR - FRR by cross-multiplying the integer counts, so equal rationals compare equal.
  let k = 1;
  while (k < op.count - 1 && (op.impostorAccepted[k] as number) * G > (G - (op.genuineAccepted[k] as number)) * I) {
    k++;
  }
  const dBefore = far(k - 1) - frr(k - 1);
  const dAt = far(k) - frr(k);
  const alpha = dBefore / (dBefore - dAt);
  const t0 = op.threshold[k - 1] as number;
  const t1 = op.threshold[k] as number;
  return {
    eer: far(k - 1) + alpha * (far(k) - far(k - 1)),
    threshold: alpha === 1 ? t1 : t0 + alpha * (t1 - t0),
  };
}

function tarAtFarOf(op: OperatingPoints, targetFar: number): { tar: number; threshold: number } {
  if (!(targetFar >= 0 && targetFar <= 1)) {
    throw new RangeError(`The target FAR must lie in [0, 1]; got ${targetFar}.`);
  }
  // FAR falls as the threshold rises: binary search for the first point with FAR <= target.
  // The last point (nothing matches) always qualifies.
  let lo = 0;
  let hi = op.count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((op.impostorAccepted[mid] as number) / op.impostorTotal <= targetFar) hi = mid;
    else lo = mid + 1;
  }
  return { tar: (op.genuineAccepted[lo] as number) / op.genuineTotal, threshold: op.threshold[lo] as number };
}

function rocOf(op: OperatingPoints, maxPoints: number): RocPoint[] {
  if (!Number.isInteger(maxPoints) || maxPoints < 2) {
    throw new RangeError(`A ROC curve needs at least 2 points; got maxPoints = ${maxPoints}.`);
  }
  const n = op.count;
  const point = (k: number): RocPoint => ({
    threshold: op.threshold[k] as number,
    far: (op.impostorAccepted[k] as number) / op.impostorTotal,
    tar: (op.genuineAccepted[k] as number) / op.genuineTotal,
  });
  if (n <= maxPoints) return Array.from({ length: n }, (_, k) => point(k));

  // Keep points evenly spaced along the curve, measuring distance as |Δtar| + |Δfar| +
  // |Δ log-FAR| (log scaled to [0, 1] over the measurable range), so that both the
  // linear-FAR and the low-FAR (log axis) parts of the curve keep their shape.
  const I = op.impostorTotal;
  const logSpan = Math.log10(I);
  const logFar = (far: number) => (I > 1 ? Math.log10(Math.max(far, 1 / I)) / logSpan + 1 : far);
  const along = new Float64Array(n);
  let prevFar = 1;
  let prevTar = 1;
  let prevLog = logFar(1);
  for (let k = 1; k < n; k++) {
    const far = (op.impostorAccepted[k] as number) / I;
    const tar = (op.genuineAccepted[k] as number) / op.genuineTotal;
    const log = logFar(far);
    along[k] = (along[k - 1] as number) + Math.abs(tar - prevTar) + Math.abs(far - prevFar) + Math.abs(log - prevLog);
    prevFar = far;
    prevTar = tar;
    prevLog = log;
  }
  const step = (along[n - 1] as number) / (maxPoints - 1);
  const kept: RocPoint[] = [point(0)];
  // Targets j·step for j = 1..maxPoints-2; each kept point uses up at least one, so with both
  // ends the curve has at most maxPoints points.
  let j = 1;
  for (let k = 1; k < n - 1 && j <= maxPoints - 2; k++) {
    const a = along[k] as number;
    if (a >= j * step) {
      kept.push(point(k));
      while (j <= maxPoints - 2 && j * step <= a) j++;
    }
  }
  kept.push(point(n - 1));
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Public metrics

/** ROC over every distinct threshold, from (far=1, tar=1) to (far=0, tar=0), thinned to `maxPoints`. */
export function rocCurve(genuine: Float32Array, impostor: Float32Array, maxPoints = DEFAULT_ROC_POINTS): RocPoint[] {
  return rocOf(operatingPoints(genuine, impostor), maxPoints);
}

/** Equal error rate, interpolated linearly between the two operating points where FAR and FRR cross. */
export function equalErrorRate(genuine: Float32Array, impostor: Float32Array): { eer: number; threshold: number } {
  return eerOf(operatingPoints(genuine, impostor));
}

/** TAR at the lowest threshold whose measured FAR is <= `far` (no interpolation). */
export function tarAtFar(
  genuine: Float32Array,
  impostor: Float32Array,
  far: number,
): { tar: number; threshold: number } {
  return tarAtFarOf(operatingPoints(genuine, impostor), far);
}

/**
 * From the measured impostor score distribution: probability that a probe of an unknown person
 * falsely matches at least one of N gallery identities at `threshold` = 1 − (1 − FAR(threshold))^N.
 * This treats the N comparisons as independent, and one comparison per identity.
 */
export function falseMatchRateForGallerySize(impostor: Float32Array, threshold: number, n: number): number {
  if (impostor.length === 0) {
    throw new Error('No impostor scores: the false match rate needs at least one impostor pair.');
  }
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new RangeError(`The gallery size must be a finite number >= 0; got ${n}.`);
  }
  if (n === 0) return 0;
  let accepted = 0;
  for (let i = 0; i < impostor.length; i++) if ((impostor[i] as number) >= threshold) accepted++;
  const far = accepted / impostor.length;
  if (far === 1) return 1;
  // 1 - (1 - far)^n without losing small FARs to rounding.
  return -Math.expm1(n * Math.log1p(-far));
}

function summarise(scores: Float32Array): ScoreSummary {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (s < min) min = s;
    if (s > max) max = s;
    sum += s;
  }
  return { min, mean: sum / scores.length, max };
}

/**
 * Verification and identification metrics of an embedding model on a labelled set.
 *
 * Rank-1 is leave-one-out closed-set identification: every sample whose label has at least one
 * other sample is a probe against all other samples, and it is correct when its best same-label
 * score is strictly higher than its best other-label score (a tie counts as a miss).
 */
export function evaluateEmbeddings(samples: LabelledEmbedding[]): FaceEvaluation {
  const scan = scanPairs(samples);
  const { genuine, impostor } = scan;
  const identities = new Set(samples.map((s) => s.label)).size;
  if (genuine.length === 0) {
    throw new Error(
      `No genuine pairs: each identity needs at least two images to form genuine pairs (got ${samples.length} samples of ${identities} identities).`,
    );
  }
  if (impostor.length === 0) {
    throw new Error(
      `No impostor pairs: the set needs at least two identities to form impostor pairs (got ${identities}).`,
    );
  }
  const op = operatingPoints(genuine, impostor);
  const { eer, threshold: thresholdAtEer } = eerOf(op);
  const atFar = tarAtFarOf(op, 1e-3);

  let probes = 0;
  let correct = 0;
  for (let i = 0; i < samples.length; i++) {
    const bestGenuine = scan.bestGenuine[i] as number;
    if (bestGenuine === -Infinity) continue;
    probes++;
    if (bestGenuine > (scan.bestImpostor[i] as number)) correct++;
  }

  return {
    identities,
    samples: samples.length,
    genuine_pairs: genuine.length,
    impostor_pairs: impostor.length,
    eer,
    threshold_at_eer: thresholdAtEer,
    tar_at_far_1e3: atFar.tar,
    threshold_at_far_1e3: atFar.threshold,
    far_resolution: 1 / impostor.length,
    rank1: correct / probes,
    rank1_probes: probes,
    roc: rocOf(op, DEFAULT_ROC_POINTS),
    genuine_scores_summary: summarise(genuine),
    impostor_scores_summary: summarise(impostor),
  };
}

// ---------------------------------------------------------------------------------------------
// Verification versus identification
//
// A threshold that rarely lets one impostor through in 1:1 verification lets many through in
// 1:N identification, because an unknown probe is compared with every gallery identity and one
// false match anywhere is enough. The functions below give both sides of that: the prediction
// from the impostor score distribution, 1 − (1 − FMR₁)^N, and the rate measured on the labelled
// set by searching galleries built from its identities.

/** Share of impostor scores that match at `threshold` (score >= threshold): FMR₁, the 1:1 false match rate. */
export function falseMatchRateAt(impostor: Float32Array, threshold: number): number {
  if (impostor.length === 0) {
    throw new Error('No impostor scores: the false match rate needs at least one impostor pair.');
  }
  let accepted = 0;
  for (let i = 0; i < impostor.length; i++) if ((impostor[i] as number) >= threshold) accepted++;
  return accepted / impostor.length;
}

/**
 * Predicted open-set false match rate of a gallery of `n` identities, 1 − (1 − fmr1)^n, for a
 * probe whose identity is not enrolled; `n` may be fractional (points of a curve).
 */
export function predictedFalseMatchRate(fmr1: number, n: number): number {
  if (!(fmr1 >= 0 && fmr1 <= 1)) throw new RangeError(`FMR₁ must lie in [0, 1]; got ${fmr1}.`);
  if (!(n >= 0) || !Number.isFinite(n)) {
    throw new RangeError(`The gallery size must be a finite number >= 0; got ${n}.`);
  }
  if (n === 0) return 0;
  if (fmr1 === 1) return 1;
  // expm1/log1p keep FMR₁ = 1e-6 from rounding to 0.
  return -Math.expm1(n * Math.log1p(-fmr1));
}

/**
 * The gallery size at which the predicted open-set false match rate reaches `target`:
 * log(1 − target) / log(1 − fmr1), a real number; Infinity when fmr1 is 0.
 */
export function gallerySizeAtFalseMatchRate(fmr1: number, target: number): number {
  if (!(fmr1 >= 0 && fmr1 <= 1)) throw new RangeError(`FMR₁ must lie in [0, 1]; got ${fmr1}.`);
  if (!(target > 0 && target < 1)) throw new RangeError(`The target rate must lie in (0, 1); got ${target}.`);
  if (fmr1 === 0) return Infinity;
  if (fmr1 === 1) return 0;
  return Math.log1p(-target) / Math.log1p(-fmr1);
}

/** Gallery sizes 1, 2, 4, … (powers of two below `max`), then `max` itself; empty when max < 1. */
export function gallerySizes(max: number): number[] {
  const sizes: number[] = [];
  for (let n = 1; n < max; n *= 2) sizes.push(n);
  if (max >= 1) sizes.push(Math.floor(max));
  return sizes;
}

/**
 * Threshold-free outcome of the 1:N searches behind `openSetRates`, kept so that a threshold
 * slider only recounts. One trial is one probe sample in one draw.
 */
export interface OpenSetTrials {
  /** Ascending numbers of gallery identities that are not the probe's. */
  sizes: number[];
  draws: number;
  trials: number;
  /** [trial × sizes.length]: the probe's best score over the first sizes[s] non-mated identities. */
  bestNonMated: Float32Array;
  /** Per trial: score against the probe's own identity's template; NaN when it has no other sample. */
  mated: Float32Array;
}

export interface OpenSetPoint {
  /** Identities in the gallery that are not the probe's. */
  n: number;
  /** Probes searched while their identity was not enrolled (every sample, every draw). */
  impostor_probes: number;
  /** Share of those probes whose best gallery score is >= threshold: the 1:N false match rate. */
  false_match_rate: number;
  /** Probes searched with their own identity enrolled next to the n others. */
  genuine_probes: number;
  /** Closed-set rank-1: the own template scores strictly above every other; null without genuine probes. */
  rank1: number | null;
  /** Rank-1 and the own score is >= threshold: identified, not rejected as unknown. */
  identification_rate: number | null;
}

/**
 * Runs the 1:N searches on a labelled set without fixing a threshold.
 *
 * Each identity in turn is the probe side and the other identities make up the galleries. In
 * each draw the other identities are shuffled and each gets one template, a random one of its
 * samples; the gallery of size n is the first n of that order, so every size is a uniformly
 * random subset and the galleries of one draw are nested (a probe's best score never falls as
 * n grows). One template per identity is what 1 − (1 − FMR₁)^N assumes, so the measured points
 * and the prediction describe the same search. For genuine probes the probe's own identity is
 * enrolled as well, with a random other sample of it as the template.
 *
 * Scores are dot products rounded to float32, as in `pairScores`. Cost: one score per probe
 * and sample (samples² · dim), independent of `draws`.
 */
export function openSetTrials(
  samples: LabelledEmbedding[],
  sizes: readonly number[],
  draws: number,
  seed: number,
): OpenSetTrials {
  checkSamples(samples);
  const byLabel = new Map<string, number[]>();
  samples.forEach((s, i) => {
    const members = byLabel.get(s.label);
    if (members) members.push(i);
    else byLabel.set(s.label, [i]);
  });
  const identities = [...byLabel.values()];
  const K = identities.length;
  if (K < 2) {
    throw new Error(`1:N searches need at least two identities, one to probe and one to enrol (got ${K}).`);
  }
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`draws must be a whole number >= 1; got ${draws}.`);
  const sorted = [...new Set(sizes)].sort((a, b) => a - b);
  for (const n of sorted) {
    if (!Number.isInteger(n) || n < 1 || n > K - 1) {
      throw new RangeError(`Gallery sizes must be whole numbers from 1 to ${K - 1} (identities − 1); got ${n}.`);
    }
  }
  const S = sorted.length;
  const maxN = sorted[S - 1] ?? 0;
  const N = samples.length;
  const dim = samples[0]?.embedding.length ?? 0;
  const trials = N * draws;
  const bestNonMated = new Float32Array(trials * S);
  const mated = new Float32Array(trials).fill(NaN);
  const random = seededRandom(seed);
  const pick = (k: number) => Math.min(k - 1, Math.floor(random() * k));

  const others = new Int32Array(K - 1);
  const template = new Int32Array(maxN);
  let trial = 0;
  for (let p = 0; p < K; p++) {
    const probes = identities[p] as number[];
    // Scores of this identity's samples against every sample, reused by all draws.
    const scores = new Float32Array(probes.length * N);
    probes.forEach((i, r) => {
      const ei = (samples[i] as LabelledEmbedding).embedding;
      for (let j = 0; j < N; j++) {
        const ej = (samples[j] as LabelledEmbedding).embedding;
        let s = 0;
        for (let k = 0; k < dim; k++) s += (ei[k] as number) * (ej[k] as number);
        scores[r * N + j] = s;
      }
    });
    for (let d = 0; d < draws; d++) {
      let m = 0;
      for (let q = 0; q < K; q++) if (q !== p) others[m++] = q;
      // Partial Fisher–Yates: only the first maxN places are ever searched.
      for (let a = 0; a < maxN; a++) {
        const b = a + pick(K - 1 - a);
        const t = others[a] as number;
        others[a] = others[b] as number;
        others[b] = t;
        const members = identities[others[a] as number] as number[];
        template[a] = members[pick(members.length)] as number;
      }
      probes.forEach((i, r) => {
        const row = r * N;
        let best = -Infinity;
        let s = 0;
        for (let a = 0; a < maxN; a++) {
          const score = scores[row + (template[a] as number)] as number;
          if (score > best) best = score;
          while (s < S && sorted[s] === a + 1) bestNonMated[trial * S + s++] = best;
        }
        if (probes.length > 1) {
          // A random other sample of the probe's identity: index r is skipped by shifting.
          let o = pick(probes.length - 1);
          if (o >= r) o++;
          mated[trial] = scores[row + (probes[o] as number)] as number;
        }
        trial++;
      });
    }
  }
  return { sizes: sorted, draws, trials, bestNonMated, mated };
}

/** Counts the 1:N outcomes of `trials` at `threshold` (a match is score >= threshold). */
export function openSetRates(trials: OpenSetTrials, threshold: number): OpenSetPoint[] {
  const S = trials.sizes.length;
  return trials.sizes.map((n, s) => {
    let falseMatches = 0;
    let genuine = 0;
    let rank1 = 0;
    let identified = 0;
    for (let t = 0; t < trials.trials; t++) {
      const best = trials.bestNonMated[t * S + s] as number;
      if (best >= threshold) falseMatches++;
      const own = trials.mated[t] as number;
      if (Number.isNaN(own)) continue;
      genuine++;
      // A tie with a non-mated template is a miss, as in evaluateEmbeddings' rank-1.
      if (own > best) {
        rank1++;
        if (own >= threshold) identified++;
      }
    }
    return {
      n,
      impostor_probes: trials.trials,
      false_match_rate: trials.trials ? falseMatches / trials.trials : 0,
      genuine_probes: genuine,
      rank1: genuine ? rank1 / genuine : null,
      identification_rate: genuine ? identified / genuine : null,
    };
  });
}

/**
 * Measured 1:N false match rate on a labelled set: for each gallery size n, the share of probes
 * whose identity is not in a random gallery of n other identities that still match someone at
 * `threshold`, with the rank-1 identification rate of genuine probes beside it. `draws` random
 * galleries per probe identity and size, reproducible from `seed` (see `openSetTrials`).
 */
export function measuredOpenSetFalseMatch(
  samples: LabelledEmbedding[],
  threshold: number,
  sizes: readonly number[],
  draws: number,
  seed: number,
): OpenSetPoint[] {
  return openSetRates(openSetTrials(samples, sizes, draws, seed), threshold);
}
