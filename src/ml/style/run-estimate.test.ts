import { describe, expect, it } from 'vitest';
import type { LayerInfo } from '../nets/network';
import {
  BUILT_IN_VALUES_PER_PIXEL,
  estimateStyleRun,
  formatBytes,
  networkValuesPerPixel,
  valuesPerPixel,
} from './run-estimate';

const conv = (name: string, channels: number, strides: number[]): LayerInfo => ({
  name,
  kind: 'conv',
  channels,
  path: strides.map((stride) => ({ kernel: 3, stride, padding: 1 })),
});
const layers = [conv('a', 8, [1]), conv('b', 16, [1, 2]), conv('c', 64, [1, 2, 2])];

describe('valuesPerPixel', () => {
  it('adds channels over the squared stride up to the deepest layer asked for', () => {
    expect(valuesPerPixel(layers, ['a'])).toBe(8);
    expect(valuesPerPixel(layers, ['b', 'a'])).toBe(8 + 16 / 4);
    expect(valuesPerPixel(layers, ['c'])).toBe(8 + 4 + 64 / 16);
  });
});

describe('estimateStyleRun', () => {
  it('counts a whole-image run and its time from the pace', () => {
    const e = estimateStyleRun(
      { height: 100, width: 200 },
      { size: 64, iterations: 10, tileSize: 512, coarseToFine: false },
      valuesPerPixel(layers, ['c']),
      0.001,
    );
    expect(e.stages).toEqual([{ width: 64, height: 32, iterations: 10 }]);
    expect(e.tiled).toBeNull();
    expect(e.iterations).toBe(10);
    expect(e.peakBytes).toBe(64 * 32 * (16 + 3) * 3 * 4);
    expect(e.ms).toBeCloseTo(64 * 32 * 10 * 0.001, 6);
  });

  it('above the limit: whole stages up to it, then tiles whose memory sets the peak, not the full size', () => {
    const e = estimateStyleRun(
      { height: 1000, width: 1000 },
      { size: 1024, iterations: 20, tileSize: 256, coarseToFine: false },
      valuesPerPixel(layers, ['c']),
      null,
    );
    expect(e.stages).toEqual([{ width: 256, height: 256, iterations: 10 }]);
    expect(e.tiled).toMatchObject({ width: 1024, height: 1024, tileSize: 256, iterationsPerTile: 10 });
    expect(e.tiled!.tiles).toBeGreaterThanOrEqual(16);
    expect(e.iterations).toBe(10 + 10 * e.tiled!.tiles);
    expect(e.peakBytes).toBe(256 * 256 * 19 * 3 * 4);
    expect(e.ms).toBeNull();
  });
});

describe('networkValuesPerPixel', () => {
  it('uses the counted architecture for built-ins and the layers for a custom model', () => {
    expect(networkValuesPerPixel('vgg19-random', [], [])).toBe(BUILT_IN_VALUES_PER_PIXEL['vgg19-random']);
    expect(networkValuesPerPixel('custom', layers, ['b'])).toBe(12);
    expect(networkValuesPerPixel('custom', [], ['b'])).toBeNull();
  });
});

describe('formatBytes', () => {
  it('speaks in MB and GB', () => {
    expect(formatBytes(5 * 2 ** 20)).toBe('about 5.0 MB');
    expect(formatBytes(300 * 2 ** 20)).toBe('about 300 MB');
    expect(formatBytes(3 * 2 ** 30)).toBe('about 3.0 GB');
  });
});
