// Data shaping for the Lab: labelled embeddings from the gallery and from imported folders, and
// the held-out split. The split is by identity, never by image: a model tested on new photos of
// people it was trained on measures memory of those people, not what the Lab promises — better
// comparisons of people it has never seen.
import type { LabelledEmbedding } from '../face/evaluate';
import { l2Normalize } from '../face/similarity';
import { seededRandom, shuffleInPlace } from '../core/random';

/** Sample indices per label, labels in order of first appearance. */
export function groupByLabel(samples: readonly { label: string }[]): { labels: string[]; groups: number[][] } {
  const at = new Map<string, number>();
  const labels: string[] = [];
  const groups: number[][] = [];
  samples.forEach((s, i) => {
    let g = at.get(s.label);
    if (g === undefined) {
      g = labels.length;
      at.set(s.label, g);
      labels.push(s.label);
      groups.push([]);
    }
    (groups[g] as number[]).push(i);
  });
  return { labels, groups };
}

/** Checks that all embeddings share one length and are finite; returns that length (0 if none). */
export function embeddingDim(samples: readonly LabelledEmbedding[]): number {
  const dim = samples[0]?.embedding.length ?? 0;
  samples.forEach((s, i) => {
    if (s.embedding.length !== dim) {
      throw new RangeError(
        `Sample ${i} ("${s.label}") has a ${s.embedding.length}-D embedding, not ${dim}-D; were all made by one model?`,
      );
    }
  });
  return dim;
}

/**
 * The gallery's templates of one model (the shape `Gallery.templatesForModel` returns) as
 * labelled embeddings, one label per identity. `prefix` keeps gallery identities apart from
 * folder labels when both are used.
 */
export function labelledFromPackedTemplates(
  packed: { identityIds: readonly string[]; matrix: Float32Array; dim: number },
  prefix = '',
): LabelledEmbedding[] {
  const { identityIds, matrix, dim } = packed;
  if (matrix.length !== identityIds.length * dim) {
    throw new RangeError(
      `Packed templates of ${identityIds.length} × ${dim} need ${identityIds.length * dim} numbers.`,
    );
  }
  return identityIds.map((id, i) => ({
    label: prefix + id,
    embedding: l2Normalize(matrix.subarray(i * dim, (i + 1) * dim)),
  }));
}

/**
 * Labelled embeddings from groups, e.g. an imported folder with one subfolder per person:
 * `{ alice: [e1, e2], bob: [e3] }` or `[['alice', [e1, e2]], ...]`. Embeddings are copied and
 * L2-normalised (a zero embedding throws: the embedder failed on that image).
 */
export function labelledFromGroups(
  groups: Record<string, readonly Float32Array[]> | Iterable<readonly [string, readonly Float32Array[]]>,
  prefix = '',
): LabelledEmbedding[] {
  const entries = Symbol.iterator in groups ? [...groups] : Object.entries(groups);
  const out: LabelledEmbedding[] = [];
  for (const [label, embeddings] of entries) {
    for (const e of embeddings) out.push({ label: prefix + label, embedding: l2Normalize(e) });
  }
  embeddingDim(out);
  return out;
}

export interface IdentitySplitOptions {
  /** Share of eligible identities held out for testing; default 0.3. */
  testFraction?: number;
  /** Default 1. */
  seed?: number;
  /** Identities with fewer samples are left out of both sides; default 2 (one genuine pair). */
  minSamplesPerIdentity?: number;
}

export interface IdentitySplit {
  train: LabelledEmbedding[];
  test: LabelledEmbedding[];
  trainIdentities: string[];
  testIdentities: string[];
  /** Identities with too few samples, in neither side. */
  excluded: string[];
}

/**
 * Splits by identity with a seeded shuffle of the sorted labels, so the split depends on the
 * seed and the set of labels, not on the order of the samples. Each side gets at least two
 * identities (impostor pairs need two).
 */
export function splitByIdentity(
  samples: readonly LabelledEmbedding[],
  options: IdentitySplitOptions = {},
): IdentitySplit {
  const { testFraction = 0.3, seed = 1, minSamplesPerIdentity = 2 } = options;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new RangeError(`The held-out share of identities must lie strictly between 0 and 1; got ${testFraction}.`);
  }
  embeddingDim(samples);
  const { labels, groups } = groupByLabel(samples);
  const eligible: string[] = [];
  const excluded: string[] = [];
  labels.forEach((label, i) =>
    ((groups[i] as number[]).length >= minSamplesPerIdentity ? eligible : excluded).push(label),
  );
  if (eligible.length < 4) {
    throw new RangeError(
      `Training and a fair test need at least 4 identities with ${minSamplesPerIdentity} or more images each (2 to train on, 2 held out); there are ${eligible.length}.`,
    );
  }
  const order = shuffleInPlace(eligible.slice().sort(), seededRandom(seed));
  const nTest = Math.min(eligible.length - 2, Math.max(2, Math.round(testFraction * eligible.length)));
  const testIdentities = order.slice(0, nTest);
  const trainIdentities = order.slice(nTest);
  const inTest = new Set(testIdentities);
  const inTrain = new Set(trainIdentities);
  return {
    train: samples.filter((s) => inTrain.has(s.label)),
    test: samples.filter((s) => inTest.has(s.label)),
    trainIdentities,
    testIdentities,
    excluded,
  };
}
