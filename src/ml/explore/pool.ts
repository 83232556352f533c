// The pool of pictures the layer-by-layer figure ranks units over: each image of the set cut into
// square crops at several scales and positions, so ten packaged pictures give a few hundred views
// (whole scenes for the deep layers, close-ups where a shallow unit's few pixels are a texture),
// plus a crop around each face found, so a face network sees faces at the size it was trained on.
import type { PixelRect } from '../nets/geometry';
import type { ExploreImage } from './views';

/** Crops per picture the UI offers; the last is the app's default (the full pool). */
export const POOL_LEVELS = [1, 5, 14, 30] as const;
export type PoolLevel = (typeof POOL_LEVELS)[number];
export const FULL_POOL: PoolLevel = 30;

/** Side of each scale's crops as a share of the picture's short side, with an n × n grid of positions. */
const SCALES: readonly { share: number; grid: number }[] = [
  { share: 1, grid: 1 },
  { share: 0.6, grid: 2 },
  { share: 0.4, grid: 3 },
  { share: 0.25, grid: 4 },
];

/** How many scales a level uses: 1 → whole picture, 5 → +2×2, 14 → +3×3, 30 → +4×4. */
function scalesOf(level: PoolLevel): number {
  return POOL_LEVELS.indexOf(level) + 1;
}

/**
 * Square crops of a width × height picture, in its pixels, whole first. At each scale the n × n
 * positions spread evenly from one edge to the other along both axes (the long axis included),
 * so together they cover the picture.
 */
export function poolCrops(width: number, height: number, level: PoolLevel): PixelRect[] {
  if (!(width >= 1 && height >= 1)) throw new RangeError('a picture needs a positive size');
  if (!POOL_LEVELS.includes(level)) throw new RangeError(`crops per picture must be one of ${POOL_LEVELS.join(', ')}`);
  const short = Math.min(width, height);
  const out: PixelRect[] = [];
  for (const { share, grid } of SCALES.slice(0, scalesOf(level))) {
    const side = Math.max(1, Math.round(short * share));
    const at = (extent: number, i: number) => (grid === 1 ? (extent - side) / 2 : ((extent - side) * i) / (grid - 1));
    for (let r = 0; r < grid; r++) {
      for (let c = 0; c < grid; c++) {
        out.push({ top: Math.round(at(height, r)), left: Math.round(at(width, c)), height: side, width: side });
      }
    }
  }
  return out;
}

/**
 * A square around a face box, 1.6 times its larger side (forehead, chin and some hair, as the
 * face models' own crops), moved inside the picture where it can be; null when the box is empty.
 */
export function faceCrop(box: PixelRect, width: number, height: number): PixelRect | null {
  if (!(box.width > 0 && box.height > 0)) return null;
  const side = Math.min(Math.round(1.6 * Math.max(box.width, box.height)), width, height);
  if (side < 8) return null;
  const clamp = (v: number, extent: number) => Math.max(0, Math.min(extent - side, Math.round(v)));
  return {
    top: clamp(box.top + box.height / 2 - side / 2, height),
    left: clamp(box.left + box.width / 2 - side / 2, width),
    height: side,
    width: side,
  };
}

/**
 * The pool over an image set: for each image its face crops (when `faces` lists boxes for it)
 * then its level's crops, each an ExploreImage over the same bitmap with its crop and a
 * descriptor that names the crop (so the cache tells pools apart).
 */
export function buildPool(
  images: readonly ExploreImage[],
  level: PoolLevel,
  faces: (image: ExploreImage, index: number) => readonly PixelRect[] = () => [],
): ExploreImage[] {
  const out: ExploreImage[] = [];
  images.forEach((image, index) => {
    const { width, height } = image.bitmap;
    const crops = [
      ...faces(image, index)
        .map((b) => faceCrop(b, width, height))
        .filter((c): c is PixelRect => c !== null),
      ...poolCrops(width, height, level),
    ];
    crops.forEach((crop, i) => {
      const where = `${crop.left},${crop.top},${crop.width}`;
      out.push({
        name: crops.length > 1 ? `${image.name} (crop ${i + 1})` : image.name,
        bitmap: image.bitmap,
        crop,
        descriptor: { ...image.descriptor, name: `${image.descriptor.name}#${where}` },
      });
    });
  });
  return out;
}
