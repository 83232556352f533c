// Comparing embeddings: cosine similarity and 1:1 verification against the templates of one
// identity. Plain loops over Float32Arrays; a probe is checked against a handful of
// templates, so nothing here is worth a GPU round trip.
//
// Zero vectors: cosineSimilarity returns 0 when either vector has zero length (no direction
// is no evidence for a match, and 0 never passes a sensible threshold), while l2Normalize
// throws, because an embedder that outputs all zeros is broken and should be noticed rather
// than stored as a template.

function assertSameLength(a: Float32Array, b: Float32Array): void {
  if (a.length !== b.length) {
    throw new RangeError(`Embeddings differ in length (${a.length} and ${b.length}); were they made by one model?`);
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  assertSameLength(a, b);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export function l2Norm(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  return Math.sqrt(s);
}

/** A unit-length copy of `v`. Throws for a zero (or non-finite) vector. */
export function l2Normalize(v: Float32Array): Float32Array {
  const n = l2Norm(v);
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new RangeError('Cannot normalise an embedding of zero or non-finite length.');
  }
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = (v[i] as number) / n;
  return out;
}

/** Cosine of the angle between `a` and `b`, in [-1, 1]; 0 if either has zero length. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  assertSameLength(a, b);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  if (aa === 0 || bb === 0) return 0;
  // Rounding can push |cos| a hair past 1 for parallel vectors.
  return Math.max(-1, Math.min(1, ab / Math.sqrt(aa * bb)));
}

export interface Verification {
  /** Best cosine similarity over the templates; -Infinity when there are none. */
  score: number;
  /** score ≥ threshold. */
  match: boolean;
  /** Index of the best template; -1 when there are none. */
  bestIndex: number;
}

/**
 * 1:1 verification: is `probe` the identity whose `templates` are given? Scores against every
 * template and keeps the best, so a person enrolled under several poses or lightings matches
 * on the closest one. Ties keep the earlier template. No templates means no match.
 */
export function verify(probe: Float32Array, templates: readonly Float32Array[], threshold: number): Verification {
  let score = -Infinity;
  let bestIndex = -1;
  templates.forEach((t, i) => {
    const s = cosineSimilarity(probe, t);
    if (s > score) {
      score = s;
      bestIndex = i;
    }
  });
  return { score, match: bestIndex >= 0 && score >= threshold, bestIndex };
}
