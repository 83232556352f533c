import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  balancedPairs,
  logisticLosses,
  PairClassifier,
  pairFeatures,
  sigmoid,
  type PairClassifierRecord,
  type PairFeature,
} from './pair-classifier';
import { seededRandom } from '../core/random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const record = (feature: PairFeature, w: number[], b: number): PairClassifierRecord => ({
  version: 1,
  role: 'pair-classifier',
  kind: feature,
  modelId: 'faceres',
  inputDim: w.length,
  outputDim: 1,
  weights: [Float32Array.from(w), Float32Array.of(b)],
  shapes: [[w.length, 1], [1]],
  createdAt: 0,
});

async function values(make: () => tf.Tensor): Promise<number[]> {
  const t = make();
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('pairFeatures', () => {
  // a = (1, −0.5, 0), b = (0.5, 0.5, 0)
  const a = [[1, -0.5, 0]];
  const b = [[0.5, 0.5, 0]];

  it('abs: |a − b|', async () => {
    expect(await values(() => pairFeatures(tf.tensor2d(a), tf.tensor2d(b), 'abs'))).toEqual([0.5, 1, 0]);
  });

  it('chi2: (a − b)² / (|a| + |b| + ε), finite for opposite signs and for two zeros', async () => {
    // 0.25 / 1.5 = 1/6; 1 / (0.5 + 0.5) = 1 (a + b would be 0 here); 0 / ε = 0.
    const before = tf.memory().numTensors;
    const v = await values(() => tf.tidy(() => pairFeatures(tf.tensor2d(a), tf.tensor2d(b), 'chi2')));
    expect(tf.memory().numTensors).toBe(before);
    expect(v).toEqual([expect.closeTo(1 / 6, 5), expect.closeTo(1, 5), 0]);
  });
});

describe('logisticLosses', () => {
  it('is softplus(z) − y·z: ln 2 at z = 0, exact for large |z|', async () => {
    const v = await values(() =>
      tf.tidy(() => logisticLosses(tf.tensor1d([0, 2, -100, 100, 100]), tf.tensor1d([1, 0, 0, 0, 1]))),
    );
    expect(v[0]).toBeCloseTo(Math.LN2, 6);
    expect(v[1]).toBeCloseTo(Math.log1p(Math.exp(2)), 5);
    expect(v[2]).toBeCloseTo(0, 6);
    expect(v[3]).toBeCloseTo(100, 4);
    expect(v[4]).toBeCloseTo(0, 4);
  });
});

describe('PairClassifier', () => {
  it('computes σ(Σ w_k φ_k + b) by hand-set weights', async () => {
    const abs = PairClassifier.fromRecord(record('abs', [1, -2, 3], 0.5));
    const chi2 = PairClassifier.fromRecord(record('chi2', [1, -2, 3], 0.5));
    const x = Float32Array.of(1, -0.5, 0);
    const y = Float32Array.of(0.5, 0.5, 0);
    // abs: 0.5 − 2 + 0 + 0.5 = −1; chi2: 1/6 − 2 + 0 + 0.5 = −4/3.
    expect(await abs.probability(x, y)).toBeCloseTo(sigmoid(-1), 6);
    expect(await chi2.probability(x, y)).toBeCloseTo(sigmoid(-4 / 3), 5);
    const before = tf.memory().numTensors;
    const [logit] = await values(() =>
      tf.tidy(() => abs.logits(tf.tensor2d([Array.from(x)]), tf.tensor2d([Array.from(y)]))),
    );
    expect(logit).toBeCloseTo(-1, 6);
    const [p] = await values(() =>
      tf.tidy(() => abs.probabilities(tf.tensor2d([Array.from(x)]), tf.tensor2d([Array.from(y)]))),
    );
    expect(p).toBeCloseTo(sigmoid(-1), 6);
    expect(tf.memory().numTensors).toBe(before);
    abs.dispose();
    chi2.dispose();
  });

  // L1 distances from (1, 0): 0.8, 2 and 2.4.
  it('untrained, ranks pairs by L1 distance (closer pairs score higher)', async () => {
    const c = PairClassifier.create({ feature: 'abs', modelId: 'faceres', inputDim: 2 });
    const base = Float32Array.of(1, 0);
    const scores = await c.logitsForPairs(
      [base, Float32Array.of(0.8, 0.6), Float32Array.of(0, 1), Float32Array.of(-0.6, -0.8)],
      [0, 0, 0],
      [1, 2, 3],
    );
    expect(scores[0]).toBeGreaterThan(scores[1] as number);
    expect(scores[1]).toBeGreaterThan(scores[2] as number);
    expect(await c.probability(base, base)).toBeCloseTo(sigmoid(2), 6);
    c.dispose();
  });

  it('scores pairs in chunks with the same result and no tensor left behind', async () => {
    const c = PairClassifier.fromRecord(record('chi2', [0.3, -1, 2, 0.5], -0.2));
    const random = seededRandom(4);
    const embeddings = Array.from({ length: 6 }, () => Float32Array.from({ length: 4 }, () => random() - 0.5));
    const first = [0, 1, 2, 3, 4, 5, 0];
    const second = [1, 2, 3, 4, 5, 0, 3];
    const before = tf.memory().numTensors;
    const whole = await c.logitsForPairs(embeddings, first, second);
    const chunked = await c.logitsForPairs(embeddings, first, second, 3);
    expect(tf.memory().numTensors).toBe(before);
    expect(chunked).toEqual(whole);
    await expect(c.logitsForPairs([new Float32Array(3)], [0], [0])).rejects.toThrow(/4-D embeddings/);
    c.dispose();
  });

  it('round-trips through a plain, cloneable record and rejects damaged ones', async () => {
    const c = PairClassifier.create({ feature: 'chi2', modelId: 'mobilefacenet', inputDim: 3 });
    const r = structuredClone(await c.toRecord({ auc: 0.9 }, 42));
    expect(r).toMatchObject({
      role: 'pair-classifier',
      kind: 'chi2',
      modelId: 'mobilefacenet',
      inputDim: 3,
      outputDim: 1,
      shapes: [[3, 1], [1]],
      createdAt: 42,
      metrics: { auc: 0.9 },
    });
    const again = PairClassifier.fromRecord(r);
    const x = Float32Array.of(0.1, -0.2, 0.3);
    const y = Float32Array.of(0.3, 0.2, -0.1);
    expect(await again.probability(x, y)).toBe(await c.probability(x, y));
    expect(() => PairClassifier.fromRecord({ ...r, weights: [new Float32Array(3)] })).toThrow(/2 weight arrays|has 1/);
    expect(() => PairClassifier.fromRecord({ ...r, kind: 'cosine' as PairFeature })).toThrow(/not a pair classifier/);
    expect(() => PairClassifier.create({ feature: 'l2' as PairFeature, modelId: 'x', inputDim: 2 })).toThrow(/Unknown/);
    c.dispose();
    again.dispose();
  });
});

describe('balancedPairs', () => {
  const groups = [[0, 1, 2], [3, 4], [5]];

  it('draws half genuine pairs (two different samples of one identity), half impostor pairs', () => {
    const { first, second, targets } = balancedPairs(groups, 11, seededRandom(3));
    const labelOf = (s: number) => groups.findIndex((g) => g.includes(s));
    expect(targets).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    targets.forEach((t, i) => {
      const [a, b] = [first[i] as number, second[i] as number];
      if (t === 1) {
        expect(labelOf(a)).toBe(labelOf(b));
        expect(a).not.toBe(b);
      } else {
        expect(labelOf(a)).not.toBe(labelOf(b));
      }
    });
    expect(balancedPairs(groups, 11, seededRandom(3))).toEqual({ first, second, targets });
    // The one-sample identity can only be an impostor.
    const many = balancedPairs(groups, 400, seededRandom(1));
    expect(many.first.some((s, i) => (s === 5 || many.second[i] === 5) && many.targets[i] === 0)).toBe(true);
    expect(many.first.some((s, i) => (s === 5 || many.second[i] === 5) && many.targets[i] === 1)).toBe(false);
  });

  it('refuses data without a genuine or an impostor pair', () => {
    expect(() => balancedPairs([[0], [1]], 4, seededRandom(1))).toThrow(/two samples/);
    expect(() => balancedPairs([[0, 1]], 4, seededRandom(1))).toThrow(/two identities/);
  });
});
