import { describe, expect, it } from 'vitest';
import { calibrateThreshold, empiricalThreshold, normalQuantile, ratesAt } from './calibration';

describe('normalQuantile', () => {
  it('matches standard normal tables', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232, 5);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 5);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('empiricalThreshold', () => {
  it('accepts at most floor(target·I) impostors, refusing the next highest score', () => {
    const impostor = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
    // 10 pairs: a 10 % target lets one through (0.95), so 0.9 must be refused.
    const t = empiricalThreshold(impostor, 0.1);
    expect(t).toBeGreaterThan(0.9);
    expect(t).toBeLessThan(0.95);
    expect(ratesAt([1], impostor, t).far).toBe(0.1);
    // Below the resolution (1e-3 of 10 pairs): nothing may pass, so just above the highest.
    const strict = empiricalThreshold(impostor, 1e-3);
    expect(strict).toBeGreaterThan(0.95);
    expect(ratesAt([1], impostor, strict).far).toBe(0);
  });
});

describe('calibrateThreshold', () => {
  it('takes the normal fit where it is stricter than the few highest scores', () => {
    // Impostors: mean 0.3, sample sd 0.1 (values worked out by hand); genuine well above.
    const impostor = [0.2, 0.4, 0.2, 0.4, 0.3, 0.3];
    const sd = Math.sqrt((4 * 0.01) / 5);
    const c = calibrateThreshold([0.9, 0.8, 0.5], impostor, 1e-3);
    expect(c.normalFit).toBeCloseTo(0.3 + sd * 3.090232, 5);
    expect(c.setBy).toBe('normal-fit');
    expect(c.threshold).toBe(c.normalFit);
    expect(c.far).toBe(0);
    expect(c.frr).toBeCloseTo(1 / 3, 9); // 0.5 is below 0.3 + 0.089·3.09 ≈ 0.577
    expect(c.farResolution).toBeCloseTo(1 / 6, 9);
    expect([c.genuinePairs, c.impostorPairs]).toEqual([3, 6]);
  });

  it('takes the empirical threshold when the tail is heavier than a normal curve', () => {
    const impostor = [...Array.from({ length: 99 }, () => 0), 0.99];
    const c = calibrateThreshold([1], impostor, 1e-3);
    expect(c.setBy).toBe('empirical');
    expect(c.threshold).toBeGreaterThan(0.99);
    expect(c.far).toBe(0);
  });

  it('refuses too little data and impossible targets', () => {
    expect(() => calibrateThreshold([], [0.1, 0.2], 1e-3)).toThrow(/at least one genuine/);
    expect(() => calibrateThreshold([1], [0.1, 0.2], 0)).toThrow(RangeError);
  });
});
