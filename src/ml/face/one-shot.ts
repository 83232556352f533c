// One-shot identification on a labelled set: what enrolling from a single photo gives.
//
// Protocol, in rounds r = 0 … (most photos of one person) − 1. In round r every identity with at
// least two photos is enrolled from its photo number r mod (its count), in the order given, and
// every other photo of every enrolled identity is a probe against that gallery:
// - rank-1: the probe's best-scoring gallery identity is its own (a tie counts as a miss);
// - miss rate at the threshold: the probe's own template scores below the threshold, or another
//   identity outscores it (what a person who is refused, or named wrongly, sees);
// - open-set false match rate: each identity in turn is left out of the gallery as a stranger,
//   and every photo of it is searched against the others' templates; a stranger probe whose best
//   score reaches the threshold is a false match.
// Pure TypeScript over L2-normalised embeddings (dot product = cosine), like evaluate.ts.
import type { LabelledEmbedding } from './evaluate';
import { dot } from './similarity';

export interface OneShotResult {
  rounds: number;
  /** Genuine searches (probe of an enrolled person against the one-photo gallery). */
  probes: number;
  rank1: number;
  /** Share of genuine probes refused or named wrongly at `threshold`. */
  miss_rate_at_threshold: number;
  /** Stranger searches (a left-out person's photo against everyone else's templates). */
  stranger_probes: number;
  open_set_fmr: number;
  threshold: number;
}

export function oneShotEvaluation(samples: LabelledEmbedding[], threshold: number): OneShotResult {
  const byLabel = new Map<string, Float32Array[]>();
  for (const s of samples) {
    const list = byLabel.get(s.label) ?? [];
    list.push(s.embedding);
    byLabel.set(s.label, list);
  }
  const people = [...byLabel.entries()].filter(([, photos]) => photos.length >= 2);
  if (people.length < 2) throw new Error('One-shot evaluation needs at least two people with two photos or more.');
  const rounds = Math.max(...people.map(([, photos]) => photos.length));

  let probes = 0;
  let correct = 0;
  let misses = 0;
  let strangerProbes = 0;
  let falseMatches = 0;
  for (let r = 0; r < rounds; r++) {
    const enrolled = people.map(([, photos]) => r % photos.length);
    for (const [p, [, photos]] of people.entries()) {
      for (const [i, probe] of photos.entries()) {
        if (i === enrolled[p]) continue;
        // Scores against every gallery template; index p is the probe's own.
        const scores = people.map(([, others], q) => dot(probe, others[enrolled[q]!]!));
        const own = scores[p]!;
        const bestOther = Math.max(...scores.filter((_, q) => q !== p));
        probes++;
        if (own > bestOther) correct++;
        if (!(own > bestOther && own >= threshold)) misses++;
        // The same photo as a stranger: its own template is left out of the gallery.
        strangerProbes++;
        if (bestOther >= threshold) falseMatches++;
      }
    }
  }
  return {
    rounds,
    probes,
    rank1: correct / probes,
    miss_rate_at_threshold: misses / probes,
    stranger_probes: strangerProbes,
    open_set_fmr: falseMatches / strangerProbes,
    threshold,
  };
}

/** How an identity's several templates combine into one score. */
export type TemplateFusion = 'max' | 'mean';

export interface MultiTemplateResult {
  fusion: TemplateFusion;
  templatesPerIdentity: number;
  probes: number;
  rank1: number;
  /** Genuine probe scores (own identity) and impostor scores (every other identity). */
  genuine: Float32Array;
  impostor: Float32Array;
}

/**
 * Several templates per identity: each identity with more than `k` photos is enrolled from `k`
 * consecutive photos (rotating the start over rounds), the rest are probes; an identity's score
 * is the max or the mean of the probe's cosines to its templates.
 */
export function multiTemplateEvaluation(
  samples: LabelledEmbedding[],
  k: number,
  fusion: TemplateFusion,
): MultiTemplateResult {
  const byLabel = new Map<string, Float32Array[]>();
  for (const s of samples) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s.embedding]);
  const people = [...byLabel.values()].filter((photos) => photos.length > k);
  if (people.length < 2) throw new Error(`Needs at least two people with more than ${k} photos.`);
  const rounds = Math.max(...people.map((photos) => photos.length));
  const genuine: number[] = [];
  const impostor: number[] = [];
  let probes = 0;
  let correct = 0;
  const combine = (probe: Float32Array, templates: Float32Array[]) => {
    const scores = templates.map((t) => dot(probe, t));
    return fusion === 'max' ? Math.max(...scores) : scores.reduce((a, b) => a + b, 0) / scores.length;
  };
  for (let r = 0; r < rounds; r++) {
    const galleries = people.map((photos) => {
      const idx = Array.from({ length: k }, (_, j) => (r + j) % photos.length);
      return { idx: new Set(idx), templates: idx.map((i) => photos[i]!) };
    });
    for (const [p, photos] of people.entries()) {
      for (const [i, probe] of photos.entries()) {
        if (galleries[p]!.idx.has(i)) continue;
        const scores = galleries.map((g) => combine(probe, g.templates));
        const own = scores[p]!;
        genuine.push(own);
        scores.forEach((s, q) => q !== p && impostor.push(s));
        probes++;
        if (own > Math.max(...scores.filter((_, q) => q !== p))) correct++;
      }
    }
  }
  return {
    fusion,
    templatesPerIdentity: k,
    probes,
    rank1: correct / probes,
    genuine: Float32Array.from(genuine),
    impostor: Float32Array.from(impostor),
  };
}
