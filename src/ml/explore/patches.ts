// Cutting receptive-field patches out of source images for display, all at one size, with the
// part of a field that lies outside the image shown as flat grey (what the network saw there was
// padding, not picture).
import * as tf from '@tensorflow/tfjs';
import { unitToInputRect, type PixelRect, type ReceptiveField } from '../nets/geometry';
import type { PatchHit } from './top-patches';

export interface PatchRequest {
  /** Index into the images given to cropPatches. */
  image: number;
  /** Pixels to cut, in that image's pixel grid; may extend past it (and be fractional after scaling). */
  rect: PixelRect;
}

export interface CropOptions {
  /** Side of every output patch in pixels (default 64). */
  size?: number;
  /** Value for samples outside the image (default 0.5: mid grey for images in 0..1). */
  fill?: number;
  method?: 'bilinear' | 'nearest';
}

/**
 * Images to cut from: one batch [N, H, W, C], or separate [H, W, C] images (sizes may differ),
 * by position or by image index (a map holds only the images a result needs).
 */
export type PatchSource = tf.Tensor4D | readonly tf.Tensor3D[] | ReadonlyMap<number, tf.Tensor3D>;

/**
 * The normalised crop box for tf.image.cropAndResize on the image padded by PAD pixels of fill:
 * output pixel j of `size` takes its value from the rect's j-th equal slice, sampled at the
 * slice's centre (so a rect of `size` pixels is copied exactly and other sizes are resampled
 * without a half-pixel shift).
 */
function cropBox(rect: PixelRect, height: number, width: number, size: number): [number, number, number, number] {
  // cropAndResize maps box coordinate b to pixel index b·(extent − 1) of the padded image.
  const sy = height + 2 * PAD - 1;
  const sx = width + 2 * PAD - 1;
  const y1 = rect.top + (0.5 * rect.height) / size - 0.5 + PAD;
  const y2 = rect.top + ((size - 0.5) * rect.height) / size - 0.5 + PAD;
  const x1 = rect.left + (0.5 * rect.width) / size - 0.5 + PAD;
  const x2 = rect.left + ((size - 0.5) * rect.width) / size - 0.5 + PAD;
  return [y1 / sy, x1 / sx, y2 / sy, x2 / sx];
}

/**
 * A border of fill around each image before cropping. cropAndResize rounds box coordinates
 * through float32, so a sample meant for the last row can land a hair outside and be filled;
 * with the border it lands in the image, and samples just outside blend into grey smoothly.
 */
const PAD = 1;

function padded<T extends tf.Tensor3D | tf.Tensor4D>(image: T, fill: number): T {
  const spatial: [number, number][] = [
    [PAD, PAD],
    [PAD, PAD],
    [0, 0],
  ];
  return tf.pad(image, image.rank === 4 ? [[0, 0], ...spatial] : spatial, fill) as T;
}

