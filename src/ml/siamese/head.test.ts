import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, l2Norm, l2Normalize } from '../face/similarity';
import { EmbeddingHead, type HeadRecord } from './head';
import { gaussian, seededRandom } from '../core/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const unitVectors = (n: number, d: number, seed: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => l2Normalize(Float32Array.from({ length: d }, () => gaussian(random))));
};

const linearRecord = (w: number[], d: number, k: number): HeadRecord => ({
  version: 1,
  role: 'head',
  kind: 'linear',
  modelId: 'faceres',
  inputDim: d,
  outputDim: k,
  hiddenDim: null,
  weights: [Float32Array.from(w)],
  shapes: [[d, k]],
  createdAt: 0,
});

describe('EmbeddingHead', () => {
  it('starts as the identity (linear and mlp), so the untrained head scores exactly like cosine', async () => {
    const vectors = unitVectors(5, 6, 1);
    for (const kind of ['linear', 'mlp'] as const) {
      const head = EmbeddingHead.create({ kind, modelId: 'faceres', inputDim: 6 });
      expect(head.hiddenDim).toBe(kind === 'mlp' ? 12 : null);
      const out = await head.applyToVectors(vectors);
      out.forEach((v, i) => v.forEach((x, k) => expect(x).toBeCloseTo((vectors[i] as Float32Array)[k] as number, 6)));
      expect(cosineSimilarity(out[0]!, out[1]!)).toBeCloseTo(cosineSimilarity(vectors[0]!, vectors[1]!), 6);
      head.dispose();
    }
  });

  it('maps [N, d] to L2-normalised [N, k] by hand-set weights', async () => {
    // W = [[1, 0], [0, 0], [0, 2]] (3×2): (0.6, 0.8, 0) → (0.6, 0) → (1, 0); (0, 0.6, 0.8) → (0, 1.6) → (0, 1).
    const head = EmbeddingHead.fromRecord(linearRecord([1, 0, 0, 0, 0, 2], 3, 2));
    const [a, b, c] = await head.applyToVectors([
      Float32Array.of(0.6, 0.8, 0),
      Float32Array.of(0, 0.6, 0.8),
      Float32Array.of(0.6, 0, 0.8),
    ]);
    expect(Array.from(a!)).toEqual([expect.closeTo(1, 6), expect.closeTo(0, 6)]);
    expect(Array.from(b!)).toEqual([expect.closeTo(0, 6), expect.closeTo(1, 6)]);
    // (0.6, 1.6) / √(0.36 + 2.56)
    const n = Math.sqrt(0.36 + 2.56);
    expect(Array.from(c!)).toEqual([expect.closeTo(0.6 / n, 6), expect.closeTo(1.6 / n, 6)]);
    head.dispose();
  });

  it('draws a seeded random projection when the shapes rule out the identity', async () => {
    const make = (seed: number) =>
      EmbeddingHead.create({ kind: 'linear', modelId: 'faceres', inputDim: 8, outputDim: 3, seed });
    const [a, b, c] = [make(4), make(4), make(5)];
    const [ra, rb, rc] = await Promise.all([a.toRecord(), b.toRecord(), c.toRecord()]);
    expect(ra.weights).toEqual(rb.weights);
    expect(ra.weights).not.toEqual(rc.weights);
    const out = await a.applyToVectors(unitVectors(4, 8, 2));
    for (const v of out) {
      expect(v).toHaveLength(3);
      expect(l2Norm(v)).toBeCloseTo(1, 5);
    }
    [a, b, c].forEach((h) => h.dispose());
    const mlp = EmbeddingHead.create({ kind: 'mlp', modelId: 'faceres', inputDim: 8, hiddenDim: 5, outputDim: 4 });
    expect((await mlp.applyToVector(unitVectors(1, 8, 3)[0]!)).length).toBe(4);
    mlp.dispose();
  });

  it('refuses an identity initialisation the shapes cannot give, and embeddings of another length', async () => {
    expect(() =>
      EmbeddingHead.create({ kind: 'linear', modelId: 'faceres', inputDim: 8, outputDim: 4, init: 'identity' }),
    ).toThrow(/outputDim = inputDim/);
    expect(() =>
      EmbeddingHead.create({ kind: 'mlp', modelId: 'faceres', inputDim: 8, hiddenDim: 8, init: 'identity' }),
    ).toThrow(/hiddenDim = 2/);
    expect(() => EmbeddingHead.create({ kind: 'linear', modelId: 'faceres', inputDim: 0 })).toThrow(/inputDim/);
    const head = EmbeddingHead.create({ kind: 'linear', modelId: 'faceres', inputDim: 4 });
    const wrong = tf.zeros([1, 3]) as tf.Tensor2D;
    expect(() => head.apply(wrong)).toThrow(/4-D embeddings \(faceres\)/);
    await expect(head.applyToVector(new Float32Array(3))).rejects.toThrow(/4-D/);
    wrong.dispose();
    head.dispose();
  });

  it('applyToVector agrees with apply and leaves no tensor behind', async () => {
    const head = EmbeddingHead.create({ kind: 'mlp', modelId: 'faceres', inputDim: 6, hiddenDim: 7, seed: 3 });
    const v = unitVectors(1, 6, 9)[0]!;
    const before = tf.memory().numTensors;
    const one = await head.applyToVector(v);
    expect(tf.memory().numTensors).toBe(before);
    const x = tf.tensor2d(v, [1, 6]);
    const y = head.apply(x);
    const batch = await y.data();
    tf.dispose([x, y]);
    Array.from(one).forEach((value, i) => expect(value).toBeCloseTo(batch[i] as number, 6));
    expect(tf.memory().numTensors).toBe(before);
    head.dispose();
  });

  it('round-trips through a plain, cloneable record', async () => {
    const head = EmbeddingHead.create({
      kind: 'mlp',
      modelId: 'mobilefacenet',
      inputDim: 6,
      hiddenDim: 5,
      outputDim: 3,
    });
    const record = structuredClone(await head.toRecord({ eer: 0.05 }, 1234));
    expect(record).toMatchObject({
      version: 1,
      role: 'head',
      kind: 'mlp',
      modelId: 'mobilefacenet',
      inputDim: 6,
      outputDim: 3,
      hiddenDim: 5,
      shapes: [[6, 5], [5], [5, 3], [3]],
      createdAt: 1234,
      metrics: { eer: 0.05 },
    });
    expect(record.weights.every((w) => w instanceof Float32Array)).toBe(true);
    const again = EmbeddingHead.fromRecord(record);
    const v = unitVectors(3, 6, 4);
    expect(await again.applyToVectors(v)).toEqual(await head.applyToVectors(v));
    // The record owns its arrays: training the head on does not change a saved record.
    const saved = record.weights[0]!.slice();
    tf.tidy(() => head.variables[0]!.assign(tf.zeros([6, 5])));
    expect(record.weights[0]).toEqual(saved);
    head.dispose();
    again.dispose();
  });

  it('rejects damaged records with a sentence', () => {
    const good = linearRecord([1, 0, 0, 1], 2, 2);
    expect(() => EmbeddingHead.fromRecord({ ...good, weights: [new Float32Array(3)] })).toThrow(/shape 2×2/);
    expect(() => EmbeddingHead.fromRecord({ ...good, weights: [Float32Array.of(1, NaN, 0, 1)] })).toThrow(/finite/);
    expect(() => EmbeddingHead.fromRecord({ ...good, version: 2 as 1 })).toThrow(/another version/);
    expect(() => EmbeddingHead.fromRecord({ ...good, modelId: '' })).toThrow(/embedder/);
    expect(() => EmbeddingHead.fromRecord({ ...good, role: 'pair-classifier' as 'head' })).toThrow(
      /not an adaptation head/,
    );
  });
});
