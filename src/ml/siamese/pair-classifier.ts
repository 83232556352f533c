// A learned pair classifier on frozen embeddings (DeepFace's verification head): the probability
// that two faces are the same person is ŷ = σ(Σ_k w_k · φ(f_i, f_j)_k + b), trained with the
// logistic loss on genuine (y = 1) and impostor (y = 0) pairs drawn in equal numbers.
//
// Features φ, one per embedding dimension:
// - 'abs':  |f_i − f_j|
// - 'chi2': (f_i − f_j)² / (|f_i| + |f_j| + ε). The textbook χ² divides by f_i + f_j, which
//   assumes non-negative features; face embeddings have either sign, so that denominator can be
//   zero or negative and the feature would explode or flip sign. |f_i| + |f_j| equals f_i + f_j
//   wherever both are non-negative, is never negative, and since |f_i − f_j| <= |f_i| + |f_j| the
//   feature never exceeds |f_i − f_j|: bounded, whatever the signs. ε only matters when both are
//   zero, where the numerator is zero too.
//
// The weights start at w_k = −4/√d, b = 2, so the untrained classifier already ranks pairs by the
// L1 distance between embeddings, a close relative of cosine, and logits start at a few units.
import * as tf from '@tensorflow/tfjs';
import { randomInt, type Random } from '../core/random';
import {
  checkDims,
  checkWeights,
  LAB_RECORD_VERSION,
  readWeights,
  type LabMetrics,
  type LabModelRecord,
} from './record';

export type PairFeature = 'abs' | 'chi2';

export interface PairClassifierConfig {
  feature: PairFeature;
  /** The embedder whose embeddings are compared, e.g. 'faceres'. */
  modelId: string;
  inputDim: number;
}

/** A stored pair classifier. Weights in order: [w (d×1), b (1)]; outputDim is 1. */
export interface PairClassifierRecord extends LabModelRecord {
  role: 'pair-classifier';
  kind: PairFeature;
}

export const CHI2_EPSILON = 1e-6;
const PAIR_CHUNK = 8192;

/** Pair features [n, d] from two batches of embeddings [n, d]; differentiable. */
export function pairFeatures(a: tf.Tensor2D, b: tf.Tensor2D, feature: PairFeature): tf.Tensor2D {
  return tf.tidy((): tf.Tensor2D => {
    const diff = tf.sub<tf.Tensor2D>(a, b);
    if (feature === 'abs') return tf.abs(diff);
    return tf.div(tf.square(diff), tf.abs(a).add(tf.abs(b)).add(CHI2_EPSILON)) as tf.Tensor2D;
  });
}

/** Per-pair logistic loss −[y log σ(z) + (1 − y) log(1 − σ(z))] = softplus(z) − y·z, stable for any z. */
export function logisticLosses(logits: tf.Tensor1D, targets: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => tf.softplus(logits).sub(targets.mul(logits)));
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * `count` pairs, half genuine and half impostor (genuine first; an odd count gives the extra one
 * to the impostors). `groups[i]` lists the sample indices of identity i. A genuine pair is two
 * different samples of one identity with at least two; an impostor pair one sample each of two
 * different identities, drawn uniformly by identity so that large identities do not dominate.
 */
export function balancedPairs(
  groups: readonly (readonly number[])[],
  count: number,
  random: Random,
): { first: number[]; second: number[]; targets: number[] } {
  const withTwo = groups.map((g, i) => (g.length >= 2 ? i : -1)).filter((i) => i >= 0);
  const nonEmpty = groups.map((g, i) => (g.length >= 1 ? i : -1)).filter((i) => i >= 0);
  if (withTwo.length === 0 || nonEmpty.length < 2) {
    throw new RangeError('Pairs need at least one identity with two samples (genuine) and two identities (impostor).');
  }
  const first: number[] = [];
  const second: number[] = [];
  const targets: number[] = [];
  const pick = (g: readonly number[]) => g[randomInt(random, g.length)] as number;
  const genuine = Math.floor(count / 2);
  for (let i = 0; i < count; i++) {
    if (i < genuine) {
      const g = groups[withTwo[randomInt(random, withTwo.length)] as number] as readonly number[];
      const x = randomInt(random, g.length);
      const y = (x + 1 + randomInt(random, g.length - 1)) % g.length;
      first.push(g[x] as number);
      second.push(g[y] as number);
      targets.push(1);
    } else {
      const x = randomInt(random, nonEmpty.length);
      const y = (x + 1 + randomInt(random, nonEmpty.length - 1)) % nonEmpty.length;
      first.push(pick(groups[nonEmpty[x] as number] as readonly number[]));
      second.push(pick(groups[nonEmpty[y] as number] as readonly number[]));
      targets.push(0);
    }
  }
  return { first, second, targets };
}

