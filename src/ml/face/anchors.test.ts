import { describe, expect, it } from 'vitest';
import { anchorGrids, BLAZEFACE_ANCHOR_OPTIONS, createSsdAnchors } from './anchors';

/** Anchor `i` as [x, y]. */
function anchorAt(anchors: Float32Array, i: number): [number, number] {
  return [anchors[2 * i]!, anchors[2 * i + 1]!];
}

describe('BlazeFace anchors', () => {
  const anchors = createSsdAnchors(BLAZEFACE_ANCHOR_OPTIONS);

  it('merges the three stride-32 layers into one 8×8 grid after the 16×16 one', () => {
    expect(anchorGrids(BLAZEFACE_ANCHOR_OPTIONS)).toEqual([
      { cells: 16, anchorsPerCell: 2, count: 512 },
      { cells: 8, anchorsPerCell: 6, count: 384 },
    ]);
  });

  it('has 896 anchors, two floats each', () => {
    expect(anchors.length).toBe(896 * 2);
  });

  it('starts in the middle of the top-left 16-px cell, twice', () => {
    // (0 + 0.5) / 16 = 0.03125
    expect(anchorAt(anchors, 0)).toEqual([0.03125, 0.03125]);
    expect(anchorAt(anchors, 1)).toEqual([0.03125, 0.03125]);
  });

  it('walks the 16×16 grid row by row, two anchors per cell', () => {
    // Index 2 is the next cell to the right: x = 1.5 / 16.
    expect(anchorAt(anchors, 2)).toEqual([0.09375, 0.03125]);
    // Index 32 = 16 cells × 2 starts the second row: y = 1.5 / 16.
    expect(anchorAt(anchors, 32)).toEqual([0.03125, 0.09375]);
    // Row 5, column 9, second anchor: 2 × (16 × 5 + 9) + 1 = 179 → (9.5 / 16, 5.5 / 16).
    expect(anchorAt(anchors, 179)).toEqual([0.59375, 0.34375]);
    // Last anchor of the grid: (15.5 / 16, 15.5 / 16).
    expect(anchorAt(anchors, 511)).toEqual([0.96875, 0.96875]);
  });

  it('continues with the 8×8 grid, six anchors per cell', () => {
    for (let i = 512; i < 518; i++) expect(anchorAt(anchors, i)).toEqual([0.0625, 0.0625]);
    // Next cell to the right: x = 1.5 / 8.
    expect(anchorAt(anchors, 518)).toEqual([0.1875, 0.0625]);
    // Second row starts 8 × 6 = 48 anchors in: y = 1.5 / 8.
    expect(anchorAt(anchors, 512 + 48)).toEqual([0.0625, 0.1875]);
    expect(anchorAt(anchors, 895)).toEqual([0.9375, 0.9375]);
  });

  it('puts every anchor of the 16×16 grid on a cell centre, rows never going back up', () => {
    const centres = new Set(Array.from({ length: 16 }, (_, c) => (c + 0.5) / 16));
    let previousY = 0;
    for (let i = 0; i < 512; i++) {
      const [x, y] = anchorAt(anchors, i);
      expect(centres.has(x)).toBe(true);
      expect(centres.has(y)).toBe(true);
      expect(y).toBeGreaterThanOrEqual(previousY);
      previousY = y;
    }
  });
});

describe('createSsdAnchors with other options', () => {
  it('keeps layers of different strides apart and honours the offset', () => {
    const options = { inputSize: 64, strides: [16, 32, 32], anchorsPerLayer: 1, offset: 0 };
    expect(anchorGrids(options)).toEqual([
      { cells: 4, anchorsPerCell: 1, count: 16 },
      { cells: 2, anchorsPerCell: 2, count: 8 },
    ]);
    const anchors = createSsdAnchors(options);
    expect(anchors.length).toBe(24 * 2);
    // Offset 0 puts anchors on cell corners: the 4×4 grid at multiples of 0.25.
    expect(anchorAt(anchors, 0)).toEqual([0, 0]);
    expect(anchorAt(anchors, 5)).toEqual([0.25, 0.25]);
    // 2×2 grid, two anchors per cell: anchors 16, 17 at (0, 0), then 18, 19 at (0.5, 0).
    expect(anchorAt(anchors, 17)).toEqual([0, 0]);
    expect(anchorAt(anchors, 18)).toEqual([0.5, 0]);
    expect(anchorAt(anchors, 23)).toEqual([0.5, 0.5]);
  });

  it('rounds partial cells up, as an SSD grid covers the whole input', () => {
    expect(anchorGrids({ inputSize: 100, strides: [32], anchorsPerLayer: 2 })).toEqual([
      { cells: 4, anchorsPerCell: 2, count: 32 },
    ]);
  });
});
