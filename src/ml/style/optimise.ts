// The one image-optimisation loop behind style transfer and feature visualisation: an image
// variable is updated to lower an objective, with Adam (tfjs's own) or L-BFGS (lbfgs.ts).
//
// Each iteration reads back one small tensor — the loss and the terms the objective wants
// reported — with a single `await data()`; nothing else waits on the device. Between
// iterations the loop yields to the event loop so a browser tab keeps painting and answering
// clicks, and honours stop and pause. Every tensor of an iteration is released before the next,
// so `tf.memory().numTensors` stays flat (after Adam creates its moment variables on step one).
import * as tf from '@tensorflow/tfjs';
import { Lbfgs, type LbfgsOptions, type LossAndGrad } from './lbfgs';

export type OptimiserKind = 'adam' | 'lbfgs';

/** The cost to lower at an image x [1, H, W, C], with the values to report (e.g. cost terms). */
export type ImageObjective = (x: tf.Tensor4D) => { loss: tf.Scalar; terms: tf.Tensor1D };

/** Anything with `aborted`, such as an AbortSignal. */
export interface AbortSignalLike {
  readonly aborted: boolean;
}

/** Pause and resume from outside; `whenRunning` resolves once the run may go on. */
export interface PauseControl {
  readonly signal?: AbortSignalLike;
  whenRunning(): Promise<void>;
}

import { yieldToEventLoop } from '../runtime/run-control';
import { seededRandom } from '../core/random';

export { RunControl, yieldToEventLoop } from '../runtime/run-control';

export interface IterationInfo {
  /** 1-based, counted from `firstIteration`. */
  iteration: number;
  /** The loss: before the update for Adam, at the new point for L-BFGS. */
  loss: number;
  /** The objective's `terms`, read in the same sync as the loss. */
  terms: number[];
  /** Wall time of the iteration, the read-back included and the yield excluded. */
  msPerIteration: number;
  /** Objective evaluations this iteration took (1 for Adam; L-BFGS's line search may take more). */
  evaluations: number;
}

export interface OptimiseImageOptions {
  /** The start image [1, H, W, C]: a tensor is copied (the caller keeps it); a variable is updated in place. */
  init: tf.Tensor4D | tf.Variable<tf.Rank.R4>;
  objective: ImageObjective;
  optimiser?: OptimiserKind;
  /** Adam's learning rate; for L-BFGS the RMS size of its steepest-descent steps (default 0.02). */
  learningRate?: number;
  iterations: number;
  /** Box the image is kept in after every step (projected into, for L-BFGS); null for none. Default [0, 1]. */
  clip?: readonly [number, number] | null;
  /** Roll the image by a random whole number of pixels in −k..k (each axis) before the objective. Adam only. */
  jitter?: number;
  /** Seed of the jitter offsets. */
  seed?: number;
  /** Yield to the event loop after every this many iterations (0: never). Default 1. */
  yieldEvery?: number;
  yieldToEventLoop?: () => Promise<void>;
  onIteration?: (info: IterationInfo) => void;
  signal?: AbortSignalLike;
  control?: PauseControl;
  /** Call onPreview every this many iterations (and after the last). */
  previewEvery?: number;
  /** Receives a copy of the image; the callee disposes it. */
  onPreview?: (image: tf.Tensor4D, iteration: number) => void;
  lbfgs?: Partial<Omit<LbfgsOptions, 'bounds' | 'initialStep'>>;
  /** Number the iterations from here (+1), when one run continues another (coarse to fine). */
  firstIteration?: number;
}

export type StopReason = 'done' | 'stopped' | 'converged';

export interface OptimiseImageResult {
  /** The final image; the caller disposes it. */
  image: tf.Tensor4D;
  /** Iterations completed. */
  iterations: number;
  stoppedBy: StopReason;
  /** The last reported loss and terms (NaN and [] when no iteration ran). */
  loss: number;
  terms: number[];
}

/** Circular shift of an image [N, H, W, C] by dy rows and dx columns: out[i] = x[(i − dy) mod H]. */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const sy = ((Math.round(dy) % h) + h) % h;
  const sx = ((Math.round(dx) % w) + w) % w;
  return tf.tidy(() => {
    let out = x;
    if (sy) out = tf.concat([out.slice([0, h - sy], [-1, sy]), out.slice([0, 0], [-1, h - sy])], 1);
    if (sx) out = tf.concat([out.slice([0, 0, w - sx], [-1, -1, sx]), out.slice([0, 0, 0], [-1, -1, w - sx])], 2);
    return sy || sx ? out : out.clone();
  });
}

function checkOptions(o: OptimiseImageOptions) {
  if (!Number.isInteger(o.iterations) || o.iterations < 0) {
    throw new RangeError(`iterations must be a whole number ≥ 0; got ${o.iterations}.`);
  }
  if (o.init.shape.length !== 4) throw new RangeError(`The image must be [1, H, W, C]; got [${o.init.shape}].`);
  const lr = o.learningRate ?? 0.02;
  if (!(lr > 0) || !Number.isFinite(lr)) throw new RangeError(`learningRate must be positive; got ${lr}.`);
  if ((o.jitter ?? 0) > 0 && o.optimiser === 'lbfgs') {
    throw new RangeError('Jitter makes the cost differ between evaluations, which L-BFGS cannot use: choose Adam.');
  }
}

