import { describe, expect, it } from 'vitest';
import type { LabelledEmbedding } from '../face/evaluate';
import { l2Norm } from '../face/similarity';
import { embeddingDim, groupByLabel, labelledFromGroups, labelledFromPackedTemplates, splitByIdentity } from './split';
import { seededRandom, shuffleInPlace } from '../core/random';

const sample = (label: string, ...v: number[]): LabelledEmbedding => ({ label, embedding: Float32Array.from(v) });

/** `identities` identities named p0, p1, ... with `per` unit 2-D samples each, plus one singleton. */
function people(identities: number, per: number): LabelledEmbedding[] {
  const out: LabelledEmbedding[] = [];
  for (let i = 0; i < identities; i++) for (let j = 0; j < per; j++) out.push(sample(`p${i}`, 1, 0));
  out.push(sample('loner', 0, 1));
  return out;
}

describe('groupByLabel', () => {
  it('lists sample indices per label in order of first appearance', () => {
    expect(groupByLabel([{ label: 'b' }, { label: 'a' }, { label: 'b' }, { label: 'c' }, { label: 'a' }])).toEqual({
      labels: ['b', 'a', 'c'],
      groups: [[0, 2], [1, 4], [3]],
    });
  });
});

describe('splitByIdentity', () => {
  it('puts every identity wholly on one side, holds out the asked share, and leaves out singletons', () => {
    const data = people(10, 3);
    const split = splitByIdentity(data, { testFraction: 0.3, seed: 4 });
    expect(split.testIdentities).toHaveLength(3);
    expect(split.trainIdentities).toHaveLength(7);
    expect(split.excluded).toEqual(['loner']);
    const trainLabels = new Set(split.train.map((s) => s.label));
    const testLabels = new Set(split.test.map((s) => s.label));
    expect([...trainLabels].filter((l) => testLabels.has(l))).toEqual([]);
    expect(split.train).toHaveLength(21);
    expect(split.test).toHaveLength(9);
    expect([...testLabels].sort()).toEqual([...split.testIdentities].sort());
  });

  it('depends on the seed and the labels, not on the order of the samples', () => {
    const data = people(12, 2);
    const a = splitByIdentity(data, { seed: 7 });
    const shuffled = shuffleInPlace(data.slice(), seededRandom(1));
    expect(splitByIdentity(shuffled, { seed: 7 }).testIdentities).toEqual(a.testIdentities);
    const others = [1, 2, 3, 4, 5].map((seed) => splitByIdentity(data, { seed }).testIdentities.join());
    expect(new Set(others).size).toBeGreaterThan(1);
  });

  it('keeps two identities on each side and says when there are too few', () => {
    expect(splitByIdentity(people(4, 2), { testFraction: 0.1 }).testIdentities).toHaveLength(2);
    expect(splitByIdentity(people(4, 2), { testFraction: 0.9 }).trainIdentities).toHaveLength(2);
    expect(() => splitByIdentity(people(3, 2))).toThrow(
      /at least 4 identities with 2 or more images each.*there are 3/,
    );
    expect(() => splitByIdentity(people(5, 2), { testFraction: 1 })).toThrow(/strictly between 0 and 1/);
    expect(() => splitByIdentity([sample('a', 1, 0), sample('b', 1, 0, 0)])).toThrow(/were all made by one model/);
  });
});

describe('labelled embeddings from the gallery and from folders', () => {
  it('unpacks packed templates row by row, normalised and labelled by identity', () => {
    const packed = { identityIds: ['ada', 'bob', 'ada'], matrix: Float32Array.of(3, 4, 0, 2, 1, 0), dim: 2 };
    const out = labelledFromPackedTemplates(packed, 'gallery:');
    expect(out.map((s) => s.label)).toEqual(['gallery:ada', 'gallery:bob', 'gallery:ada']);
    expect(Array.from(out[0]!.embedding)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6)]);
    expect(Array.from(out[2]!.embedding)).toEqual([1, 0]);
    expect(() => labelledFromPackedTemplates({ ...packed, dim: 3 })).toThrow(/need 9 numbers/);
  });

  it('flattens groups given as an object or as entries, copying and normalising', () => {
    const e = Float32Array.of(0, 2);
    const fromObject = labelledFromGroups({ alice: [e, Float32Array.of(1, 1)], bob: [Float32Array.of(5, 0)] });
    const fromEntries = labelledFromGroups(
      new Map([
        ['alice', [e, Float32Array.of(1, 1)]],
        ['bob', [Float32Array.of(5, 0)]],
      ]),
    );
    expect(fromEntries).toEqual(fromObject);
    expect(fromObject.map((s) => s.label)).toEqual(['alice', 'alice', 'bob']);
    for (const s of fromObject) expect(l2Norm(s.embedding)).toBeCloseTo(1, 6);
    expect(e[1]).toBe(2);
    expect(embeddingDim(fromObject)).toBe(2);
    expect(() => labelledFromGroups({ a: [Float32Array.of(1, 0)], b: [Float32Array.of(1, 0, 0)] })).toThrow(/3-D/);
    expect(() => labelledFromGroups({ a: [new Float32Array(2)] })).toThrow(/zero/);
  });
});
