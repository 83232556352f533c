// The Lab's verdict: on held-out identities, how well do (a) the raw embeddings' cosine, (b) the
// cosine after the trained head and (c) the pair classifier's probability tell genuine pairs
// from impostor pairs? All unordered pairs of the test set are scored; ROC, EER and TAR come from
// face/evaluate.ts, so the figures mean exactly what they mean on the Evaluate page.
//
// Histograms are of the squared distance ‖f(a) − f(b)‖² = 2 − 2·cos for unit vectors, on one
// fixed range [0, 4] before and after the head, so the two panels can be laid side by side and
// the triplet margin α drawn on the same axis.
import type { LabelledEmbedding, RocPoint } from '../face/evaluate';
import { equalErrorRate, falseMatchRateForGallerySize, pairScores, rocCurve, tarAtFar } from '../face/evaluate';
import type { EmbeddingHead } from './head';
import { sigmoid, type PairClassifier } from './pair-classifier';
import { embeddingDim } from './split';

export type LabMethod = 'cosine' | 'head' | 'pair-classifier';

export interface MethodEvaluation {
  method: LabMethod;
  /** What thresholds are in: cosine similarity, or same-person probability. */
  scale: 'cosine' | 'probability';
  /** Area under the ROC: the chance that a random genuine pair outscores a random impostor pair (ties count half). */
  auc: number;
  eer: number;
  threshold_at_eer: number;
  /**
   * Decidability d' = |μ_genuine − μ_impostor| / √((σ²_genuine + σ²_impostor) / 2) of the scores
   * (logits for the pair classifier). It keeps measuring separation where a small test set is
   * already separated perfectly (EER 0, AUC 1), and it does not change under an affine rescaling
   * of the scores.
   */
  decidability: number;
  tar_at_far_1e3: number;
  threshold_at_far_1e3: number;
  /** 1 − (1 − FAR)^N at the EER threshold, when a gallery size N was given. */
  false_match_rate_for_gallery: number | null;
  roc: RocPoint[];
}

export interface PairHistogram {
  /** bins + 1 ascending edges; bin i holds lo <= x < hi (the last bin includes its upper edge). */
  edges: number[];
  genuine: number[];
  impostor: number[];
  /** Counts divided by the number of genuine (impostor) pairs, so the two shapes compare. */
  genuineFraction: number[];
  impostorFraction: number[];
}

export interface LabComparison {
  identities: number;
  samples: number;
  genuine_pairs: number;
  impostor_pairs: number;
  methods: MethodEvaluation[];
  /** Squared distances: raw embeddings, and after the head (null without one). */
  distances: { before: PairHistogram; after: PairHistogram | null };
  /** The pair classifier's probabilities (null without one). */
  probabilities: PairHistogram | null;
}

export interface CompareOptions {
  /** Histogram bins; default 40. */
  bins?: number;
  /** ROC points per method; default 200. */
  rocPoints?: number;
  /** Gallery size for the 1:N false match rate at each method's EER threshold. */
  gallerySize?: number;
}

/**
 * AUC by the Mann–Whitney statistic over all genuine × impostor pairs of scores, exact (no
 * trapezoids over a thinned curve): one sort of each list and a merge.
 */
export function areaUnderRoc(genuine: Float32Array, impostor: Float32Array): number {
  if (genuine.length === 0 || impostor.length === 0) {
    throw new Error('The AUC needs at least one genuine and one impostor score.');
  }
  const g = Float32Array.from(genuine).sort();
  const m = Float32Array.from(impostor).sort();
  let below = 0; // impostor scores < the current genuine score
  let wins = 0;
  for (let i = 0; i < g.length; i++) {
    const s = g[i] as number;
    while (below < m.length && (m[below] as number) < s) below++;
    let upTo = below; // then past the impostor scores equal to it
    while (upTo < m.length && (m[upTo] as number) === s) upTo++;
    wins += below + 0.5 * (upTo - below);
  }
  return wins / (g.length * m.length);
}

function meanAndVariance(xs: Float32Array): [number, number] {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i] as number;
  const mean = sum / xs.length;
  let sq = 0;
  for (let i = 0; i < xs.length; i++) sq += ((xs[i] as number) - mean) ** 2;
  return [mean, sq / xs.length];
}

/** Daugman's decidability index d' of two score distributions (population variances). */
export function decidability(genuine: Float32Array, impostor: Float32Array): number {
  if (genuine.length === 0 || impostor.length === 0) {
    throw new Error("d' needs at least one genuine and one impostor score.");
  }
  const [mg, vg] = meanAndVariance(genuine);
  const [mi, vi] = meanAndVariance(impostor);
  return Math.abs(mg - mi) / Math.sqrt((vg + vi) / 2);
}