/** Runs the optimisation; resolves with the final image (stopping early is not an error). */
export async function optimiseImage(o: OptimiseImageOptions): Promise<OptimiseImageResult> {
  checkOptions(o);
  const kind = o.optimiser ?? 'adam';
  const learningRate = o.learningRate ?? 0.02;
  const clip = o.clip === undefined ? ([0, 1] as const) : o.clip;
  const jitter = Math.max(0, Math.floor(o.jitter ?? 0));
  const yieldEvery = o.yieldEvery ?? 1;
  const pause = o.yieldToEventLoop ?? yieldToEventLoop;
  const random = seededRandom(o.seed ?? 1);
  const stopped = () => !!o.signal?.aborted || !!o.control?.signal?.aborted;

  const ownsVariable = !(o.init instanceof tf.Variable);
  // A new variable shares the caller's data until the first update assigns it new data.
  const variable: tf.Variable<tf.Rank.R4> = ownsVariable
    ? tf.variable(o.init, true)
    : (o.init as tf.Variable<tf.Rank.R4>);
  let adam: tf.AdamOptimizer | null = null;
  let lbfgs: Lbfgs | null = null;
  let done = 0;
  let loss = NaN;
  let terms: number[] = [];
  let stoppedBy: StopReason = 'done';
  const first = o.firstIteration ?? 0;

  try {
    if (kind === 'adam') adam = tf.train.adam(learningRate);
    else
      lbfgs = new Lbfgs(variable, lossAndGradOf(o.objective), { ...o.lbfgs, bounds: clip, initialStep: learningRate });

    for (let i = 0; i < o.iterations; i++) {
      if (stopped()) {
        stoppedBy = 'stopped';
        break;
      }
      if (o.control) {
        await o.control.whenRunning();
        if (stopped()) {
          stoppedBy = 'stopped';
          break;
        }
      }
      const t0 = performance.now();
      let evaluations = 1;
      let converged = false;
      if (adam) {
        const offsets = jitter > 0 ? [randomShift(random, jitter), randomShift(random, jitter)] : null;
        const packed = adamStep(adam, variable, o.objective, clip, offsets);
        try {
          const v = await packed.data();
          loss = v[0] as number;
          terms = Array.from(v.subarray(1));
        } finally {
          packed.dispose();
        }
      } else {
        const r = await (lbfgs as Lbfgs).step();
        loss = r.loss;
        terms = r.terms;
        evaluations = r.evaluations;
        converged = r.converged;
      }
      done = i + 1;
      const ms = performance.now() - t0;
      o.onIteration?.({ iteration: first + done, loss, terms, msPerIteration: ms, evaluations });
      const last = done === o.iterations || converged;
      if (o.onPreview && o.previewEvery && (done % o.previewEvery === 0 || last)) {
        o.onPreview(variable.clone() as tf.Tensor4D, first + done);
      }
      if (converged) {
        stoppedBy = 'converged';
        break;
      }
      if (yieldEvery > 0 && done % yieldEvery === 0 && !last) await pause();
    }
    return { image: variable.clone() as tf.Tensor4D, iterations: done, stoppedBy, loss, terms };
  } finally {
    adam?.dispose();
    lbfgs?.dispose();
    if (ownsVariable) variable.dispose();
  }
}

function randomShift(random: () => number, k: number): number {
  return Math.floor(random() * (2 * k + 1)) - k;
}

/** One Adam update; returns [loss, …terms] (before the update), which the caller reads and frees. */
function adamStep(
  adam: tf.Optimizer,
  variable: tf.Variable<tf.Rank.R4>,
  objective: ImageObjective,
  clip: readonly [number, number] | null,
  offsets: number[] | null,
): tf.Tensor1D {
  const out: { packed: tf.Tensor1D | null } = { packed: null };
  try {
    tf.tidy(() => {
      adam.minimize(
        () => {
          const x = offsets ? roll(variable, offsets[0] as number, offsets[1] as number) : variable;
          const r = objective(x);
          // Kept out of minimize's scopes so the report survives them; read and freed by the caller.
          out.packed = tf.keep(tf.concat([r.loss.reshape([1]), r.terms]) as tf.Tensor1D);
          return r.loss;
        },
        false,
        [variable],
      );
      if (clip) variable.assign(tf.clipByValue(variable, clip[0], clip[1]));
    });
  } catch (err) {
    out.packed?.dispose();
    throw err;
  }
  if (!out.packed) throw new Error('The objective returned no loss.');
  return out.packed;
}

/** L-BFGS's view of an objective: the loss, its gradient and the terms, from one evaluation. */
function lossAndGradOf(objective: ImageObjective): LossAndGrad {
  return (x) => {
    const out: { terms: tf.Tensor1D | null } = { terms: null };
    try {
      const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => {
        const r = objective(xx as tf.Tensor4D);
        // Kept out of the gradient's scopes; L-BFGS reads and frees it.
        out.terms = tf.keep(r.terms.clone());
        return r.loss;
      })(x);
      return { loss: value, grad, ...(out.terms ? { terms: out.terms } : {}) };
    } catch (err) {
      out.terms?.dispose();
      throw err;
    }
  };
}
