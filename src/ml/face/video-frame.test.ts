import { describe, expect, it } from 'vitest';
import { cropToImage } from './landmarks';
import { canvasTransform } from './video-frame';

describe('canvasTransform', () => {
  it('is the inverse of cropToImage, moved to continuous pixel coordinates', () => {
    const crop = { x: 120, y: 80, width: 300, height: 300, roll: 17 };
    const n = 192;
    const [a0, a1, a2, b0, b1, b2] = cropToImage(crop, n);
    const [a, b, c, d, e, f] = canvasTransform(crop, n);
    for (const [u, v] of [
      [0, 0],
      [191, 0],
      [95.5, 95.5],
      [10, 150],
    ] as const) {
      // Crop pixel index (u, v) samples image pixel index (x, y); both centres sit at +½ on a canvas.
      const x = a0 * u + a1 * v + a2 + 0.5;
      const y = b0 * u + b1 * v + b2 + 0.5;
      expect(a * x + c * y + e).toBeCloseTo(u + 0.5, 9);
      expect(b * x + d * y + f).toBeCloseTo(v + 0.5, 9);
    }
  });
});
