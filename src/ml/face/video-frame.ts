// A camera frame for the tracker (tracker.ts TrackerFrame) that never becomes a full-frame tensor
// unless it must: FaceMesh's crop is cut, turned and scaled in one canvas draw (crop, warp and
// resize fused, on the browser's 2-D path), so a tracked frame costs a 192×192 upload instead
// of a 640×480 one and its conversion. The whole frame is converted only for the detector and
// for crops kept for the decision.
import * as tf from '@tensorflow/tfjs';
import { pixelsToTensor } from '../runtime/frames';
import { cropToImage, type FaceCrop } from './landmarks';
import type { TrackerFrame } from './tracker';

export type DrawableFrame = HTMLCanvasElement | ImageBitmap;

/**
 * The canvas transform (source pixels → crop pixels) that draws `crop` into an n×n canvas:
 * the inverse of `cropToImage`'s map, moved from pixel-index coordinates (centres at integers,
 * as tfjs samples) to the canvas's continuous ones (centres at +½).
 */
export function canvasTransform(crop: FaceCrop, n: number): [number, number, number, number, number, number] {
  const [a0, a1, a2, b0, b1, b2] = cropToImage(crop, n);
  const tx = a2 + 0.5 - 0.5 * (a0 + a1);
  const ty = b2 + 0.5 - 0.5 * (b0 + b1);
  const det = a0 * b1 - a1 * b0;
  const a = b1 / det;
  const c = -a1 / det;
  const b = -b0 / det;
  const d = a0 / det;
  return [a, b, c, d, -(a * tx + c * ty), -(b * tx + d * ty)];
}

/** `source` as a TrackerFrame; `scratch` is a reusable canvas for the crops. Dispose after use. */
export function canvasFrame(source: DrawableFrame, scratch: HTMLCanvasElement): TrackerFrame & { dispose(): void } {
  let whole: tf.Tensor3D | null = null;
  return {
    width: source.width,
    height: source.height,
    cropSquare(crop, n) {
      if (scratch.width !== n || scratch.height !== n) {
        scratch.width = n;
        scratch.height = n;
      }
      const ctx = scratch.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('This browser could not create a 2D canvas.');
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, n, n);
      ctx.imageSmoothingEnabled = true;
      ctx.imageSmoothingQuality = 'low';
      ctx.setTransform(...canvasTransform(crop, n));
      ctx.drawImage(source, 0, 0);
      return tf.tidy(() => pixelsToTensor(scratch).expandDims<tf.Tensor4D>(0));
    },
    tensor() {
      whole ??= pixelsToTensor(source);
      return whole;
    },
    dispose() {
      whole?.dispose();
      whole = null;
    },
  };
}
