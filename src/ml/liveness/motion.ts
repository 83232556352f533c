// Does the face move like a flat picture? Motion analysis of a short clip of aligned grey face
// crops as a 3-D convolution and a least-squares fit.
//
//   clip [T, H, W] ─▶ normalise contrast ─▶ tf.conv3d: Gaussian blur (separable, in y then x)
//     ─▶ tf.conv3d: central differences in x, y and t → Ix, Iy, It (and the blurred frame J)
//     ─▶ per middle frame: least squares It ≈ −(Ix·u + Iy·v) + illumination, u, v a planar flow
//     ─▶ the fraction of the temporal energy the fit leaves unexplained
//
// The brightness-constancy equation It + Ix·u + Iy·v = 0 holds for any motion; what a picture
// cannot do is move in any way other than one plane. The flow of a plane moving rigidly under a
// pinhole camera is, for small motions, the 8-parameter "planar" field
//   u = a0 + a1·x + a2·y + q1·x² + q2·x·y,   v = b0 + b1·x + b2·y + q1·x·y + q2·y²
// (affine plus the two perspective terms a tilt adds). Shift, zoom, in-plane rotation, shear and
// a slight tilt of a held photo or screen all fit it, and so does the similarity jitter the
// alignment leaves. A live face does not: eyelids, mouth and 3-D parallax (nose against
// cheeks) move parts of the crop differently, which the global field cannot follow. An offset
// and a gain on J absorb exposure changes, which move no pixel.
//
// Why the details:
// - Contrast is normalised (zero mean, unit standard deviation over the clip), so the energies
//   mean the same for a dim and a bright crop. On the synthetic clips of motion.test.ts (48 px,
//   texture of face-crop contrast) the unexplained fraction is < 0.03 for shifts of 0.3–3 px
//   per frame, 2 % zoom, 1.5° rotation and a perspective tilt (0.29 for the tilt with the
//   affine model, hence 'planar'); 0.58 for a patch moving against the rest and 0.83 for an
//   eye closing. Sensor noise of 0.01 on a still clip leaves 4e-4 unexplained (a fraction of
//   0.94, but under `minResidualEnergy`) and a fitted speed of 0.04 px per frame.
// - Through the real pipeline (BlazeFace, FaceMesh five points, greyFaceCrop at 48 px; run with
//   `node scripts/measure-liveness.mjs --clips`): on rigid-a.y4m, person A's photo panned ±30 px,
//   zoomed ±12 % and turned ±7° at 15 fps, alignment leaves 0.05–0.12 px per frame and every
//   8-frame window reads 'still' (unexplained 0.14–0.20 of a tiny energy, ≤ 6e-4). On live-a.y4m
//   (a swaying face with two painted blinks) the windows holding a blink read 'non-rigid' at
//   0.77–0.82; the others 'still'. So a moved photo mostly comes out 'still', not 'rigid': what
//   catches it is the absence of any non-rigid window, at the time limit (fusion.ts). Synthetic
//   and fixture clips only; check the thresholds on real recordings.
// - Central differences in t, with Ix and Iy taken on the middle frame, are second-order
//   accurate for steady motion: the quadratic term of a frame difference cancels. Together with
//   a blur of σ 1 px that keeps the linearisation usable up to about 2 px per frame — more than
//   aligned crops move.
// - The fit is per middle frame (a hand-held picture changes its motion from frame to frame);
//   the energies are summed over the clip.
// - Sensor noise is temporal energy no motion model explains, so a still picture reads as a
//   small energy with a large unexplained fraction. The verdict therefore needs the unexplained
//   energy itself above a floor before it says 'non-rigid'; what is neither non-rigid nor moving
//   (fitted speed under `stillSpeed`) is 'still', no evidence either way. Speed rather than
//   energy decides stillness because energy grows with the fineness of the texture as well as
//   with the motion: the same fitted speed of 0.37 px per frame came with an energy of 5.7e-3
//   on one synthetic texture and 2.7e-3 on another.
import * as tf from '@tensorflow/tfjs';

export type MotionModel = 'affine' | 'planar';
export type MotionVerdict = 'still' | 'rigid' | 'non-rigid';

