// Face alignment: a 2-D similarity (rotation, uniform scale, translation) fitted from five
// detected landmarks to the ArcFace template, then one resampling pass on the backend with
// tf.image.transform. Embedding models are trained on crops made this way; feeding them
// unaligned detector boxes drops recognition to chance (see ARCHITECTURE.md).
//
// Coordinates are pixel-index coordinates, as in cv2.warpAffine and the ArcFace template:
// the centre of the pixel in row i, column j is the point (x = j, y = i).
import * as tf from '@tensorflow/tfjs';

export type Point = [number, number];

/** x' = a·x − b·y + tx, y' = b·x + a·y + ty: rotation by atan2(b, a), scale hypot(a, b). */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

/** A least-squares fit and its root-mean-square residual in destination units (pixels). */
export interface SimilarityFit extends Similarity {
  rms: number;
}

/** The crop size the ArcFace template is defined for. */
export const ARCFACE_SIZE = 112;

/**
 * Left eye, right eye, nose tip, left and right mouth corners in a 112×112 crop ("left" as
 * seen in the image). Landmarks passed to `alignmentFor` must come in this order.
 */
export const ARCFACE_TEMPLATE: readonly Point[] = Object.freeze([
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
] as Point[]);

/** The ArcFace template as fractions of the crop side (continuous coordinates: 0 is the left edge). */
export const ARCFACE_FRACTIONS: readonly Point[] = Object.freeze(
  ARCFACE_TEMPLATE.map(([x, y]): Point => [(x + 0.5) / ARCFACE_SIZE, (y + 0.5) / ARCFACE_SIZE]),
);

export interface TemplateOptions {
  /**
   * The five points as fractions of the crop side, in ARCFACE_TEMPLATE order; ArcFace's by
   * default. Each embedder states the template it was measured to want (embedder.ts).
   */
  points?: readonly Point[];
  /**
   * Scales the template about the crop centre. 1 is the template as given; below 1 the face
   * becomes smaller and the crop looser (0.8 leaves a wider margin, for models trained on
   * looser crops); above 1 it zooms in.
   */
  zoom?: number;
  /**
   * Moves the face down in the crop by this fraction of the crop side (after `zoom`): positive
   * values show more forehead and less chin.
   */
  shiftY?: number;
}

/**
 * The template for a `size`×`size` crop: fraction f goes to f·size − ½ in pixel-index
 * coordinates (for ArcFace, where resizing the 112 crop to `size` would move it), then scaled
 * by `zoom` about the crop centre and moved down by `shiftY`·size.
 */
export function templateFor(size: number, options: TemplateOptions = {}): Point[] {
  const zoom = options.zoom ?? 1;
  if (!(size > 0) || !Number.isFinite(size)) throw new RangeError(`Crop size must be positive, got ${size}.`);
  if (!(zoom > 0) || !Number.isFinite(zoom)) throw new RangeError(`Template zoom must be positive, got ${zoom}.`);
  const shift = (options.shiftY ?? 0) * size;
  const c = (size - 1) / 2;
  return (options.points ?? ARCFACE_FRACTIONS).map(([x, y]): Point => [
    c + (x * size - 0.5 - c) * zoom,
    c + (y * size - 0.5 - c) * zoom + shift,
  ]);
}

/**
 * Least-squares similarity taking `src` onto `dst` (Umeyama's method; in 2-D it has a
 * closed form). Treating points as complex numbers z, the model is z' = c·z + t with
 * c = a + ib, which is linear in (a, b, tx, ty), so a reflection can never come out.
 * Throws when fewer than two points are given or all source points coincide.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): SimilarityFit {
  const n = src.length;
  if (n !== dst.length) throw new RangeError(`Point counts differ: ${n} source, ${dst.length} destination.`);
  if (n < 2) throw new RangeError(`A similarity needs at least two points, got ${n}.`);
  let sx = 0;
  let sy = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = src[i] as Point;
    const [u, v] = dst[i] as Point;
    sx += x;
    sy += y;
    dx += u;
    dy += v;
  }
  sx /= n;
  sy /= n;
  dx /= n;
  dy /= n;
  let norm = 0;
  let dotSum = 0;
  let crossSum = 0;
  for (let i = 0; i < n; i++) {
    const [x0, y0] = src[i] as Point;
    const [u0, v0] = dst[i] as Point;
    const x = x0 - sx;
    const y = y0 - sy;
    const u = u0 - dx;
    const v = v0 - dy;
    norm += x * x + y * y;
    dotSum += x * u + y * v;
    crossSum += x * v - y * u;
  }
  if (!(norm > 1e-12)) throw new RangeError('The source points coincide; no similarity is defined.');
  const a = dotSum / norm;
  const b = crossSum / norm;
  const tx = dx - (a * sx - b * sy);
  const ty = dy - (b * sx + a * sy);
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const [x, y] = src[i] as Point;
    const [u, v] = dst[i] as Point;
    const ex = a * x - b * y + tx - u;
    const ey = b * x + a * y + ty - v;
    sq += ex * ex + ey * ey;
  }
  return { a, b, tx, ty, rms: Math.sqrt(sq / n) };
}

export function applyToPoint(t: Similarity, [x, y]: Point): Point {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

/** The inverse similarity. Throws for a degenerate (zero-scale) transform. */
export function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  if (!(d > 0) || !Number.isFinite(d)) throw new RangeError('A zero-scale similarity has no inverse.');
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

/**
 * Fits the similarity from five image landmarks (in ARCFACE_TEMPLATE order) to the template
 * of a `size` crop. Callers should reject faces whose `rms` is large relative to the crop
 * (a few pixels at 112), which signals a bad landmark set or a strong profile view.
 */
export function alignmentFor(landmarks: readonly Point[], size: number, options: TemplateOptions = {}): SimilarityFit {
  if (landmarks.length !== ARCFACE_TEMPLATE.length) {
    throw new RangeError(`Alignment needs the ${ARCFACE_TEMPLATE.length} ArcFace landmarks, got ${landmarks.length}.`);
  }
  return estimateSimilarity(landmarks, templateFor(size, options));
}

/**
 * Cuts one aligned `size`×`size` crop per transform (image → template) out of `image`
 * ([H, W, 3], not disposed), bilinear, zero outside the image. Returns [N, size, size, 3];
 * the caller owns it.
 *
 * tf.image.transform maps OUTPUT pixels to INPUT pixels, so it receives the inverse of each
 * transform. Each face is a separate call on the one [1, H, W, 3] image: batching would need
 * the frame tiled N times, and tfjs 4.22's cpu kernel only fills the first image of a batch
 * (it returns from inside its batch loop), leaving the rest at the fill value.
 */
export function alignFaces(image: tf.Tensor3D, transforms: readonly Similarity[], size: number): tf.Tensor4D {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`Crop size must be a positive integer, got ${size}.`);
  if (image.rank !== 3) throw new RangeError(`alignFaces expects an [H, W, C] image, got shape [${image.shape}].`);
  const channels = image.shape[2];
  if (transforms.length === 0) return tf.zeros([0, size, size, channels]);
  const params = transforms.map((t) => {
    const m = invert(t);
    return [m.a, -m.b, m.tx, m.b, m.a, m.ty, 0, 0];
  });
  return tf.tidy(() => {
    const batch = image.expandDims<tf.Tensor4D>(0);
    const crops = params.map((p) =>
      tf.image.transform(batch, tf.tensor2d([p], [1, 8], 'float32'), 'bilinear', 'constant', 0, [size, size]),
    );
    return crops.length === 1 ? (crops[0] as tf.Tensor4D) : tf.concat(crops, 0);
  });
}
