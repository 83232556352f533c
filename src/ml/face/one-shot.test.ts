import { describe, expect, it } from 'vitest';
import type { LabelledEmbedding } from './evaluate';
import { multiTemplateEvaluation, oneShotEvaluation } from './one-shot';

/** A unit vector at `deg` degrees in the plane: cosines between samples are cos(Δangle). */
const at = (label: string, deg: number): LabelledEmbedding => {
  const r = (deg * Math.PI) / 180;
  return { label, embedding: Float32Array.from([Math.cos(r), Math.sin(r)]) };
};

describe('oneShotEvaluation', () => {
  it('counts rank-1, misses at the threshold and strangers over every enrolment photo', () => {
    // a: 0° and 10°; b: 90° and 100°; c: 45° (one photo: a stranger source only, never enrolled).
    const samples = [at('a', 0), at('a', 10), at('b', 90), at('b', 100), at('c', 45)];
    const r = oneShotEvaluation(samples, Math.cos((20 * Math.PI) / 180));
    // Two rounds × (a's other photo + b's other photo).
    expect(r.rounds).toBe(2);
    expect(r.probes).toBe(4);
    expect(r.rank1).toBe(1);
    expect(r.miss_rate_at_threshold).toBe(0); // genuine cosines are cos 10° > cos 20°
    // As strangers, a's photos meet b's template (≥ 80° away): never above cos 20°.
    expect(r.stranger_probes).toBe(4);
    expect(r.open_set_fmr).toBe(0);
  });

  it('counts a stranger whose nearest other template passes the threshold', () => {
    const samples = [at('a', 0), at('a', 30), at('b', 10), at('b', 40)];
    const r = oneShotEvaluation(samples, Math.cos((25 * Math.PI) / 180));
    // Round 0: a enrolled at 0°, b at 10°. a's 30° photo: own cos 30° loses to b's cos 20°
    // (a rank-1 miss), and as a stranger b's cos 20° passes cos 25°. Round 1 mirrors it with
    // b's 10° photo against a's 30° template; the 40° and 0° probes stay 30°–40° from the rest.
    expect(r.probes).toBe(4);
    expect(r.rank1).toBe(0.5);
    expect(r.miss_rate_at_threshold).toBe(1);
    expect(r.open_set_fmr).toBe(0.5);
  });

  it('needs two people with two photos', () => {
    expect(() => oneShotEvaluation([at('a', 0), at('a', 5), at('b', 90)], 0.5)).toThrow(/two people/);
  });
});

describe('multiTemplateEvaluation', () => {
  it('scores an identity by the max or the mean of its templates', () => {
    const samples = [at('a', 0), at('a', 20), at('a', 10), at('b', 90), at('b', 110), at('b', 100)];
    const max = multiTemplateEvaluation(samples, 2, 'max');
    const mean = multiTemplateEvaluation(samples, 2, 'mean');
    expect(max.probes).toBe(6); // 3 rounds × one probe per person
    expect(max.rank1).toBe(1);
    expect(mean.rank1).toBe(1);
    // Round 0 for a: templates 0°, 20°; probe 10° → max cos10, mean cos10 as well.
    expect(max.genuine[0]).toBeCloseTo(Math.cos(Math.PI / 18), 6);
    for (let i = 0; i < max.genuine.length; i++)
      expect(max.genuine[i]!).toBeGreaterThanOrEqual(mean.genuine[i]! - 1e-7);
  });
});
