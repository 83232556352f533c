import { describe, expect, it } from 'vitest';
import { baselineSearch, euclideanDistance, toBaselineRecords } from './search-baseline';
import { CpuSearcher } from './search';

function uniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  };
}

/** `count` random unit vectors, packed. */
function unitVectors(count: number, dim: number, seed: number): Float32Array {
  const next = uniform(seed);
  const v = Float32Array.from({ length: count * dim }, next);
  for (let b = 0; b < v.length; b += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (v[b + j] as number) ** 2;
    for (let j = 0; j < dim; j++) v[b + j] = (v[b + j] as number) / Math.sqrt(s);
  }
  return v;
}

describe('baselineSearch', () => {
  it('computes Euclidean distances', () => {
    expect(euclideanDistance([0, 0], [3, 4])).toBe(5);
    expect(euclideanDistance([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(() => euclideanDistance([1], [1, 2])).toThrow(/differ in length/);
    const records = toBaselineRecords(Float32Array.from([0, 0, 3, 4, 1, 0]), 2);
    expect(records).toEqual([{ descriptor: [0, 0] }, { descriptor: [3, 4] }, { descriptor: [1, 0] }]);
    expect(baselineSearch(records, [0, 0], 2)).toEqual([
      { index: 0, distance: 0 },
      { index: 2, distance: 1 },
    ]);
  });

  it('ranks L2-normalised templates as the cosine search does', () => {
    const dim = 192;
    const vectors = unitVectors(500, dim, 21);
    const probes = unitVectors(5, dim, 22);
    const records = toBaselineRecords(vectors, dim);
    const cosine = new CpuSearcher({ vectors, dim });
    for (let p = 0; p < 5; p++) {
      const probe = probes.subarray(p * dim, (p + 1) * dim);
      const near = baselineSearch(records, Array.from(probe), 20);
      const [best] = cosine.searchNow(probe, 20);
      expect(near.map((m) => m.index)).toEqual(best?.map((h) => h.index));
      // On the unit sphere |a − b| = √(2 − 2·cos(a, b)).
      near.forEach((m, i) => expect(m.distance).toBeCloseTo(Math.sqrt(2 - 2 * (best?.[i]?.score as number)), 5));
    }
  });
});
