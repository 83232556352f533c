// An adaptation head: a small network trained on top of frozen face embeddings, whose
// L2-normalised output replaces the embedding when comparing faces. The embedder is never
// changed; the head only re-weights and mixes what the embedder already measures.
//
// Initialisation decides where training starts. With 'identity' the untrained head is exactly
// the identity map, so its cosine equals the raw cosine and training can only move away from a
// known baseline:
// - linear, k = d: W = I.
// - mlp, hidden = 2d, k = d: W1 = [I | −I], b1 = 0, W2 = [I; −I], b2 = 0, because
//   relu(x) − relu(−x) = x. Every hidden unit is distinct, so nothing is stuck by symmetry.
// Other shapes start from a seeded random projection (N(0, 1/fan_out) for a linear map,
// He-normal for the mlp's first layer), which keeps cosines approximately (Johnson–Lindenstrauss)
// for the linear head but not for the mlp.
import * as tf from '@tensorflow/tfjs';
import { gaussian, seededRandom } from '../core/random';
import {
  checkDims,
  checkWeights,
  LAB_RECORD_VERSION,
  readWeights,
  type LabMetrics,
  type LabModelRecord,
} from './record';

export type HeadKind = 'linear' | 'mlp';
export type HeadInit = 'identity' | 'random';

export interface HeadConfig {
  kind: HeadKind;
  /** The embedder whose embeddings the head takes, e.g. 'faceres'. */
  modelId: string;
  inputDim: number;
  /** Defaults to inputDim. */
  outputDim?: number;
  /** mlp only; defaults to 2 × inputDim (what the identity initialisation needs). */
  hiddenDim?: number;
  /** Defaults to 'identity' where the shapes allow it, else 'random'. */
  init?: HeadInit;
  /** Seed of the random initialisation; defaults to 1. */
  seed?: number;
}

/**
 * A stored head. Weights in order: linear [W (d×k)]; mlp [W1 (d×h), b1 (h), W2 (h×k), b2 (k)].
 */
export interface HeadRecord extends LabModelRecord {
  role: 'head';
  kind: HeadKind;
  /** null for a linear head. */
  hiddenDim: number | null;
}

const NORM_EPSILON = 1e-12;
const APPLY_BATCH = 4096;

/** Rows scaled to unit length; differentiable, and a zero row stays (near) zero instead of NaN. */
export function l2NormalizeRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => x.div(tf.sqrt(tf.sum(tf.square(x), 1, true).add(NORM_EPSILON))));
}

function shapesFor(kind: HeadKind, d: number, k: number, h: number | null): number[][] {
  return kind === 'linear' ? [[d, k]] : [[d, h as number], [h as number], [h as number, k], [k]];
}

function identityInitAllowed(kind: HeadKind, d: number, k: number, h: number | null): boolean {
  return kind === 'linear' ? k === d : k === d && h === 2 * d;
}

function initialWeights(kind: HeadKind, d: number, k: number, h: number | null, init: HeadInit, seed: number) {
  if (init === 'identity') {
    if (kind === 'linear') {
      const w = new Float32Array(d * k);
      for (let i = 0; i < d; i++) w[i * k + i] = 1;
      return [w];
    }
    const hh = h as number;
    const w1 = new Float32Array(d * hh);
    const w2 = new Float32Array(hh * k);
    for (let i = 0; i < d; i++) {
      w1[i * hh + i] = 1;
      w1[i * hh + d + i] = -1;
      w2[i * k + i] = 1;
      w2[(d + i) * k + i] = -1;
    }
    return [w1, new Float32Array(hh), w2, new Float32Array(k)];
  }
  const random = seededRandom(seed);
  const normal = (n: number, std: number) => Float32Array.from({ length: n }, () => gaussian(random) * std);
  if (kind === 'linear') return [normal(d * k, 1 / Math.sqrt(k))];
  const hh = h as number;
  return [
    normal(d * hh, Math.sqrt(2 / d)),
    new Float32Array(hh),
    normal(hh * k, 1 / Math.sqrt(hh)),
    new Float32Array(k),
  ];
}

export class EmbeddingHead {
  /** Trainable variables, in the record's weight order. */
  readonly variables: tf.Variable[];

  private constructor(
    readonly kind: HeadKind,
    readonly modelId: string,
    readonly inputDim: number,
    readonly outputDim: number,
    readonly hiddenDim: number | null,
    weights: Float32Array[],
  ) {
    const shapes = shapesFor(kind, inputDim, outputDim, hiddenDim);
    this.variables = weights.map((w, i) => tf.tidy(() => tf.variable(tf.tensor(w, shapes[i]), true)));
  }

