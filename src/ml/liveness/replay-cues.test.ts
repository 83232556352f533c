import { describe, expect, it } from 'vitest';
import { bezelScore, colourStats, gridEnergy, powerSpectrum, type RgbImage } from './replay-cues';

/** A smooth random image (sums of a few low-frequency waves), like skin and shading. */
function smooth(size: number, seed = 1, f: (x: number, y: number) => number = () => 1): RgbImage {
  const data = new Float32Array(size * size * 3);
  const waves = Array.from({ length: 6 }, (_, k) => ({
    fx: ((k * 7 + seed) % 5) / size,
    fy: ((k * 3 + seed) % 4) / size,
    p: k + seed,
  }));
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      let v = 0.5;
      for (const w of waves) v += 0.05 * Math.cos(2 * Math.PI * (w.fx * x + w.fy * y) + w.p);
      v *= f(x, y);
      data.set([v * 1.1, v, v * 0.85], 3 * (y * size + x));
    }
  return { data, width: size, height: size };
}

describe('powerSpectrum', () => {
  it('puts a pure cosine at its own frequency (and its mirror)', () => {
    const n = 16;
    const s = new Float64Array(n * n);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) s[y * n + x] = Math.cos((2 * Math.PI * 3 * x) / n);
    const p = powerSpectrum(s, n);
    // All the energy sits at (u = 0, k = 3) and (0, 13): (n² / 2)² each.
    expect(p[3]).toBeCloseTo((n * n * 0.5) ** 2, 3);
    expect(p[13]).toBeCloseTo((n * n * 0.5) ** 2, 3);
    expect(p[5]).toBeCloseTo(0, 3);
  });
});

describe('gridEnergy', () => {
  it('scores a face seen through a screen grid far above the face itself', () => {
    const face = smooth(96);
    const grid = smooth(96, 1, (x, y) => (x % 3 === 0 ? 0.7 : 1) * (y % 3 === 2 ? 0.8 : 1));
    expect(gridEnergy(grid)).toBeGreaterThan(gridEnergy(face) + 1);
  });
});

describe('bezelScore', () => {
  it('scores a picture inside a dark frame above one without', () => {
    const inside = (x: number, y: number) => (x > 10 && x < 86 && y > 10 && y < 86 ? 1 : 0.1);
    expect(bezelScore(smooth(96, 2, inside))).toBeGreaterThan(bezelScore(smooth(96, 2)) + 0.5);
  });

  it('needs all four sides: a single horizontal edge (a table, a door) is not a bezel', () => {
    const shelf = (_x: number, y: number) => (y < 12 ? 0.1 : 1);
    const frame = (x: number, y: number) => (x > 10 && x < 86 && y > 10 && y < 86 ? 1 : 0.1);
    expect(bezelScore(smooth(96, 3, shelf))).toBeLessThan(bezelScore(smooth(96, 3, frame)) - 0.5);
  });
});

describe('colourStats', () => {
  it('finds a washed-out, low-contrast recapture less colourful, and counts clipped pixels', () => {
    const face = smooth(64);
    const washed: RgbImage = { ...face, data: Float32Array.from(face.data, (v) => 0.3 + 0.4 * v) };
    expect(colourStats(washed).colourfulness).toBeLessThan(colourStats(face).colourfulness);
    expect(colourStats(face).specular).toBe(0);
    const white: RgbImage = { ...face, data: new Float32Array(face.data.length).fill(1) };
    expect(colourStats(white).specular).toBe(1);
  });
});
