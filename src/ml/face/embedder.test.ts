import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDescriptorWeights, loadTestModel } from '../../test/fixtures';
import { createEmbeddingNetwork, Embedder, EMBEDDERS, prepareInput } from './embedder';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('prepareInput', () => {
  it('maps 0..1 crops to each input range and channel order', async () => {
    const x = tf.tensor4d([0, 0.5, 1], [1, 1, 1, 3]);
    const read = (t: tf.Tensor) => t.data().then((d) => Array.from(d));
    expect(await read(prepareInput(x, { range: 'unit', bgr: false }))).toEqual([0, 0.5, 1]);
    expect(await read(prepareInput(x, { range: 'symmetric', bgr: false }))).toEqual([-1, 0, 1]);
    expect(await read(prepareInput(x, { range: 'byte', bgr: true }))).toEqual([255, 127.5, 0]);
  });
});

describe('embedder specs', () => {
  it('calibrate Unlock no looser than Identify, at the FARs they state', () => {
    for (const spec of Object.values(EMBEDDERS)) {
      expect(spec.unlock.threshold).toBeGreaterThanOrEqual(spec.identify.threshold);
      expect(spec.unlock.far).toBeLessThanOrEqual(spec.unlock.targetFar);
      expect(spec.unlock.targetFar).toBe(1e-3);
      expect(spec.unlock.impostorPairs).toBeGreaterThan(1000);
    }
  });
});

describe.each(Object.values(EMBEDDERS))('$name embedder', (spec) => {
  it(`gives ${spec.dim}-D unit vectors, one per crop, and leaks nothing`, async () => {
    const weights = spec.network.kind === 'descriptor' ? await loadDescriptorWeights() : null;
    const network = await createEmbeddingNetwork(spec, { graph: loadTestModel, weights: async () => weights! });
    const embedder = new Embedder(network, spec);
    const crops = tf.randomUniform([2, spec.inputSize, spec.inputSize, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const [a, b] = await embedder.embed(crops);
    expect(tf.memory().numTensors).toBe(before);
    expect(a).toHaveLength(spec.dim);
    const norm = Math.hypot(...a!);
    expect(norm).toBeCloseTo(1, 5);
    expect(Array.from(a!)).not.toEqual(Array.from(b!));
    expect(await embedder.embed(crops.slice(0, 0) as tf.Tensor4D)).toEqual([]);
    crops.dispose();
    embedder.dispose();
    if (weights) tf.dispose(Object.values(weights));
  }, 60_000);
});
