import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blinkTemplate, detectBlinks, eyeClosure, type EyeSample } from './blink';
import { seededRandom } from '../core/random';

interface Dip {
  /** Centre, ms. */
  t: number;
  /** Closure at the centre, 0..1. */
  depth?: number;
  /** Gaussian σ of the closure, ms (65 ms: half-closed for ~150 ms, a typical blink). */
  sigma?: number;
  eyes?: 'both' | 'left' | 'right';
}

/**
 * Eye aspect ratios sampled at `times`: open levels 0.30 / 0.28 with ±0.006 noise, times the
 * closure profile of each dip.
 */
function eyeSignal(times: number[], dips: Dip[], seed = 1): EyeSample[] {
  const rng = seededRandom(seed);
  return times.map((t) => {
    let left = 1;
    let right = 1;
    for (const d of dips) {
      const c = (d.depth ?? 0.85) * Math.exp(-((t - d.t) ** 2) / (2 * (d.sigma ?? 65) ** 2));
      if (d.eyes !== 'right') left *= 1 - c;
      if (d.eyes !== 'left') right *= 1 - c;
    }
    return { t, left: 0.3 * left + (rng() - 0.5) * 0.012, right: 0.28 * right + (rng() - 0.5) * 0.012 };
  });
}

/** Frame times at `fps` from 0 to `durationMs`, each moved by up to ±jitter ms. */
function frameTimes(fps: number, durationMs: number, jitter = 0, seed = 2, phase = 0): number[] {
  const rng = seededRandom(seed);
  const out: number[] = [];
  for (let t = phase; t <= durationMs; t += 1000 / fps) out.push(t + (rng() * 2 - 1) * jitter);
  return out;
}

describe('blinkTemplate', () => {
  it('is zero-mean, symmetric, and responds with 1 to a Gaussian dip of its own width', () => {
    const h = blinkTemplate();
    const step = 1000 / 15;
    expect(h.length % 2).toBe(1);
    expect(Math.abs(h.reduce((a, b) => a + b, 0))).toBeLessThan(1e-6);
    const r = (h.length - 1) / 2;
    for (let k = 0; k < r; k++) expect(h[k]).toBeCloseTo(h[h.length - 1 - k]!, 6);
    let response = 0;
    h.forEach((v, k) => (response += v * Math.exp(-(((k - r) * step) ** 2) / (2 * 80 ** 2))));
    expect(response).toBeCloseTo(1, 5);
  });
});

describe('eyeClosure', () => {
  it('is about 0 for open eyes of any open level and about the depth at a blink', () => {
    const s = eyeSignal(frameTimes(30, 3000), [{ t: 1500, depth: 0.9 }]);
    const c = eyeClosure(s);
    const atBlink = s.findIndex((x) => Math.abs(x.t - 1500) < 17);
    expect(Math.abs(c[10]![0])).toBeLessThan(0.05);
    expect(Math.abs(c[10]![1])).toBeLessThan(0.05);
    expect(c[atBlink]![0]).toBeGreaterThan(0.8);
    expect(c[atBlink]![1]).toBeGreaterThan(0.8);
  });

  it('gives no closure for eyes never seen open', () => {
    const s = frameTimes(15, 2000).map((t) => ({ t, left: 0.04, right: 0.05 }));
    expect(eyeClosure(s).every(([l, r]) => l === 0 && r === 0)).toBe(true);
  });
});

