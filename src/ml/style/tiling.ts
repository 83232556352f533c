// High-resolution style transfer by tiles. Up to a size limit the whole image is optimised at once
// (coarse to fine); above it, the result at the limit is upsampled and refined tile by tile at
// full size, each tile with its own content target (C's activations on that tile) but the same,
// global style target (S's Gram matrices, computed once for the whole run), so every tile aims at
// the same statistics and neighbours agree. Overlapping tiles are blended with raised-cosine
// weights that fall to (almost) zero towards a neighbour's side and stay at one on the image's
// borders, normalised by their sum: a flat image stays flat and no tile's edge shows.
//
// Plain numbers here (plans, weights, the blend into a Float32Array), so the geometry can be
// tested without a network; tfjs is used only to hand tiles in and out.
import * as tf from '@tensorflow/tfjs';

export interface Tile {
  /** Top-left corner and size in pixels of the full image. */
  y: number;
  x: number;
  height: number;
  width: number;
}

/** Start positions along one axis of `length` for windows of `tile` overlapping by at least `overlap`. */
export function tileStarts(length: number, tile: number, overlap: number): number[] {
  if (!(tile > 0) || !Number.isInteger(tile))
    throw new RangeError(`Tile size must be a whole number > 0; got ${tile}.`);
  if (!(overlap >= 0) || overlap >= tile)
    throw new RangeError(`Tile overlap must lie in 0..${tile - 1}; got ${overlap}.`);
  if (length <= tile) return [0];
  const n = Math.ceil((length - overlap) / (tile - overlap));
  return Array.from({ length: n }, (_, i) => Math.round((i * (length - tile)) / (n - 1)));
}

/** Tiles of at most `tile` px covering an image, row by row, neighbours overlapping by ≥ `overlap`. */
export function planTiles(height: number, width: number, tile: number, overlap: number): Tile[] {
  const rows = tileStarts(height, tile, overlap);
  const cols = tileStarts(width, tile, overlap);
  return rows.flatMap((y) => cols.map((x) => ({ y, x, height: Math.min(tile, height), width: Math.min(tile, width) })));
}

/**
 * Per-pixel weights along one axis for a window at `start` of `size`: 1 in the middle, a raised
 * cosine ½ − ½·cos(π·(t + ½)/r) over the r pixels it shares with the previous or next window
 * (never exactly 0, so every pixel of the image has weight), 1 up to the image's own borders.
 */
export function axisWeights(start: number, size: number, starts: readonly number[], length: number): Float32Array {
  const w = new Float32Array(size).fill(1);
  const i = starts.indexOf(start);
  const prev = i > 0 ? (starts[i - 1] as number) : null;
  const next = i >= 0 && i < starts.length - 1 ? (starts[i + 1] as number) : null;
  if (prev !== null) {
    const r = Math.min(size, prev + size - start);
    for (let t = 0; t < r; t++) w[t] = 0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / r);
  }
  if (next !== null) {
    const r = Math.min(size, start + size - next, length - next);
    for (let t = 0; t < r; t++) {
      const k = size - 1 - t;
      w[k] = (w[k] as number) * (0.5 - 0.5 * Math.cos((Math.PI * (t + 0.5)) / r));
    }
  }
  return w;
}

/** Accumulates overlapping tiles [h, w, C] into one image with the raised-cosine weights. */
export class TileBlender {
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly rows: number[];
  private readonly cols: number[];

  constructor(
    readonly height: number,
    readonly width: number,
    readonly channels: number,
    tiles: readonly Tile[],
  ) {
    this.sum = new Float32Array(height * width * channels);
    this.weight = new Float32Array(height * width);
    this.rows = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
    this.cols = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
  }

  /** Adds one tile's pixels (row-major [tile.height, tile.width, channels]). */
  add(tile: Tile, pixels: ArrayLike<number>): void {
    const { channels: c } = this;
    if (pixels.length !== tile.height * tile.width * c) {
      throw new RangeError(`A tile of ${tile.width}×${tile.height} needs ${tile.height * tile.width * c} values.`);
    }
    const wy = axisWeights(tile.y, tile.height, this.rows, this.height);
    const wx = axisWeights(tile.x, tile.width, this.cols, this.width);
    for (let i = 0; i < tile.height; i++) {
      for (let j = 0; j < tile.width; j++) {
        const w = (wy[i] as number) * (wx[j] as number);
        const p = (tile.y + i) * this.width + tile.x + j;
        this.weight[p] = (this.weight[p] as number) + w;
        const src = (i * tile.width + j) * c;
        for (let k = 0; k < c; k++)
          this.sum[p * c + k] = (this.sum[p * c + k] as number) + w * (pixels[src + k] as number);
      }
    }
  }

  /** The blend; where no tile has landed yet, `fallback`'s pixel (same layout) or 0. */
  result(fallback?: ArrayLike<number>): Float32Array {
    const { channels: c } = this;
    const out = new Float32Array(this.sum.length);
    for (let p = 0; p < this.weight.length; p++) {
      const w = this.weight[p] as number;
      for (let k = 0; k < c; k++) {
        out[p * c + k] = w > 0 ? (this.sum[p * c + k] as number) / w : fallback ? (fallback[p * c + k] as number) : 0;
      }
    }
    return out;
  }

  /** Pixels no tile has covered (0 once every tile of the plan is in). */
  uncovered(): number {
    return this.weight.reduce((n, w) => n + (w > 0 ? 0 : 1), 0);
  }
}

/** Crops a tile [1, h, w, C] out of [1, H, W, C]. */
export function cropTile(image: tf.Tensor4D, tile: Tile): tf.Tensor4D {
  return tf.slice(image, [0, tile.y, tile.x, 0], [1, tile.height, tile.width, image.shape[3]]);
}

/** The overlap the Studio uses between tiles: an eighth of the tile, at least 16 px. */
export function tileOverlap(tile: number): number {
  return Math.min(tile - 1, Math.max(16, Math.round(tile / 8)));
}

/** The stages of a run: whole-image sizes (long side) and, above the limit, a tiled pass at full size. */
export interface StylePlan {
  /** Long sides of the whole-image stages, smallest first. */
  whole: number[];
  /** The tiled pass at full size, or null when the whole image fits under the limit. */
  tiled: { longSide: number; tile: number; overlap: number; tiles: Tile[] } | null;
}

/**
 * The stages for a run of long side `size` on a [height, width] content image: with tiling
 * (`tile` > 0) and size > tile, whole-image stages up to the tile size (half of it too with coarse
 * to fine), then tiles at full size; else the usual one or two whole-image stages.
 */
export function planStyleStages(
  height: number,
  width: number,
  size: number,
  options: { tile: number; coarseToFine: boolean; minSize: number },
): StylePlan {
  const twoStage = (long: number) =>
    options.coarseToFine && Math.round(long / 2) >= options.minSize ? [Math.round(long / 2), long] : [long];
  if (!(options.tile > 0) || size <= options.tile) return { whole: twoStage(size), tiled: null };
  const scale = size / Math.max(height, width);
  const [h, w] = [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
  const overlap = tileOverlap(options.tile);
  return {
    whole: twoStage(options.tile),
    tiled: { longSide: size, tile: options.tile, overlap, tiles: planTiles(h, w, options.tile, overlap) },
  };
}
