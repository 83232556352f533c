import { describe, expect, it } from 'vitest';
import { axisWeights, planStyleStages, planTiles, TileBlender, tileOverlap, tileStarts } from './tiling';

describe('planTiles', () => {
  it.each([
    [100, 100, 100, 10],
    [257, 130, 64, 8],
    [1000, 333, 256, 32],
    [50, 700, 128, 16],
  ])('covers a %i×%i image with %i-px tiles overlapping by at least %i', (h, w, tile, overlap) => {
    const tiles = planTiles(h, w, tile, overlap);
    const hits = new Uint8Array(h * w);
    for (const t of tiles) {
      expect(t.y).toBeGreaterThanOrEqual(0);
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.y + t.height).toBeLessThanOrEqual(h);
      expect(t.x + t.width).toBeLessThanOrEqual(w);
      for (let i = t.y; i < t.y + t.height; i++) for (let j = t.x; j < t.x + t.width; j++) hits[i * w + j] = 1;
    }
    expect(hits.every((v) => v === 1)).toBe(true);
    for (const starts of [tileStarts(h, tile, overlap), tileStarts(w, tile, overlap)]) {
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i - 1]! + tile - starts[i]!).toBeGreaterThanOrEqual(overlap);
      }
    }
  });

  it('uses one tile when the image fits', () => {
    expect(planTiles(40, 60, 64, 8)).toEqual([{ y: 0, x: 0, height: 40, width: 60 }]);
  });

  it('refuses an overlap as large as the tile', () => {
    expect(() => tileStarts(100, 32, 32)).toThrow(/overlap/);
  });
});

describe('axisWeights', () => {
  it('ramp down into the neighbour and stay 1 at the image border', () => {
    const starts = tileStarts(100, 60, 20); // [0, 40]: they share 20 px
    const first = axisWeights(0, 60, starts, 100);
    const second = axisWeights(40, 60, starts, 100);
    expect(first[0]).toBe(1);
    expect(second[59]).toBe(1);
    // Across the shared pixels the two ramps add to one: a raised cosine and its mirror.
    for (let t = 0; t < 20; t++) expect(first[40 + t]! + second[t]!).toBeCloseTo(1, 6);
    expect(Math.min(...first, ...second)).toBeGreaterThan(0);
  });
});

describe('TileBlender', () => {
  const blendOf = (h: number, w: number, tile: number, overlap: number, value: (t: number) => number) => {
    const tiles = planTiles(h, w, tile, overlap);
    const blender = new TileBlender(h, w, 3, tiles);
    tiles.forEach((t, n) => blender.add(t, new Float32Array(t.height * t.width * 3).fill(value(n))));
    return { blender, tiles };
  };

  it('blends a flat image back to the same flat image: no seam', () => {
    const { blender, tiles } = blendOf(150, 97, 48, 12, () => 0.37);
    expect(tiles.length).toBeGreaterThan(4);
    expect(blender.uncovered()).toBe(0);
    const out = blender.result();
    let worst = 0;
    for (const v of out) worst = Math.max(worst, Math.abs(v - 0.37));
    expect(worst).toBeLessThan(1e-6);
  });

  it('changes smoothly across an overlap where two tiles disagree', () => {
    // Two tiles side by side, 0 and 1: the blend has no step bigger than the ramp's steepest.
    const tiles = planTiles(8, 100, 60, 20);
    expect(tiles).toHaveLength(2);
    const blender = new TileBlender(8, 100, 1, tiles);
    blender.add(tiles[0]!, new Float32Array(8 * 60).fill(0));
    blender.add(tiles[1]!, new Float32Array(8 * 60).fill(1));
    const row = blender.result().slice(0, 100);
    let step = 0;
    for (let j = 1; j < 100; j++) step = Math.max(step, Math.abs(row[j]! - row[j - 1]!));
    expect(row[0]).toBe(0);
    expect(row[99]).toBe(1);
    expect(step).toBeLessThan(0.1); // a hard seam would be a step of 1
  });

  it('keeps the fallback where no tile has landed yet', () => {
    const tiles = planTiles(10, 30, 12, 4);
    const blender = new TileBlender(10, 30, 1, tiles);
    blender.add(tiles[0]!, new Float32Array(tiles[0]!.height * tiles[0]!.width).fill(1));
    const out = blender.result(new Float32Array(300).fill(0.5));
    expect(out[0]).toBe(1);
    expect(out[299]).toBe(0.5);
    expect(blender.uncovered()).toBeGreaterThan(0);
  });
});

describe('planStyleStages', () => {
  it('tiles only above the limit, after whole-image stages up to it', () => {
    expect(planStyleStages(300, 400, 256, { tile: 512, coarseToFine: false, minSize: 16 })).toEqual({
      whole: [256],
      tiled: null,
    });
    const plan = planStyleStages(300, 400, 1024, { tile: 256, coarseToFine: true, minSize: 16 });
    expect(plan.whole).toEqual([128, 256]);
    expect(plan.tiled?.longSide).toBe(1024);
    expect(plan.tiled?.overlap).toBe(tileOverlap(256));
    expect(plan.tiled!.tiles.every((t) => t.width <= 256 && t.height <= 256)).toBe(true);
    expect(planStyleStages(300, 400, 1024, { tile: 0, coarseToFine: false, minSize: 16 }).tiled).toBeNull();
  });
});