/** Cuts each requested rect out of its image, resized to size × size: [k, size, size, C]. */
export function cropPatches(
  images: PatchSource,
  requests: readonly PatchRequest[],
  options: CropOptions = {},
): tf.Tensor4D {
  const size = options.size ?? 64;
  const fill = options.fill ?? 0.5;
  const method = options.method ?? 'bilinear';
  if (!Number.isInteger(size) || size < 1) throw new RangeError('size must be a positive integer');

  return tf.tidy(() => {
    if (images instanceof tf.Tensor) {
      const [n, h, w, c] = images.shape;
      if (requests.length === 0) return tf.zeros([0, size, size, c]) as tf.Tensor4D;
      for (const r of requests) {
        if (!Number.isInteger(r.image) || r.image < 0 || r.image >= n) throw new RangeError(`no image ${r.image}`);
      }
      const boxes = tf.tensor2d(
        requests.map((r) => cropBox(r.rect, h, w, size)),
        [requests.length, 4],
      );
      const indices = tf.tensor1d(
        requests.map((r) => r.image),
        'int32',
      );
      return tf.image.cropAndResize(padded(images, fill), boxes, indices, [size, size], method, fill);
    }

    const lookup = (i: number): tf.Tensor3D | undefined =>
      Array.isArray(images)
        ? (images as readonly tf.Tensor3D[])[i]
        : (images as ReadonlyMap<number, tf.Tensor3D>).get(i);
    // Images differ in size, so each is cropped on its own; the pieces are put back in request order.
    const byImage = new Map<number, number[]>();
    requests.forEach((r, at) => byImage.set(r.image, [...(byImage.get(r.image) ?? []), at]));
    const pieces: tf.Tensor4D[] = [];
    const order: number[] = [];
    for (const [image, ats] of byImage) {
      const source = lookup(image);
      if (!source) throw new RangeError(`no image ${image}`);
      const [h, w] = source.shape;
      const boxes = tf.tensor2d(
        ats.map((at) => cropBox((requests[at] as PatchRequest).rect, h, w, size)),
        [ats.length, 4],
      );
      const indices = tf.zeros([ats.length], 'int32') as tf.Tensor1D;
      pieces.push(
        tf.image.cropAndResize(
          padded(source, fill).expandDims(0) as tf.Tensor4D,
          boxes,
          indices,
          [size, size],
          method,
          fill,
        ),
      );
      order.push(...ats);
    }
    if (pieces.length === 0) {
      const first = Array.isArray(images) ? images[0] : [...(images as ReadonlyMap<number, tf.Tensor3D>).values()][0];
      return tf.zeros([0, size, size, first?.shape[2] ?? 3]) as tf.Tensor4D;
    }
    const stacked = tf.concat(pieces, 0);
    // order[p] is the request held at row p; invert it to read the rows back in request order.
    const inverse = new Array<number>(order.length);
    order.forEach((at, p) => (inverse[at] = p));
    return tf.gather(stacked, tf.tensor1d(inverse, 'int32'), 0) as tf.Tensor4D;
  });
}

/**
 * Maps a rect between two resolutions of one image, e.g. from the network's 224×224 input back
 * to the full-size photo so patches are cut sharp. Edges scale with the image (pixel i covers
 * [i, i + 1)), so the result is fractional in general; cropPatches accepts that.
 */
export function scaleRect(
  rect: PixelRect,
  from: { height: number; width: number },
  to: { height: number; width: number },
): PixelRect {
  const sy = to.height / from.height;
  const sx = to.width / from.width;
  return { top: rect.top * sy, left: rect.left * sx, height: rect.height * sy, width: rect.width * sx };
}

/**
 * Patches for top-patch hits: each hit's whole receptive field, grey where it leaves the image.
 * `inputSize` is the size the network saw each image at, when the images given here are at a
 * different resolution (e.g. the originals); omit it when they are the network's own inputs.
 */
export function patchesForHits(
  images: PatchSource,
  hits: readonly PatchHit[],
  rf: ReceptiveField,
  options: CropOptions & { inputSize?: { height: number; width: number } } = {},
): tf.Tensor4D {
  const requests = hits.map((hit) => {
    const { unclipped } = unitToInputRect(rf, hit.row, hit.col, 0, 0);
    const source = imageSize(images, hit.image);
    const rect = options.inputSize && source ? scaleRect(unclipped, options.inputSize, source) : unclipped;
    return { image: hit.image, rect };
  });
  return cropPatches(images, requests, options);
}

function imageSize(images: PatchSource, i: number): { height: number; width: number } | null {
  if (images instanceof tf.Tensor) return { height: images.shape[1], width: images.shape[2] };
  const t = Array.isArray(images)
    ? (images as readonly tf.Tensor3D[])[i]
    : (images as ReadonlyMap<number, tf.Tensor3D>).get(i);
  return t ? { height: t.shape[0], width: t.shape[1] } : null;
}
