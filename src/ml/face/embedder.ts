// Face embedders: one interface over several models. Each model's crop size, input range,
// channel order and output node are facts established by measurement on the packaged photos
// (see README, "Face models"), not taken from papers: the same network fed the wrong range or
// an unaligned crop separates identities at chance level.
import * as tf from '@tensorflow/tfjs';

export type EmbedderId = 'mobilefacenet' | 'faceres';

export type InputRange = 'unit' | 'symmetric' | 'byte';

export interface EmbedderSpec {
  id: EmbedderId;
  name: string;
  /** Side of the square aligned crop the model takes. */
  inputSize: number;
  dim: number;
  /** Graph node whose output is the embedding. */
  output: string;
  /** unit: 0..1, symmetric: -1..1, byte: 0..255. */
  range: InputRange;
  bgr: boolean;
  /**
   * Extra border around the ArcFace template, as a fraction of the crop: 0 is the tight
   * 112-px ArcFace crop; models trained on looser crops want more context.
   */
  margin: number;
  /** Similarity at the equal-error point on the packaged labelled set (see README). */
  defaultThreshold: number;
  /** Shown next to the model where it is chosen. */
  note: string;
}

export const EMBEDDERS: Record<EmbedderId, EmbedderSpec> = {
  mobilefacenet: {
    id: 'mobilefacenet',
    name: 'MobileFaceNet',
    inputSize: 112,
    dim: 192,
    output: 'embeddings',
    range: 'unit',
    bgr: false,
    margin: 0,
    defaultThreshold: 0.9,
    note: 'Measured near chance: its output barely changes from face to face in every input range tried. Not recommended.',
  },
  faceres: {
    id: 'faceres',
    name: 'FaceRes',
    inputSize: 224,
    dim: 1024,
    output: 'global_pooling/Mean',
    // 0..255: with 0..1 or -1..1 every face scores above 0.99 against every other.
    range: 'byte',
    bgr: false,
    margin: 0,
    defaultThreshold: 0.75,
    note: 'Default: the best separation of the shipped models on the packaged labelled set.',
  },
};

/** Scales 0..1 crops to the model's input range and channel order (inside a tidy). */
export function prepareInput(crops: tf.Tensor4D, spec: Pick<EmbedderSpec, 'range' | 'bgr'>): tf.Tensor4D {
  let x = crops;
  if (spec.bgr) x = tf.reverse(x, -1);
  if (spec.range === 'symmetric') x = x.mul(2).sub(1);
  else if (spec.range === 'byte') x = x.mul(255);
  return x;
}

export class Embedder {
  constructor(
    private readonly model: tf.GraphModel,
    readonly spec: EmbedderSpec,
  ) {}

  get id(): EmbedderId {
    return this.spec.id;
  }

  /**
   * Embeds aligned crops [N, s, s, 3] in 0..1 (s = spec.inputSize; not disposed) and returns
   * one L2-normalised Float32Array per face, read back with a single `data()`.
   */
  async embed(crops: tf.Tensor4D): Promise<Float32Array[]> {
    const n = crops.shape[0];
    if (n === 0) return [];
    const out = tf.tidy(() => {
      const input = prepareInput(crops, this.spec);
      const raw = this.model.execute(input, this.spec.output) as tf.Tensor;
      const flat = raw.reshape([n, -1]);
      // Zero-norm rows (should not happen) stay zero rather than becoming NaN.
      const norm = tf.maximum(tf.norm(flat, 2, 1, true), 1e-12);
      return flat.div(norm);
    });
    const data = (await out.data()) as Float32Array;
    const dim = out.shape[1] ?? 0;
    out.dispose();
    return Array.from({ length: n }, (_, i) => data.slice(i * dim, (i + 1) * dim));
  }

  dispose(): void {
    this.model.dispose();
  }
}