  static create(config: HeadConfig): EmbeddingHead {
    const d = config.inputDim;
    const k = config.outputDim ?? d;
    const h = config.kind === 'mlp' ? (config.hiddenDim ?? 2 * d) : null;
    for (const [name, v] of [
      ['inputDim', d],
      ['outputDim', k],
      ['hiddenDim', h ?? 1],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`A head needs a whole ${name} >= 1; got ${v}.`);
    }
    const allowed = identityInitAllowed(config.kind, d, k, h);
    const init = config.init ?? (allowed ? 'identity' : 'random');
    if (init === 'identity' && !allowed) {
      throw new RangeError(
        config.kind === 'linear'
          ? `An identity-initialised linear head needs outputDim = inputDim (${d}); got ${k}.`
          : `An identity-initialised mlp head needs outputDim = inputDim (${d}) and hiddenDim = 2 × inputDim; got ${k} and ${h}.`,
      );
    }
    return new EmbeddingHead(
      config.kind,
      config.modelId,
      d,
      k,
      h,
      initialWeights(config.kind, d, k, h, init, config.seed ?? 1),
    );
  }

  static fromRecord(record: HeadRecord): EmbeddingHead {
    checkDims(record, 'head');
    if (record.role !== 'head' || (record.kind !== 'linear' && record.kind !== 'mlp')) {
      throw new RangeError('This record is not an adaptation head.');
    }
    const h = record.kind === 'mlp' ? record.hiddenDim : null;
    if (record.kind === 'mlp' && (!Number.isInteger(h) || (h as number) < 1)) {
      throw new RangeError(`This mlp head has an invalid hiddenDim (${h}).`);
    }
    checkWeights(record, shapesFor(record.kind, record.inputDim, record.outputDim, h), 'head');
    return new EmbeddingHead(
      record.kind,
      record.modelId,
      record.inputDim,
      record.outputDim,
      h,
      record.weights.map((w) => w.slice()),
    );
  }

  /** Embeddings [N, inputDim] → L2-normalised [N, outputDim]; differentiable in the variables. */
  apply(embeddings: tf.Tensor2D): tf.Tensor2D {
    if (embeddings.shape[1] !== this.inputDim) {
      throw new RangeError(
        `The head takes ${this.inputDim}-D embeddings (${this.modelId}); got ${embeddings.shape[1]}-D.`,
      );
    }
    return tf.tidy(() => {
      const v = this.variables;
      let y: tf.Tensor2D;
      if (this.kind === 'linear') {
        y = tf.matMul(embeddings, v[0] as tf.Variable<tf.Rank.R2>);
      } else {
        const hidden = tf.relu(tf.matMul(embeddings, v[0] as tf.Variable<tf.Rank.R2>).add(v[1] as tf.Variable));
        y = tf.matMul(hidden as tf.Tensor2D, v[2] as tf.Variable<tf.Rank.R2>).add(v[3] as tf.Variable);
      }
      return l2NormalizeRows(y);
    });
  }

  /** One embedding through the head, for 1:1 use; read back asynchronously. */
  async applyToVector(embedding: Float32Array): Promise<Float32Array> {
    return (await this.applyToVectors([embedding]))[0] as Float32Array;
  }

  /** Many embeddings through the head, in batches, each read back with one `data()`. */
  async applyToVectors(embeddings: readonly Float32Array[], batchSize = APPLY_BATCH): Promise<Float32Array[]> {
    const d = this.inputDim;
    const out: Float32Array[] = [];
    for (let start = 0; start < embeddings.length; start += batchSize) {
      const chunk = embeddings.slice(start, start + batchSize);
      const flat = new Float32Array(chunk.length * d);
      chunk.forEach((e, i) => {
        if (e.length !== d) {
          throw new RangeError(
            `The head takes ${d}-D embeddings (${this.modelId}); embedding ${start + i} is ${e.length}-D.`,
          );
        }
        flat.set(e, i * d);
      });
      const y = tf.tidy(() => this.apply(tf.tensor2d(flat, [chunk.length, d])));
      const data = (await y.data()) as Float32Array;
      y.dispose();
      const k = this.outputDim;
      for (let i = 0; i < chunk.length; i++) out.push(data.slice(i * k, (i + 1) * k));
    }
    return out;
  }

  async toRecord(metrics?: LabMetrics, now: number = Date.now()): Promise<HeadRecord> {
    return {
      version: LAB_RECORD_VERSION,
      role: 'head',
      kind: this.kind,
      modelId: this.modelId,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      hiddenDim: this.hiddenDim,
      ...(await readWeights(this.variables)),
      createdAt: now,
      ...(metrics ? { metrics: { ...metrics } } : {}),
    };
  }

  dispose(): void {
    this.variables.forEach((v) => v.dispose());
  }
}