export interface MotionOptions {
  /** Gaussian blur before differentiation, pixels. */
  blurSigma: number;
  /** Motion of a plane to fit: 6-parameter affine, or 8-parameter planar (affine + tilt). */
  model: MotionModel;
  /** Below this speed of the fitted motion (pixels per frame) a clip that is not non-rigid is 'still'. */
  stillSpeed: number;
  /** Unexplained fraction of the temporal energy above which the motion is not rigid… */
  nonRigidFraction: number;
  /** …provided the unexplained energy itself is above this floor (noise stays below it). */
  minResidualEnergy: number;
  /**
   * Least standard deviation the clip is normalised by (grey levels in 0..1): a flat, textureless
   * crop is not blown up until its sensor noise looks like motion.
   */
  minContrast: number;
}

export const DEFAULT_MOTION_OPTIONS: MotionOptions = {
  blurSigma: 1,
  model: 'planar',
  stillSpeed: 0.15,
  nonRigidFraction: 0.3,
  minResidualEnergy: 1e-3,
  minContrast: 0.02,
};

export interface MotionAnalysis {
  /** Mean It² per pixel and frame, on the clip scaled to unit contrast. */
  energy: number;
  /** The part of `energy` the planar motion cannot explain. */
  residual: number;
  /** residual / energy, 0..1 (0 when energy is 0). */
  nonRigidity: number;
  /** Root-mean-square speed of the fitted flow, pixels per frame at the clip's size. */
  speed: number;
  verdict: MotionVerdict;
  /** The same figures per middle frame (T − 2 of them). */
  frames: { energy: number; residual: number; speed: number }[];
}

function gaussian(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const w: number[] = [];
  for (let i = -radius; i <= radius; i++) w.push(Math.exp(-(i * i) / (2 * sigma * sigma)));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / sum);
}

/**
 * Four 3×3×3 kernels in one [3, 3, 3, 1, 4] filter: the middle frame (J) and the central
 * differences Ix, Iy, It, each of one sample step.
 */
function derivativeKernels(): tf.Tensor5D {
  const k = new Float32Array(27 * 4);
  const set = (t: number, y: number, x: number, channel: number, v: number) => {
    k[((t * 3 + y) * 3 + x) * 4 + channel] = v;
  };
  set(1, 1, 1, 0, 1);
  set(1, 1, 2, 1, 0.5);
  set(1, 1, 0, 1, -0.5);
  set(1, 2, 1, 2, 0.5);
  set(1, 0, 1, 2, -0.5);
  set(2, 1, 1, 3, 0.5);
  set(0, 1, 1, 3, -0.5);
  return tf.tensor5d(k, [3, 3, 3, 1, 4]);
}

/** Columns of the design matrix for the chosen flow model, then the two illumination columns. */
function designColumns(J: tf.Tensor, Ix: tf.Tensor, Iy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, model: MotionModel) {
  const columns = [Ix, Ix.mul(x), Ix.mul(y), Iy, Iy.mul(x), Iy.mul(y)];
  if (model === 'planar') {
    columns.push(Ix.mul(x).mul(x).add(Iy.mul(x).mul(y)), Ix.mul(x).mul(y).add(Iy.mul(y).mul(y)));
  }
  columns.push(tf.onesLike(J), J);
  return columns;
}

/** Solves the symmetric system G p = h (G n×n, row-major) by Cholesky with a small ridge. */
export function solveSymmetric(G: ArrayLike<number>, h: ArrayLike<number>, n: number): Float64Array {
  let trace = 0;
  for (let i = 0; i < n; i++) trace += G[i * n + i]!;
  const ridge = (1e-9 * trace) / n + 1e-12;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = G[i * n + j]! + (i === j ? ridge : 0);
      for (let k = 0; k < j; k++) sum -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-30)) : sum / L[j * n + j]!;
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = h[i]!;
    for (let k = 0; k < i; k++) sum -= L[i * n + k]! * z[k]!;
    z[i] = sum / L[i * n + i]!;
  }
  const p = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i]!;
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i]! * p[k]!;
    p[i] = sum / L[i * n + i]!;
  }
  return p;
}

/**
 * Analyses a clip [T, H, W] of grey aligned face crops in 0..1 (T ≥ 3; H and W larger than the
 * blur and difference kernels, e.g. 8 × 48 × 48). The clip is not disposed.
 */
