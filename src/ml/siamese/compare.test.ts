import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { equalErrorRate, pairScores, type LabelledEmbedding } from '../face/evaluate';
import { areaUnderRoc, compareOnHeldOut, decidability, pairHistogram } from './compare';
import { EmbeddingHead } from './head';
import { PairClassifier, sigmoid } from './pair-classifier';
import { syntheticEmbeddings } from './synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f = (...v: number[]) => Float32Array.from(v);

describe('areaUnderRoc', () => {
  it('is the share of genuine-impostor score pairs won by the genuine score, ties counting half', () => {
    // genuine 0.9 and 0.8 beat all 4 impostors, 0.4 beats 3 (not 0.5): 11 of 12.
    expect(areaUnderRoc(f(0.9, 0.8, 0.4), f(0.5, 0.3, 0.2, 0.1))).toBeCloseTo(11 / 12, 12);
    // 0.5 vs (0.5, 0.2, 0.5): two ties and one win → 2/3.
    expect(areaUnderRoc(f(0.5), f(0.5, 0.2, 0.5))).toBeCloseTo(2 / 3, 12);
    expect(areaUnderRoc(f(0.1, 0.2), f(0.3))).toBe(0);
    expect(() => areaUnderRoc(f(), f(1))).toThrow(/at least one/);
  });
});

describe('decidability', () => {
  it('is |μg − μi| / √((σg² + σi²) / 2), unchanged by an affine rescaling', () => {
    // genuine 1, 3: μ 2, σ² 1; impostor −1, −2, −3: μ −2, σ² 2/3 → 4 / √(5/6).
    expect(decidability(f(1, 3), f(-1, -2, -3))).toBeCloseTo(4 / Math.sqrt(5 / 6), 6);
    // 2x + 5 of the same scores.
    expect(decidability(f(7, 11), f(3, 1, -1))).toBeCloseTo(4 / Math.sqrt(5 / 6), 6);
    expect(decidability(f(1, 1), f(1, 1))).toBeNaN();
  });
});

describe('pairHistogram', () => {
  it('counts into equal bins over a fixed range, clamping strays into the end bins', () => {
    const h = pairHistogram(f(0, 0.5, 1.99, 2, 4, 5), f(-1, 3.9), 0, 4, 2);
    expect(h.edges).toEqual([0, 2, 4]);
    expect(h.genuine).toEqual([3, 3]);
    expect(h.impostor).toEqual([1, 1]);
    expect(h.genuineFraction).toEqual([0.5, 0.5]);
    expect(h.impostorFraction).toEqual([0.5, 0.5]);
    expect(() => pairHistogram(f(), f(), 0, 1, 0)).toThrow(/bins/);
  });
});

describe('compareOnHeldOut', () => {
  const test: LabelledEmbedding[] = syntheticEmbeddings({ identities: 6, perIdentity: 4, dim: 8, seed: 5 });

  it('scores cosine exactly as face/evaluate does, with distance histograms of 2 − 2·cos', async () => {
    const result = await compareOnHeldOut(test, {}, { bins: 8 });
    const { genuine, impostor } = pairScores(test);
    expect(result).toMatchObject({ identities: 6, samples: 24, genuine_pairs: 36, impostor_pairs: 240 });
    expect(result.methods).toHaveLength(1);
    const cosine = result.methods[0]!;
    expect(cosine).toMatchObject({ method: 'cosine', scale: 'cosine', false_match_rate_for_gallery: null });
    expect(cosine.eer).toBe(equalErrorRate(genuine, impostor).eer);
    expect(cosine.auc).toBe(areaUnderRoc(genuine, impostor));
    expect(cosine.decidability).toBe(decidability(genuine, impostor));
    expect(cosine.roc[0]).toMatchObject({ far: 1, tar: 1 });
    const expected = pairHistogram(
      genuine.map((c) => 2 - 2 * c),
      impostor.map((c) => 2 - 2 * c),
      0,
      4,
      8,
    );
    expect(result.distances.before.genuine).toEqual(expected.genuine);
    expect(result.distances.before.impostor).toEqual(expected.impostor);
    expect(result.distances.after).toBeNull();
    expect(result.probabilities).toBeNull();
  });

  it('adds the head and the pair classifier; an identity head matches cosine; nothing leaks', async () => {
    const head = EmbeddingHead.create({ kind: 'linear', modelId: 'syn', inputDim: 8 });
    const classifier = PairClassifier.create({ feature: 'abs', modelId: 'syn', inputDim: 8 });
    const before = tf.memory().numTensors;
    const result = await compareOnHeldOut(test, { head, pairClassifier: classifier }, { gallerySize: 100 });
    expect(tf.memory().numTensors).toBe(before);
    const [cosine, viaHead, viaClassifier] = result.methods;
    expect(viaHead!.method).toBe('head');
    expect(viaHead!.eer).toBeCloseTo(cosine!.eer, 4);
    expect(viaHead!.auc).toBeCloseTo(cosine!.auc, 4);
    expect(viaHead!.decidability).toBeCloseTo(cosine!.decidability, 3);
    expect(result.distances.after!.genuine).toHaveLength(40);
    expect(viaClassifier).toMatchObject({ method: 'pair-classifier', scale: 'probability' });
    expect(viaClassifier!.threshold_at_eer).toBeGreaterThan(0);
    expect(viaClassifier!.threshold_at_eer).toBeLessThan(1);
    for (const p of viaClassifier!.roc) expect(p.threshold).toBeLessThanOrEqual(1);
    expect(viaClassifier!.false_match_rate_for_gallery).toBeGreaterThan(0);

    // The classifier's scores by hand for the first pair of the set.
    const p01 = await classifier.probability(test[0]!.embedding, test[1]!.embedding);
    const z =
      -(4 / Math.sqrt(8)) * test[0]!.embedding.reduce((s, x, k) => s + Math.abs(x - test[1]!.embedding[k]!), 0) + 2;
    expect(p01).toBeCloseTo(sigmoid(z), 5);
    const probabilities = result.probabilities!;
    expect(probabilities.genuine.reduce((a, b) => a + b)).toBe(36);
    expect(probabilities.impostor.reduce((a, b) => a + b)).toBe(240);
    head.dispose();
    classifier.dispose();
  });
});
