// Synthetic signals for the liveness tests: a smooth random texture standing in for a face crop,
// rendered under exact motions (no resampling blur), so each test knows its answer.
import * as tf from '@tensorflow/tfjs';
import { seededRandom } from '../core/random';

/** Where frame t's pixel (x, y) comes from in the texture: the inverse of the frame's motion. */
export type Warp = (x: number, y: number, t: number) => [number, number];

/** A smooth random texture on a `size` square: 40 Gaussian blobs of 1.5–5.5 px on mid grey. */
export function texture(seed: number, size: number): (x: number, y: number) => number {
  const rng = seededRandom(seed);
  const blobs = Array.from({ length: 40 }, () => ({
    x: rng() * size * 1.4 - size * 0.2,
    y: rng() * size * 1.4 - size * 0.2,
    s: 1.5 + rng() * 4,
    a: 0.3 * (rng() * 2 - 1),
  }));
  return (x, y) => {
    let v = 0.5;
    for (const b of blobs) v += b.a * Math.exp(-((x - b.x) ** 2 + (y - b.y) ** 2) / (2 * b.s * b.s));
    return v;
  };
}

export interface RenderOptions {
  /** Standard deviation of uniform noise added to every pixel. */
  noise?: number;
  /** Brightness gain per frame (exposure drift). */
  gain?: number;
  seed?: number;
}

/** Frame `t` of `surface` under `warp`, as a flat row-major array. */
export function renderFrame(
  surface: (x: number, y: number) => number,
  size: number,
  warp: Warp,
  t: number,
  options: RenderOptions & { rng?: () => number } = {},
): Float32Array {
  const { noise = 0, gain = 0 } = options;
  const rng = options.rng ?? seededRandom(options.seed ?? 11);
  const data = new Float32Array(size * size);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const [u, v] = warp(x, y, t);
      data[y * size + x] = surface(u, v) * (1 + gain * t) + noise * (rng() - 0.5) * Math.sqrt(12);
    }
  return data;
}

/** T frames [T, size, size] of `surface` under `warp`. */
export function renderClip(
  surface: (x: number, y: number) => number,
  size: number,
  frames: number,
  warp: Warp,
  options: RenderOptions = {},
): tf.Tensor3D {
  const rng = seededRandom(options.seed ?? 11);
  const data = new Float32Array(frames * size * size);
  for (let t = 0; t < frames; t++) data.set(renderFrame(surface, size, warp, t, { ...options, rng }), t * size * size);
  return tf.tensor3d(data, [frames, size, size]);
}

/**
 * The defaults before the screen-light challenge: blink and motion required, light off. Tests of
 * the frame cues use these, since a synthetic clip cannot answer the screen's light.
 */
export const FRAME_CUE_SETTINGS = {
  enabled: { light: false, screen: false, passive: true, blink: true, motion: true, challenge: false },
  required: { light: false, screen: false, passive: false, blink: true, motion: true, challenge: false },
};
