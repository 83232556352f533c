import { describe, expect, it } from 'vitest';
import { cosineSimilarity, dot, l2Norm, l2Normalize, verify } from './similarity';

const f = (...v: number[]) => Float32Array.from(v);

describe('cosineSimilarity', () => {
  it('matches hand-worked values', () => {
    expect(cosineSimilarity(f(1, 0), f(1, 1))).toBeCloseTo(Math.SQRT1_2, 7); // 0.70710678…
    expect(cosineSimilarity(f(1, 0), f(0, 3))).toBe(0);
    expect(cosineSimilarity(f(2, 0), f(-5, 0))).toBe(-1);
    // (1,2,2)·(2,1,-2) = 0; (3,4)·(4,3) = 24, |3,4|·|4,3| = 25.
    expect(cosineSimilarity(f(1, 2, 2), f(2, 1, -2))).toBe(0);
    expect(cosineSimilarity(f(3, 4), f(4, 3))).toBeCloseTo(0.96, 7);
  });

  it('ignores length and stays within [-1, 1]', () => {
    expect(cosineSimilarity(f(0.1, 0.2, 0.3), f(10, 20, 30))).toBeLessThanOrEqual(1);
    expect(cosineSimilarity(f(0.1, 0.2, 0.3), f(10, 20, 30))).toBeCloseTo(1, 6);
  });

  it('returns 0 for a zero vector', () => {
    expect(cosineSimilarity(f(0, 0), f(1, 1))).toBe(0);
    expect(cosineSimilarity(f(1, 1), f(0, 0))).toBe(0);
  });

  it('refuses embeddings of different lengths', () => {
    expect(() => cosineSimilarity(f(1, 0), f(1, 0, 0))).toThrow(/differ in length/);
    expect(() => dot(f(1), f(1, 2))).toThrow(/differ in length/);
  });
});

describe('l2Normalize', () => {
  it('scales to unit length without touching the input', () => {
    const v = f(3, 4);
    const u = l2Normalize(v);
    expect(Array.from(u)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(Array.from(v)).toEqual([3, 4]);
    expect(l2Norm(u)).toBeCloseTo(1, 6);
    expect(dot(u, u)).toBeCloseTo(1, 6);
  });

  it('throws for a zero or non-finite vector', () => {
    expect(() => l2Normalize(f(0, 0, 0))).toThrow(/zero or non-finite/);
    expect(() => l2Normalize(f(Infinity, 1))).toThrow(/zero or non-finite/);
  });
});

describe('verify', () => {
  const templates = [f(0, 1), f(1, 1), f(1, 0.1)];

  it('scores the best template and compares it with the threshold', () => {
    const probe = f(1, 0);
    const r = verify(probe, templates, 0.9);
    expect(r.bestIndex).toBe(2);
    expect(r.score).toBeCloseTo(1 / Math.sqrt(1.01), 6); // 0.99503…
    expect(r.match).toBe(true);
    expect(verify(probe, templates, 0.996).match).toBe(false);
  });

  it('matches at exactly the threshold', () => {
    const r = verify(f(1, 0), [f(1, 0)], 1);
    expect(r).toEqual({ score: 1, match: true, bestIndex: 0 });
  });

  it('keeps the first of equally good templates', () => {
    expect(verify(f(1, 1), [f(0, 1), f(2, 2), f(1, 1)], 0.5).bestIndex).toBe(1);
  });

  it('never matches without templates or with a zero probe', () => {
    expect(verify(f(1, 0), [], -1)).toEqual({ score: -Infinity, match: false, bestIndex: -1 });
    const zero = verify(f(0, 0), templates, 0.5);
    expect(zero.score).toBe(0);
    expect(zero.match).toBe(false);
  });
});
