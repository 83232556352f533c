// Live activation maps: a layer's channels for one image, each normalised on its own and tiled
// into one greyscale image for tf.browser.toPixels.
//
// Each channel is stretched so its low percentile maps to 0 and its high percentile to 1
// (clipped). Per-channel stretching shows the pattern of every channel, however weak; a
// percentile rather than the max keeps one hot unit from turning the rest of a map black.
// [0, 100] gives plain min–max scaling.
import * as tf from '@tensorflow/tfjs';

export interface GridLayout {
  rows: number;
  columns: number;
  /** Size of one tile (the activation map) in pixels. */
  tileHeight: number;
  tileWidth: number;
  /** Pixels between tiles. */
  gap: number;
  /** Size of the whole grid image. */
  height: number;
  width: number;
}

export interface ActivationGridOptions {
  /** Tiles per row (default: ⌈√count⌉, a near-square grid). */
  columns?: number;
  /** Percentiles mapped to 0 and 1 (default [1, 99]). */
  percentiles?: readonly [number, number];
  /** Pixels between tiles (default 0). */
  gap?: number;
  /** Value of gap pixels and of empty tiles (default 1, white lines). */
  gapValue?: number;
}

/** Where count tiles of tileHeight × tileWidth go. */
export function gridLayout(
  count: number,
  tileHeight: number,
  tileWidth: number,
  options: Pick<ActivationGridOptions, 'columns' | 'gap'> = {},
): GridLayout {
  const gap = options.gap ?? 0;
  const columns = Math.max(1, Math.min(options.columns ?? Math.ceil(Math.sqrt(count)), Math.max(count, 1)));
  const rows = Math.max(1, Math.ceil(count / columns));
  return {
    rows,
    columns,
    tileHeight,
    tileWidth,
    gap,
    height: rows * (tileHeight + gap) - gap,
    width: columns * (tileWidth + gap) - gap,
  };
}

/**
 * Which tile and unit a pixel of the grid image belongs to, for hover read-outs: tile index (the
 * position in the channel list), and the unit's row and column in the activation map; null on a
 * gap or past the last tile.
 */
export function gridUnitAt(
  layout: GridLayout,
  count: number,
  y: number,
  x: number,
): { tile: number; row: number; col: number } | null {
  const tr = Math.floor(y / (layout.tileHeight + layout.gap));
  const tc = Math.floor(x / (layout.tileWidth + layout.gap));
  const row = Math.floor(y) - tr * (layout.tileHeight + layout.gap);
  const col = Math.floor(x) - tc * (layout.tileWidth + layout.gap);
  const tile = tr * layout.columns + tc;
  if (y < 0 || x < 0 || tc >= layout.columns || tile >= count) return null;
  if (row >= layout.tileHeight || col >= layout.tileWidth) return null;
  return { tile, row, col };
}

/** The first n channel indices of a layer with channelCount channels. */
export function firstChannels(n: number, channelCount: number): number[] {
  return Array.from({ length: Math.max(0, Math.min(n, channelCount)) }, (_, i) => i);
}

/**
 * Normalises each row of values [n, L] to 0..1 between its percentiles (nearest rank on the
 * sorted row: the p-th percentile is element round(p/100 · (L − 1)) counting from the smallest).
 * Only the few values beyond each percentile are sorted, with tf.topk.
 */
export function normaliseRows(values: tf.Tensor2D, percentiles: readonly [number, number] = [1, 99]): tf.Tensor2D {
  const [lo, hi] = percentiles;
  if (!(lo >= 0 && hi <= 100 && lo <= hi)) throw new RangeError('percentiles must satisfy 0 ≤ low ≤ high ≤ 100');
  return tf.tidy(() => {
    const length = values.shape[1];
    if (length === 0) return values.clone();
    const loRank = Math.round((lo / 100) * (length - 1));
    const hiRank = Math.round((hi / 100) * (length - 1));
    const top = tf.topk(values, length - hiRank).values;
    const bottom = tf.topk(values.neg(), loRank + 1).values;
    const high = top.slice([0, length - hiRank - 1], [-1, 1]);
    const low = bottom.slice([0, loRank], [-1, 1]).neg();
    // A flat row has no range: it maps to 0 rather than dividing by zero.
    const range = tf.maximum(high.sub(low), 1e-12);
    return values.sub(low).div(range).clipByValue(0, 1) as tf.Tensor2D;
  });
}

/**
 * Tiles the given channels of one image's activations [1, H, W, C] into a [rows·H, cols·W]
 * image in 0..1 (plus gaps), channel list order left to right, top to bottom.
 */
export function activationGrid(
  activations: tf.Tensor4D,
  channels: readonly number[],
  options: ActivationGridOptions = {},
): tf.Tensor2D {
  const [n, h, w, c] = activations.shape;
  if (n !== 1) throw new Error(`expected the activations of one image, got a batch of ${n}`);
  for (const ch of channels) {
    if (!Number.isInteger(ch) || ch < 0 || ch >= c) throw new RangeError(`channel ${ch} out of range 0..${c - 1}`);
  }
  const layout = gridLayout(channels.length, h, w, options);
  const { rows, columns, gap } = layout;
  const gapValue = options.gapValue ?? 1;
  return tf.tidy(() => {
    if (channels.length === 0) return tf.fill([layout.height, layout.width], gapValue) as tf.Tensor2D;
    const chosen = tf.gather(activations.reshape([h * w, c]), tf.tensor1d([...channels], 'int32'), 1);
    const normalised = normaliseRows(chosen.transpose() as tf.Tensor2D, options.percentiles ?? [1, 99]);
    const empty = rows * columns - channels.length;
    const tiles = (
      empty > 0
        ? normalised.pad(
            [
              [0, empty],
              [0, 0],
            ],
            gapValue,
          )
        : normalised
    ).reshape([rows, columns, h, w]);
    // Each tile gets its gap below and to the right; the last row and column's gap is cut off.
    const spaced =
      gap > 0
        ? tiles.pad(
            [
              [0, 0],
              [0, 0],
              [0, gap],
              [0, gap],
            ],
            gapValue,
          )
        : tiles;
    const grid = spaced.transpose([0, 2, 1, 3]).reshape([rows * (h + gap), columns * (w + gap)]);
    return (gap > 0 ? grid.slice([0, 0], [layout.height, layout.width]) : grid) as tf.Tensor2D;
  });
}