export async function analyseMotion(clip: tf.Tensor3D, options: Partial<MotionOptions> = {}): Promise<MotionAnalysis> {
  const o = { ...DEFAULT_MOTION_OPTIONS, ...options };
  const [frames, height, width] = clip.shape;
  const blur = gaussian(o.blurSigma);
  const radius = (blur.length - 1) / 2;
  const innerH = height - 2 * radius - 2;
  const innerW = width - 2 * radius - 2;
  if (frames < 3 || innerH < 4 || innerW < 4) {
    throw new RangeError(
      `analyseMotion needs a clip of ≥ 3 frames of at least ${2 * radius + 6} px; got [${clip.shape}].`,
    );
  }
  const params = o.model === 'planar' ? 10 : 8;
  const pairs = frames - 2;

  const packed = tf.tidy(() => {
    const { mean, variance } = tf.moments(clip);
    const unit = clip.sub(mean).div(variance.sqrt().maximum(o.minContrast));
    const x5 = unit.reshape([1, frames, height, width, 1]) as tf.Tensor5D;
    const gy = tf.tensor5d(blur, [1, blur.length, 1, 1, 1]);
    const gx = tf.tensor5d(blur, [1, 1, blur.length, 1, 1]);
    const smooth = tf.conv3d(tf.conv3d(x5, gy, 1, 'valid'), gx, 1, 'valid');
    // [1, T−2, h, w, 4]: J, Ix, Iy, It.
    const d = tf.conv3d(smooth, derivativeKernels(), 1, 'valid');
    const [J, Ix, Iy, It] = tf
      .split(d.reshape([pairs, innerH, innerW, 4]), 4, 3)
      .map((c) => c.reshape([pairs, innerH * innerW, 1])) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    // Coordinates scaled to −1..1 across the valid region, so the columns are of similar size.
    const ys = tf
      .linspace(-1, 1, innerH)
      .reshape([innerH, 1])
      .tile([1, innerW])
      .reshape([1, innerH * innerW, 1]);
    const xs = tf
      .linspace(-1, 1, innerW)
      .reshape([1, innerW])
      .tile([innerH, 1])
      .reshape([1, innerH * innerW, 1]);
    const A = tf.concat(designColumns(J, Ix, Iy, xs, ys, o.model), 2) as tf.Tensor3D;
    const G = tf.matMul(A, A, true, false).reshape([pairs, params * params]);
    const h = tf.matMul(A, It as tf.Tensor3D, true, false).reshape([pairs, params]);
    const e = It.square().sum([1, 2]).reshape([pairs, 1]);
    return tf.concat([G, h, e], 1);
  });
  let values: Float32Array;
  try {
    values = (await packed.data()) as Float32Array;
  } finally {
    packed.dispose();
  }

  const stride = params * params + params + 1;
  const n = innerH * innerW;
  const perFrame = [];
  for (let t = 0; t < pairs; t++) {
    const row = values.subarray(t * stride, (t + 1) * stride);
    const G = row.subarray(0, params * params);
    const h = row.subarray(params * params, params * params + params);
    const e = row[stride - 1]!;
    const p = solveSymmetric(G, h, params);
    let explained = 0;
    for (let i = 0; i < params; i++) explained += p[i]! * h[i]!;
    perFrame.push({ energy: e / n, residual: Math.max(0, e - explained) / n, speed: flowSpeed(p, o.model) });
  }
  const energy = perFrame.reduce((s, f) => s + f.energy, 0) / pairs;
  const residual = perFrame.reduce((s, f) => s + f.residual, 0) / pairs;
  const nonRigidity = energy > 0 ? Math.min(1, residual / energy) : 0;
  const speed = Math.sqrt(perFrame.reduce((s, f) => s + f.speed * f.speed, 0) / pairs);
  let verdict: MotionVerdict = 'rigid';
  if (nonRigidity >= o.nonRigidFraction && residual >= o.minResidualEnergy) verdict = 'non-rigid';
  else if (speed < o.stillSpeed) verdict = 'still';
  return { energy, residual, nonRigidity, speed, verdict, frames: perFrame };
}

/**
 * RMS over a 5×5 grid of the fitted flow's speed, pixels per frame (the fit is It ≈ A·p, so
 * the flow is −p; the sign does not matter here). x and y are the −1..1 coordinates of the fit.
 */
function flowSpeed(p: Float64Array, model: MotionModel): number {
  let sum = 0;
  let count = 0;
  for (let i = 0; i < 5; i++) {
    for (let j = 0; j < 5; j++) {
      const x = -1 + j / 2;
      const y = -1 + i / 2;
      let u = p[0]! + p[1]! * x + p[2]! * y;
      let v = p[3]! + p[4]! * x + p[5]! * y;
      if (model === 'planar') {
        u += p[6]! * x * x + p[7]! * x * y;
        v += p[6]! * x * y + p[7]! * y * y;
      }
      sum += u * u + v * v;
      count++;
    }
  }
  return Math.sqrt(sum / count);
}
