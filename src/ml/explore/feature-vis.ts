// Feature visualisation by gradient ascent: the objectives only. The optimisation loop is the
// Style Studio's (the same descent on an image through a loss network), so this module supplies
// what that loop minimises.
//
// Contract of featureVisLoss's result, the function the loop calls each step:
//   (x: Tensor4D [1, H, W, 3], RGB in 0..1) → tf.Scalar to MINIMISE
//     = −(mean activation of the chosen channel or unit) + tvWeight · totalVariation(x)
// It is differentiable in x, creates no tensors that outlive the call other than the returned
// scalar, and does not dispose x. Keeping x in 0..1 (clipping after each step, or a sigmoid
// parametrisation) is the loop's job, as it is for style transfer.
import * as tf from '@tensorflow/tfjs';
import type { ConvNetwork } from '../nets/network';

/** Which units of the channel to excite; an omitted coordinate means all rows (or columns). */
export interface UnitSelector {
  row?: number;
  col?: number;
}

export type ImageObjective = (x: tf.Tensor4D) => tf.Scalar;

/** The part of a loss network the objectives use. */
export type ObjectiveNetwork = Pick<ConvNetwork, 'activations' | 'layers'>;

/**
 * The activation to MAXIMISE: the mean over the batch (and over the rows/columns not fixed by
 * `unit`) of `channel` in `layer`. With row and col both given it is that single unit's value.
 */
export function unitObjective(
  network: ObjectiveNetwork,
  layer: string,
  channel: number,
  unit: UnitSelector = {},
): ImageObjective {
  const info = network.layers.find((l) => l.name === layer);
  if (info && !(Number.isInteger(channel) && channel >= 0 && channel < info.channels)) {
    throw new RangeError(`channel ${channel} out of range 0..${info.channels - 1} of ${layer}`);
  }
  const { row, col } = unit;
  return (x) =>
    tf.tidy(() => {
      const [activation] = network.activations(x, [layer]);
      if (!activation) throw new Error(`the network gave no activations for ${layer}`);
      const [, h, w, c] = activation.shape;
      if (!(Number.isInteger(channel) && channel >= 0 && channel < c)) {
        throw new RangeError(`channel ${channel} out of range 0..${c - 1} of ${layer}`);
      }
      if (row !== undefined && !(Number.isInteger(row) && row >= 0 && row < h)) {
        throw new RangeError(`row ${row} outside the ${h}-row map of ${layer}`);
      }
      if (col !== undefined && !(Number.isInteger(col) && col >= 0 && col < w)) {
        throw new RangeError(`column ${col} outside the ${w}-column map of ${layer}`);
      }
      const picked = activation.slice(
        [0, row ?? 0, col ?? 0, channel],
        [-1, row === undefined ? -1 : 1, col === undefined ? -1 : 1, 1],
      );
      return picked.mean() as tf.Scalar;
    });
}

/**
 * Total variation: squared differences between vertical and horizontal neighbours, summed over
 * channels and divided by N·H·W so its weight does not depend on the image size. Same definition
 * as the Style Studio's totalVariationCost, so either can serve.
 */
export function totalVariation(x: tf.Tensor4D): tf.Scalar {
  const [n, h, w] = x.shape;
  return tf.tidy(() => {
    const terms: tf.Tensor[] = [];
    if (h > 1) terms.push(tf.squaredDifference(x.slice([0, 1, 0, 0], [-1, -1, -1, -1]), x.slice(0, [-1, h - 1])).sum());
    if (w > 1)
      terms.push(tf.squaredDifference(x.slice([0, 0, 1, 0], [-1, -1, -1, -1]), x.slice(0, [-1, -1, w - 1])).sum());
    return (terms.length > 0 ? tf.addN(terms) : tf.scalar(0)).div(n * h * w) as tf.Scalar;
  });
}

export interface FeatureVisOptions extends UnitSelector {
  /**
   * λ for the smoothness penalty. No default: activations differ in scale by orders of magnitude
   * between networks and layers, so the caller sets it (0 turns the penalty off).
   */
  tvWeight: number;
  /** Smoothness penalty to use instead of totalVariation (e.g. the Style Studio's own). */
  smoothness?: (x: tf.Tensor4D) => tf.Scalar;
}

/** The loss to MINIMISE for feature visualisation: −activation + tvWeight · TV(x). See the contract above. */
export function featureVisLoss(
  network: ObjectiveNetwork,
  layer: string,
  channel: number,
  options: FeatureVisOptions,
): ImageObjective {
  const { tvWeight } = options;
  if (!(tvWeight >= 0)) throw new RangeError('tvWeight must be ≥ 0');
  const objective = unitObjective(network, layer, channel, { row: options.row, col: options.col });
  const smoothness = options.smoothness ?? totalVariation;
  return (x) =>
    tf.tidy(() => {
      const activation = objective(x).neg();
      return (tvWeight > 0 ? activation.add(smoothness(x).mul(tvWeight)) : activation) as tf.Scalar;
    });
}
