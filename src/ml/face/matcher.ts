// The matcher: 1:N identification and 1:1 verification of a probe embedding against the
// gallery's templates of one embedder, as one service — createMatcher(templates, options) →
// identify(probe, threshold) / verify(probe, identityId, threshold) → close().
//
// A Siamese Lab model adopted for matching changes how scores are made: a head maps templates
// (once, here) and probes (per call) before the cosine search; a pair classifier re-scores the
// cosine shortlist with its same-person probability. Either decides with its own threshold. Its
// score is then mapped monotonically onto the cosine range so that its threshold lands exactly on
// the caller's, and Unlock and Identify read every score on one scale.
import type { EmbeddingHead } from '../siamese/head';
import { sigmoid, type PairClassifier } from '../siamese/pair-classifier';
import { createSearcher, identify as identifyHits, type Searcher, type SearchHit } from './search';
import { dot } from './similarity';

/** The templates of one embedder, one row each, with the identity each belongs to. */
export interface PackedTemplates {
  /** identityIds[i] owns row i of `matrix`. */
  identityIds: readonly string[];
  matrix: Float32Array;
  dim: number;
}

/** An adopted Lab model: exactly one of `head` and `classifier` is set. */
export interface MatchingModel {
  id: string;
  /** The embedder whose embeddings it was trained on. */
  modelId: string;
  /** Its own decision threshold (held-out EER), on its own score scale. */
  threshold: number;
  head: EmbeddingHead | null;
  classifier: PairClassifier | null;
}

export interface MatchDecision {
  /** The identity the probe is taken to be, or null when none reaches the threshold. */
  identityId: string | null;
  /** The best-scoring identity, matched or not (for "closest: …"); null for an empty gallery. */
  closestId: string | null;
  /** The best score, on the cosine scale (see above); 0 for an empty gallery. */
  score: number;
}

export interface Matcher {
  /** Number of templates. */
  readonly size: number;
  /** 1:N: the best identity over the whole gallery, if it reaches `threshold`. */
  identify(probe: Float32Array, threshold: number): Promise<MatchDecision>;
  /** 1:1: the probe against `identityId`'s own templates only, whatever else the gallery holds. */
  verify(probe: Float32Array, identityId: string, threshold: number): Promise<MatchDecision>;
  close(): void;
}

export interface MatcherOptions {
  /** The tfjs backend, which decides between the GPU and CPU search (search.ts). */
  backend: string;
  model?: MatchingModel | null;
  /** Templates fetched from the search before a classifier re-scores them. */
  shortlist?: number;
}

const NO_MATCH: MatchDecision = { identityId: null, closestId: null, score: 0 };

/**
 * A model score on the cosine scale: its threshold t goes to `target`, its top (1) to 1 and its
 * bottom (0 for a classifier's probability, −1 for a head's cosine) to −1, linearly on each side.
 */
export function onCosineScale(score: number, model: MatchingModel, target: number): number {
  const lo = model.classifier ? 0 : -1;
  const t = model.threshold;
  return score >= t
    ? target + ((score - t) / Math.max(1e-9, 1 - t)) * (1 - target)
    : target - ((t - score) / Math.max(1e-9, t - lo)) * (target + 1);
}

export async function createMatcher(templates: PackedTemplates, options: MatcherOptions): Promise<Matcher> {
  const { identityIds, matrix, dim } = templates;
  const model = options.model ?? null;
  const shortlist = options.shortlist ?? 50;
  const n = identityIds.length;
  if (matrix.length !== n * dim) {
    throw new RangeError(`${n} templates of ${dim} values need ${n * dim} numbers, got ${matrix.length}.`);
  }
  const ids = [...new Set(identityIds)];
  const identities = Int32Array.from(identityIds, (id) => ids.indexOf(id));
  const row = (m: Float32Array, d: number, i: number) => m.subarray(i * d, (i + 1) * d);

  // What the search runs over: the templates, or their images under an adopted head.
  let searchDim = dim;
  let vectors = matrix;
  if (model?.head && n > 0) {
    searchDim = model.head.outputDim;
    const mapped = await model.head.applyToVectors(Array.from({ length: n }, (_, i) => row(matrix, dim, i)));
    vectors = new Float32Array(n * searchDim);
    mapped.forEach((v, i) => vectors.set(v, i * searchDim));
  }
  const searcher: Searcher | null =
    n > 0 ? createSearcher({ vectors, dim: searchDim, identities }, { backend: options.backend }) : null;
  const probeFor = (probe: Float32Array) => (model?.head ? model.head.applyToVector(probe) : Promise.resolve(probe));
  const decideAt = (threshold: number) => (model ? model.threshold : threshold);
  const scaled = (score: number, threshold: number) => (model ? onCosineScale(score, model, threshold) : score);

  /** Classifier probabilities for the probe against template rows `rows` (raw embeddings). */
  async function classify(probe: Float32Array, rows: number[]): Promise<number[]> {
    const logits = await model!.classifier!.logitsForPairs(
      [probe, ...rows.map((i) => row(matrix, dim, i))],
      rows.map(() => 0),
      rows.map((_, k) => k + 1),
    );
    return rows.map((_, k) => sigmoid(logits[k] as number));
  }

  function decide(hits: SearchHit[], threshold: number): MatchDecision {
    const result = identifyHits(hits, decideAt(threshold));
    const best = hits[0];
    const closestId = best ? (ids[best.identityIndex ?? -1] ?? null) : null;
    if (result.status === 'match') {
      return { identityId: ids[result.identityIndex] ?? null, closestId, score: scaled(result.score, threshold) };
    }
    return { identityId: null, closestId, score: best ? scaled(best.score, threshold) : 0 };
  }

  return {
    size: n,

    async identify(probe, threshold) {
      if (!searcher) return NO_MATCH;
      const [found] = await searcher.search(await probeFor(probe), Math.min(shortlist, n));
      let hits = found ?? [];
      if (model?.classifier && hits.length > 0) {
        const p = await classify(
          probe,
          hits.map((h) => h.index),
        );
        hits = hits.map((h, k) => ({ ...h, score: p[k]! })).sort((a, b) => b.score - a.score || a.index - b.index);
      }
      return decide(hits, threshold);
    },

    async verify(probe, identityId, threshold) {
      const target = ids.indexOf(identityId);
      const rows = [...identities.keys()].filter((i) => identities[i] === target);
      if (target < 0 || rows.length === 0) return NO_MATCH;
      let scores: number[];
      if (model?.classifier) scores = await classify(probe, rows);
      else {
        const p = await probeFor(probe);
        scores = rows.map((i) => dot(p, row(vectors, searchDim, i)));
      }
      const hits = rows
        .map((index, k) => ({ index, identityIndex: target, score: scores[k]! }))
        .sort((a, b) => b.score - a.score || a.index - b.index);
      return decide(hits, threshold);
    },

    close() {
      searcher?.dispose();
    },
  };
}