describe('detectBlinks', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('finds one blink at 30 fps, at the right time, with a plausible duration and depth', async () => {
    const blinks = await detectBlinks(eyeSignal(frameTimes(30, 4000, 4), [{ t: 2000 }]));
    expect(blinks).toHaveLength(1);
    const [b] = blinks;
    expect(Math.abs(b!.peak - 2000)).toBeLessThanOrEqual(20);
    expect(b!.start).toBeLessThan(2000);
    expect(b!.end).toBeGreaterThan(2000);
    // Half-depth width of the dip: 2·√(2 ln 2)·65 ms ≈ 153 ms (depth measured on the noisy samples).
    expect(b!.duration).toBeGreaterThan(120);
    expect(b!.duration).toBeLessThan(190);
    expect(b!.depth).toBeGreaterThan(0.75);
    expect(b!.samples).toBeGreaterThanOrEqual(4);
    expect(b!.response).toBeGreaterThan(0.5);
  });

  it('finds each of several blinks on irregular frame times', async () => {
    const rng = seededRandom(5);
    const times: number[] = [];
    for (let t = 0; t < 6000; t += 30 + rng() * 90) times.push(t);
    const blinks = await detectBlinks(eyeSignal(times, [{ t: 1200 }, { t: 3000, sigma: 90 }, { t: 4700, depth: 0.7 }]));
    expect(blinks.map((b) => b.peak)).toHaveLength(3);
    [1200, 3000, 4700].forEach((t, i) => expect(Math.abs(blinks[i]!.peak - t)).toBeLessThan(70));
  });

  it('finds nothing in open eyes with noise, or while the eyes narrow slowly (a squint)', async () => {
    const times = frameTimes(30, 5000, 4);
    expect(await detectBlinks(eyeSignal(times, []))).toEqual([]);
    const squint = eyeSignal(times, []).map((s) => {
      const k = 1 - 0.35 * Math.min(1, Math.max(0, (s.t - 1000) / 3000));
      return { t: s.t, left: s.left * k, right: s.right * k };
    });
    expect(await detectBlinks(squint)).toEqual([]);
  });

  it('rejects a one-frame glitch in one eye', async () => {
    const s = eyeSignal(frameTimes(30, 4000, 4), []);
    s[60] = { ...s[60]!, left: 0.01 };
    expect(await detectBlinks(s)).toEqual([]);
  });

  it('rejects a one-frame dip in both eyes at 30 fps as implausibly sharp', async () => {
    const s = eyeSignal(frameTimes(30, 4000, 4), []);
    s[60] = { ...s[60]!, left: 0.02, right: 0.02 };
    expect(await detectBlinks(s)).toEqual([]);
  });

  it('rejects a wink (one eye closes, the other stays open)', async () => {
    const times = frameTimes(30, 4000, 4);
    expect(await detectBlinks(eyeSignal(times, [{ t: 2000, eyes: 'left' }]))).toEqual([]);
    expect(await detectBlinks(eyeSignal(times, [{ t: 2000, eyes: 'right', depth: 0.95 }]))).toEqual([]);
  });

  it('rejects a long deliberate eye closure (1.5 s)', async () => {
    const s = eyeSignal(frameTimes(30, 5000, 4), []).map((x) =>
      x.t > 1800 && x.t < 3300 ? { ...x, left: 0.03, right: 0.03 } : x,
    );
    expect(await detectBlinks(s)).toEqual([]);
  });

  it('at 8 fps accepts a blink seen in one frame of both eyes, whatever the frame phase', async () => {
    // At 8 fps a frame lands within 62.5 ms of the blink's centre, where this blink is still
    // ≥ 63 % of its depth: one frame shows it, its neighbours (125 ms further) barely.
    for (const phase of [0, 20, 40, 62, 80, 100, 124]) {
      const s = eyeSignal(frameTimes(8, 4000, 0, 2, phase), [{ t: 2000 }], phase);
      const blinks = await detectBlinks(s);
      expect(blinks, `phase ${phase}`).toHaveLength(1);
      expect(Math.abs(blinks[0]!.peak - 2000)).toBeLessThanOrEqual(63);
    }
    const single = await detectBlinks(eyeSignal(frameTimes(8, 4000, 0, 2, 5), [{ t: 2005 }]));
    expect(single[0]!.samples).toBe(1);
    expect(single[0]!.peak).toBe(2005);
  });

  it('at 8 fps still rejects a one-frame dip in one eye and a wink', async () => {
    const times = frameTimes(8, 4000, 10);
    const glitch = eyeSignal(times, []);
    glitch[16] = { ...glitch[16]!, right: 0.0 };
    expect(await detectBlinks(glitch)).toEqual([]);
    expect(await detectBlinks(eyeSignal(times, [{ t: 2000, eyes: 'left', depth: 1 }]))).toEqual([]);
  });

  it('reports a blink only once the eyes have reopened', async () => {
    const s = eyeSignal(frameTimes(30, 3000, 4), [{ t: 2950 }]);
    expect(await detectBlinks(s.filter((x) => x.t < 2960))).toEqual([]);
    expect(await detectBlinks(s)).toEqual([]);
    const longer = eyeSignal(frameTimes(30, 3500, 4), [{ t: 2950 }]);
    expect(await detectBlinks(longer)).toHaveLength(1);
  });

  it('ignores eyes that are never open, and needs at least three samples', async () => {
    const shut = frameTimes(15, 3000).map((t) => ({ t, left: 0.03, right: 0.04 }));
    expect(await detectBlinks(shut)).toEqual([]);
    expect(await detectBlinks([])).toEqual([]);
    expect(await detectBlinks([{ t: 0, left: 0.3, right: 0.3 }])).toEqual([]);
  });

  it('accepts samples out of order and skips non-finite ones', async () => {
    const s = eyeSignal(frameTimes(30, 4000, 4), [{ t: 2000 }]);
    const shuffled = [...s].reverse();
    shuffled.splice(10, 0, { t: 500, left: NaN, right: 0.3 });
    const blinks = await detectBlinks(shuffled);
    expect(blinks).toHaveLength(1);
    expect(Math.abs(blinks[0]!.peak - 2000)).toBeLessThanOrEqual(20);
  });

  it('leaves no tensors behind', async () => {
    const before = tf.memory().numTensors;
    await detectBlinks(eyeSignal(frameTimes(30, 4000, 4), [{ t: 2000 }]));
    expect(tf.memory().numTensors).toBe(before);
  });
});