export class PairClassifier {
  /** [w (d×1), b (1)], in the record's weight order. */
  readonly variables: tf.Variable[];

  private constructor(
    readonly feature: PairFeature,
    readonly modelId: string,
    readonly inputDim: number,
    weights: Float32Array[],
  ) {
    const shapes = [[inputDim, 1], [1]];
    this.variables = weights.map((w, i) => tf.tidy(() => tf.variable(tf.tensor(w, shapes[i]), true)));
  }

  static create(config: PairClassifierConfig): PairClassifier {
    const d = config.inputDim;
    if (!Number.isInteger(d) || d < 1) throw new RangeError(`A pair classifier needs a whole inputDim >= 1; got ${d}.`);
    if (config.feature !== 'abs' && config.feature !== 'chi2') {
      throw new RangeError(`Unknown pair feature "${String(config.feature)}"; use 'abs' or 'chi2'.`);
    }
    return new PairClassifier(config.feature, config.modelId, d, [
      new Float32Array(d).fill(-4 / Math.sqrt(d)),
      Float32Array.of(2),
    ]);
  }

  static fromRecord(record: PairClassifierRecord): PairClassifier {
    checkDims(record, 'pair classifier');
    if (record.role !== 'pair-classifier' || (record.kind !== 'abs' && record.kind !== 'chi2')) {
      throw new RangeError('This record is not a pair classifier.');
    }
    checkWeights(record, [[record.inputDim, 1], [1]], 'pair classifier');
    return new PairClassifier(
      record.kind,
      record.modelId,
      record.inputDim,
      record.weights.map((w) => w.slice()),
    );
  }

  /** Logits [n] for pairs of embeddings a[i], b[i] ([n, d] each); differentiable. */
  logits(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    if (a.shape[1] !== this.inputDim || b.shape[1] !== this.inputDim) {
      throw new RangeError(
        `The pair classifier takes ${this.inputDim}-D embeddings (${this.modelId}); got ${a.shape[1]}-D and ${b.shape[1]}-D.`,
      );
    }
    return tf.tidy(() => {
      const [w, bias] = this.variables as [tf.Variable<tf.Rank.R2>, tf.Variable];
      return tf
        .matMul(pairFeatures(a, b, this.feature), w)
        .reshape([-1])
        .add(bias) as tf.Tensor1D;
    });
  }

  /** Same-person probabilities [n]. */
  probabilities(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.sigmoid(this.logits(a, b)));
  }

  /** 1:1 use: the probability that two embeddings are of one person. */
  async probability(x: Float32Array, y: Float32Array): Promise<number> {
    const [z] = await this.logitsForPairs([x, y], [0], [1]);
    return sigmoid(z as number);
  }

  /**
   * Logits of the pairs (embeddings[first[i]], embeddings[second[i]]), computed in chunks so
   * that all pairs of a few thousand embeddings fit in memory. Logits, not probabilities, because
   * σ rounds to exactly 1 in float32 for confident pairs and would tie them; ranking (ROC, EER) is
   * the same, and σ(logit) gives the probability.
   */
  async logitsForPairs(
    embeddings: readonly Float32Array[],
    first: ArrayLike<number>,
    second: ArrayLike<number>,
    chunk = PAIR_CHUNK,
  ): Promise<Float32Array> {
    const d = this.inputDim;
    const flat = new Float32Array(embeddings.length * d);
    embeddings.forEach((e, i) => {
      if (e.length !== d) {
        throw new RangeError(
          `The pair classifier takes ${d}-D embeddings (${this.modelId}); embedding ${i} is ${e.length}-D.`,
        );
      }
      flat.set(e, i * d);
    });
    const out = new Float32Array(first.length);
    const all = tf.tensor2d(flat, [embeddings.length, d]);
    try {
      for (let start = 0; start < first.length; start += chunk) {
        const end = Math.min(first.length, start + chunk);
        const z = tf.tidy(() => {
          const i = tf.tensor1d(
            Int32Array.from({ length: end - start }, (_, k) => first[start + k] as number),
            'int32',
          );
          const j = tf.tensor1d(
            Int32Array.from({ length: end - start }, (_, k) => second[start + k] as number),
            'int32',
          );
          return this.logits(tf.gather(all, i), tf.gather(all, j));
        });
        out.set((await z.data()) as Float32Array, start);
        z.dispose();
      }
    } finally {
      all.dispose();
    }
    return out;
  }

  async toRecord(metrics?: LabMetrics, now: number = Date.now()): Promise<PairClassifierRecord> {
    return {
      version: LAB_RECORD_VERSION,
      role: 'pair-classifier',
      kind: this.feature,
      modelId: this.modelId,
      inputDim: this.inputDim,
      outputDim: 1,
      ...(await readWeights(this.variables)),
      createdAt: now,
      ...(metrics ? { metrics: { ...metrics } } : {}),
    };
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
