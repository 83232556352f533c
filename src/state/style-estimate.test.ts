import { describe, expect, it } from 'vitest';
import { estimateRemainingMs, formatRemaining } from './style-estimate';

/** Cost rows with only the iteration number and its milliseconds filled in. */
const rows = (ms: number[], from = 1) => ms.map((m, i) => [from + i, 1, 0.5, 0.5, 0, m]);
const one = { index: 0, count: 1, width: 64, height: 48 };

describe('estimateRemainingMs', () => {
  it('has nothing to say before the first iteration', () => {
    expect(estimateRemainingMs([], 200, null)).toBeNull();
  });

  it('estimates from the first iteration alone', () => {
    expect(estimateRemainingMs(rows([600]), 200, one)).toBe(199 * 600);
  });

  it('leaves out the slow first iteration once there are others, and takes the median of the last five', () => {
    // 6 s of start-up, then steady near 500 ms with one hiccup.
    const r = rows([6000, 500, 520, 2000, 480, 510, 500]);
    expect(estimateRemainingMs(r, 100, one)).toBe(93 * 510);
  });

  it('reckons the full-size stage of coarse to fine at four times the half-size pace', () => {
    const coarse = { index: 0, count: 2, width: 32, height: 24 };
    // 10 iterations: 5 at half size, 5 at full size; 2 half-size ones done at 100 ms.
    expect(estimateRemainingMs(rows([100, 100]), 10, coarse)).toBe(3 * 100 + 5 * 400);
    const fine = { index: 1, count: 2, width: 64, height: 48 };
    // Just into the full-size stage: no full-size pace yet but the first's, then its own.
    expect(estimateRemainingMs(rows([100, 100, 100, 100, 100]), 10, fine)).toBe(5 * 400);
    expect(estimateRemainingMs(rows([100, 100, 100, 100, 100, 450, 410]), 10, fine)).toBe(3 * 430);
  });

  it('is zero at the end', () => {
    expect(estimateRemainingMs(rows([300, 300, 300]), 3, one)).toBe(0);
  });
});

describe('formatRemaining', () => {
  it('speaks in seconds, minutes and hours', () => {
    expect(formatRemaining(null)).toBeNull();
    expect(formatRemaining(4000)).toBe('a few seconds left');
    expect(formatRemaining(37_000)).toBe('about 35 s left');
    expect(formatRemaining(58_000)).toBe('about 1 min left');
    expect(formatRemaining(119_400)).toBe('about 2 min left');
    expect(formatRemaining(59.6 * 60_000)).toBe('about 1 h left');
    expect(formatRemaining(95 * 60_000)).toBe('about 1 h 35 min left');
  });
});
