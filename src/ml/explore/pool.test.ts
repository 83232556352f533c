import { describe, expect, it } from 'vitest';
import { buildPool, faceCrop, FULL_POOL, poolCrops, POOL_LEVELS } from './pool';
import type { ExploreImage } from './views';

const image = (name: string, width: number, height: number): ExploreImage => ({
  name,
  bitmap: { width, height, close() {} } as ImageBitmap,
  descriptor: { name: `sample:${name}`, size: width * height },
});

describe('poolCrops', () => {
  it('gives 1, 5, 14 and 30 square crops inside the picture, whole first, spread to both edges', () => {
    for (const level of POOL_LEVELS) {
      const crops = poolCrops(640, 427, level);
      expect(crops).toHaveLength(level);
      for (const c of crops) {
        expect(c.width).toBe(c.height);
        expect(c.left).toBeGreaterThanOrEqual(0);
        expect(c.top).toBeGreaterThanOrEqual(0);
        expect(c.left + c.width).toBeLessThanOrEqual(640);
        expect(c.top + c.height).toBeLessThanOrEqual(427);
      }
    }
    const full = poolCrops(640, 427, FULL_POOL);
    // The whole picture: the centred square of the short side.
    expect(full[0]).toEqual({ top: 0, left: Math.round((640 - 427) / 2), height: 427, width: 427 });
    // The 4 × 4 grid at a quarter of the short side (107 px) reaches the right and bottom edges.
    const smallest = full.slice(14);
    expect(new Set(smallest.map((c) => c.width))).toEqual(new Set([107]));
    expect(Math.max(...smallest.map((c) => c.left + c.width))).toBe(640);
    expect(Math.max(...smallest.map((c) => c.top + c.height))).toBe(427);
    expect(Math.min(...smallest.map((c) => c.left))).toBe(0);
  });

  it('refuses a level the UI does not offer', () => {
    expect(() => poolCrops(10, 10, 7 as never)).toThrow(/one of 1, 5, 14, 30/);
  });
});

describe('faceCrop', () => {
  it('is a square 1.6 times the face, kept inside the picture', () => {
    expect(faceCrop({ top: 100, left: 100, height: 50, width: 40 }, 400, 300)).toEqual({
      top: 85,
      left: 80,
      height: 80,
      width: 80,
    });
    // Near the corner it is moved in, not cut.
    expect(faceCrop({ top: 0, left: 0, height: 50, width: 50 }, 400, 300)).toEqual({
      top: 0,
      left: 0,
      height: 80,
      width: 80,
    });
    expect(faceCrop({ top: 0, left: 0, height: 0, width: 10 }, 400, 300)).toBeNull();
  });
});

describe('buildPool', () => {
  it('gives several hundred views of ten pictures, each named by its crop, faces first', () => {
    const images = Array.from({ length: 10 }, (_, i) => image(`p${i}`, 512, 384));
    const pool = buildPool(images, FULL_POOL, (_, i) =>
      i === 0 ? [{ top: 50, left: 50, height: 60, width: 60 }] : [],
    );
    expect(pool).toHaveLength(301);
    expect(pool[0]!.crop).toEqual({ top: 32, left: 32, height: 96, width: 96 });
    expect(pool[0]!.bitmap).toBe(images[0]!.bitmap);
    const names = pool.map((p) => p.descriptor.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names[1]).toMatch(/^sample:p0#/);
    // One crop per picture keeps the picture's name.
    expect(buildPool(images, 1)[0]!.name).toBe('p0');
  });
});
