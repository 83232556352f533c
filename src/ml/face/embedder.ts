// Face embedders: one interface over the shipped embedding networks, each run as its spec
// (embedder-specs.ts) says.
import * as tf from '@tensorflow/tfjs';
import { FaceDescriptorNet } from './descriptor-net';
import type { EmbedderId, EmbedderSpec } from './embedder-specs';

export * from './embedder-specs';

/** Scales 0..1 crops to the model's input range and channel order (inside a tidy). */
export function prepareInput(crops: tf.Tensor4D, spec: Pick<EmbedderSpec, 'range' | 'bgr'>): tf.Tensor4D {
  let x = crops;
  if (spec.bgr) x = tf.reverse(x, -1);
  if (spec.range === 'symmetric') x = x.mul(2).sub(1);
  else if (spec.range === 'byte') x = x.mul(255);
  return x;
}

/** What an embedder runs: prepared crops in, raw embeddings out (called inside a tidy). */
export interface EmbeddingNetwork {
  forward(input: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

/** A converted graph model read at one output node. */
export function graphNetwork(model: tf.GraphModel, output: string): EmbeddingNetwork {
  return {
    forward: (input) => model.execute(input, output) as tf.Tensor,
    dispose: () => model.dispose(),
  };
}

/** Where an embedder's model comes from: the app's registry, or files in a Node script or test. */
export interface EmbedderModels {
  graph(id: string): Promise<tf.GraphModel>;
  weights(id: string): Promise<tf.NamedTensorMap>;
}

/**
 * The network behind an embedder. A graph model stays its loader's; our own network is built
 * from the weights into folded copies that the returned network owns (the weights stay the
 * loader's), so build it once per model and keep it.
 */
export async function createEmbeddingNetwork(spec: EmbedderSpec, models: EmbedderModels): Promise<EmbeddingNetwork> {
  const { network } = spec;
  if (network.kind === 'graph') return graphNetwork(await models.graph(spec.id), network.output);
  return new FaceDescriptorNet(await models.weights(spec.id));
}

export class Embedder {
  constructor(
    private readonly network: EmbeddingNetwork,
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
      const raw = this.network.forward(prepareInput(crops, this.spec));
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
    this.network.dispose();
  }
}
