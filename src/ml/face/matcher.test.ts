import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EmbeddingHead } from '../siamese/head';
import { PairClassifier } from '../siamese/pair-classifier';
import { createMatcher, onCosineScale, type MatchingModel, type PackedTemplates } from './matcher';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A unit vector at `deg` degrees in the first two of `dim` dimensions: cosines are cos(Δangle). */
const at = (deg: number, dim = 2) => {
  const v = new Float32Array(dim);
  v[0] = Math.cos((deg * Math.PI) / 180);
  v[1] = Math.sin((deg * Math.PI) / 180);
  return v;
};
const cos = (deg: number) => Math.cos((deg * Math.PI) / 180);

/** Alice at 0° and 20°, Bob at 90°, Carol at 180°. */
function gallery(dim = 2): PackedTemplates {
  const rows = [at(0, dim), at(20, dim), at(90, dim), at(180, dim)];
  const matrix = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => matrix.set(r, i * dim));
  return { identityIds: ['alice', 'alice', 'bob', 'carol'], matrix, dim };
}

describe('createMatcher, plain cosine', () => {
  it('identifies the best identity over its best template, and says unknown below the threshold', async () => {
    const m = await createMatcher(gallery(), { backend: 'cpu' });
    expect(m.size).toBe(4);
    const near = await m.identify(at(15), cos(10));
    expect(near.identityId).toBe('alice');
    expect(near.score).toBeCloseTo(cos(5), 6); // the 20° template, not the 0° one
    const between = await m.identify(at(50), cos(10)); // 30° from Alice's 20°, 40° from Bob
    expect(between).toMatchObject({ identityId: null, closestId: 'alice' });
    expect(between.score).toBeCloseTo(cos(30), 6);
    m.close();
  });

  it("verifies against the claimed identity's templates only, even when others score higher", async () => {
    // Shortlist of one: a 1:N search would only ever see the single nearest template.
    const m = await createMatcher(gallery(), { backend: 'cpu', shortlist: 1 });
    const probe = at(80); // nearest is Bob (10°), Alice's best is 60° away
    expect((await m.identify(probe, 0)).identityId).toBe('bob');
    const claim = await m.verify(probe, 'alice', 0.4);
    expect(claim.identityId).toBe('alice');
    expect(claim.score).toBeCloseTo(cos(60), 6);
    expect((await m.verify(probe, 'alice', 0.6)).identityId).toBeNull();
    expect(await m.verify(probe, 'nobody', 0)).toEqual({ identityId: null, closestId: null, score: 0 });
    m.close();
  });

  it('answers an empty gallery without a search, and refuses a matrix of the wrong size', async () => {
    const empty = await createMatcher({ identityIds: [], matrix: new Float32Array(0), dim: 2 }, { backend: 'cpu' });
    expect(await empty.identify(at(0), 0.5)).toEqual({ identityId: null, closestId: null, score: 0 });
    empty.close();
    await expect(
      createMatcher({ identityIds: ['a'], matrix: new Float32Array(3), dim: 2 }, { backend: 'cpu' }),
    ).rejects.toThrow(RangeError);
  });
});

describe('createMatcher with an adopted Lab model', () => {
  it('maps templates and probes through a head and decides at its threshold, scored on the cosine scale', async () => {
    const head = EmbeddingHead.create({ kind: 'linear', modelId: 'facedescriptor', inputDim: 4 }); // identity init
    const model: MatchingModel = { id: 'h', modelId: 'facedescriptor', threshold: cos(30), head, classifier: null };
    const before = tf.memory().numTensors;
    const m = await createMatcher(gallery(4), { backend: 'cpu', model });
    const d = await m.identify(at(25, 4), 0.9);
    // 5° from Alice's 20° template: passes the head's own threshold (cos 30°), and its score
    // lands above the caller's 0.9 on the cosine scale.
    expect(d.identityId).toBe('alice');
    expect(d.score).toBeCloseTo(onCosineScale(cos(5), model, 0.9), 5);
    expect(d.score).toBeGreaterThan(0.9);
    const far = await m.identify(at(55, 4), 0.9); // 35° from both Alice's 20° and Bob

    expect(far.identityId).toBeNull();
    expect(far.score).toBeLessThan(0.9);
    m.close();
    expect(tf.memory().numTensors).toBe(before);
    head.dispose();
  });

  it('re-scores with a pair classifier, for 1:N and 1:1 alike', async () => {
    const classifier = PairClassifier.create({ feature: 'abs', modelId: 'facedescriptor', inputDim: 2 });
    const model: MatchingModel = { id: 'c', modelId: 'facedescriptor', threshold: 0.5, head: null, classifier };
    const m = await createMatcher(gallery(), { backend: 'cpu', model });
    const probe = at(2);
    const same = await classifier.probability(probe, at(0));
    const one = await m.verify(probe, 'alice', 0.9);
    expect(one.score).toBeCloseTo(onCosineScale(same, model, 0.9), 5);
    expect((await m.identify(probe, 0.9)).closestId).toBe('alice');
    m.close();
    classifier.dispose();
  });
});

describe('onCosineScale', () => {
  it("puts the model's threshold on the caller's and keeps both ends", () => {
    const head = { id: 'h', modelId: 'x', threshold: 0.2, head: null, classifier: null } as MatchingModel;
    expect(onCosineScale(0.2, head, 0.9)).toBeCloseTo(0.9, 12);
    expect(onCosineScale(1, head, 0.9)).toBeCloseTo(1, 12);
    expect(onCosineScale(-1, head, 0.9)).toBeCloseTo(-1, 12);
    expect(onCosineScale(0.6, head, 0.9)).toBeCloseTo(0.95, 12);
  });
});