/** Counts of genuine and impostor values in `bins` equal bins over [lo, hi]; values outside are clamped in. */
export function pairHistogram(
  genuine: Float32Array,
  impostor: Float32Array,
  lo: number,
  hi: number,
  bins: number,
): PairHistogram {
  if (!Number.isInteger(bins) || bins < 1)
    throw new RangeError(`A histogram needs a whole number of bins >= 1; got ${bins}.`);
  if (!(hi > lo)) throw new RangeError(`A histogram range needs hi > lo; got [${lo}, ${hi}].`);
  const width = (hi - lo) / bins;
  const count = (values: Float32Array) => {
    const out = new Array<number>(bins).fill(0);
    for (let i = 0; i < values.length; i++) {
      const b = Math.min(bins - 1, Math.max(0, Math.floor(((values[i] as number) - lo) / width)));
      out[b] = (out[b] as number) + 1;
    }
    return out;
  };
  const g = count(genuine);
  const m = count(impostor);
  return {
    edges: Array.from({ length: bins + 1 }, (_, i) => lo + i * width),
    genuine: g,
    impostor: m,
    genuineFraction: g.map((c) => (genuine.length ? c / genuine.length : 0)),
    impostorFraction: m.map((c) => (impostor.length ? c / impostor.length : 0)),
  };
}

function evaluateScores(
  method: LabMethod,
  genuine: Float32Array,
  impostor: Float32Array,
  options: CompareOptions,
  toScale: (x: number) => number = (x) => x,
): MethodEvaluation {
  const { eer, threshold } = equalErrorRate(genuine, impostor);
  const atFar = tarAtFar(genuine, impostor, 1e-3);
  return {
    method,
    scale: method === 'pair-classifier' ? 'probability' : 'cosine',
    auc: areaUnderRoc(genuine, impostor),
    eer,
    decidability: decidability(genuine, impostor),
    threshold_at_eer: toScale(threshold),
    tar_at_far_1e3: atFar.tar,
    threshold_at_far_1e3: toScale(atFar.threshold),
    false_match_rate_for_gallery:
      options.gallerySize === undefined ? null : falseMatchRateForGallerySize(impostor, threshold, options.gallerySize),
    roc: rocCurve(genuine, impostor, options.rocPoints ?? 200).map((p) => ({ ...p, threshold: toScale(p.threshold) })),
  };
}

const squaredDistances = (cosines: Float32Array) => cosines.map((c) => Math.max(0, 2 - 2 * c));

/**
 * Scores every unordered pair of the held-out `test` samples by each method available and
 * returns plain data for the UI. The models must take the test embeddings' dimension; they are
 * not disposed.
 */
export async function compareOnHeldOut(
  test: readonly LabelledEmbedding[],
  models: { head?: EmbeddingHead | null; pairClassifier?: PairClassifier | null } = {},
  options: CompareOptions = {},
): Promise<LabComparison> {
  const bins = options.bins ?? 40;
  embeddingDim(test);
  const samples = test.slice();
  const raw = pairScores(samples);
  const methods: MethodEvaluation[] = [evaluateScores('cosine', raw.genuine, raw.impostor, options)];
  const before = pairHistogram(squaredDistances(raw.genuine), squaredDistances(raw.impostor), 0, 4, bins);

  let after: PairHistogram | null = null;
  if (models.head) {
    const mapped = await models.head.applyToVectors(samples.map((s) => s.embedding));
    const scores = pairScores(samples.map((s, i) => ({ label: s.label, embedding: mapped[i] as Float32Array })));
    methods.push(evaluateScores('head', scores.genuine, scores.impostor, options));
    after = pairHistogram(squaredDistances(scores.genuine), squaredDistances(scores.impostor), 0, 4, bins);
  }

  let probabilities: PairHistogram | null = null;
  if (models.pairClassifier) {
    const n = samples.length;
    const first = new Int32Array((n * (n - 1)) / 2);
    const second = new Int32Array(first.length);
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        first[k] = i;
        second[k++] = j;
      }
    }
    const logits = await models.pairClassifier.logitsForPairs(
      samples.map((s) => s.embedding),
      first,
      second,
    );
    const genuine = new Float32Array(raw.genuine.length);
    const impostor = new Float32Array(raw.impostor.length);
    let g = 0;
    let m = 0;
    for (let p = 0; p < logits.length; p++) {
      const same =
        (samples[first[p] as number] as LabelledEmbedding).label ===
        (samples[second[p] as number] as LabelledEmbedding).label;
      if (same) genuine[g++] = logits[p] as number;
      else impostor[m++] = logits[p] as number;
    }
    methods.push(evaluateScores('pair-classifier', genuine, impostor, options, sigmoid));
    probabilities = pairHistogram(genuine.map(sigmoid), impostor.map(sigmoid), 0, 1, bins);
  }

  return {
    identities: new Set(samples.map((s) => s.label)).size,
    samples: samples.length,
    genuine_pairs: raw.genuine.length,
    impostor_pairs: raw.impostor.length,
    methods,
    distances: { before, after },
    probabilities,
  };
}
