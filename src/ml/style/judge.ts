// A judge of style-transfer results that does not share the loss network's blind spots: the
// content distance of G to C and the style (Gram) distance of G to S, measured through a second
// network, for the starting image and the result. Optimising J through one network and reading
// success off the same network rewards whatever that network happens not to see (the random
// VGG-19 is content with coloured noise that has the right Grams); a network that took no part
// in the optimisation is a fairer witness. The figures are relative, so they read the same
// whatever the judge's activation scale:
//
//   content distance = Σ(a(C) − a(G))² / Σ a(C)²                 at the judge's content layer
//   style distance   = mean over layers of Σ(M(S) − M(G))² / Σ M(S)²   M: Gram / positions
//
// 0 is a perfect match; 1 is as far as a G whose activations are all zero.
import * as tf from '@tensorflow/tfjs';
import type { ConvNetwork } from '../nets/network';
import { meanGram } from './costs';
import type { LossNetworkId } from './networks';
import { initialImage, MIN_STYLE_SIZE, resizeImage, sizeForLongSide, type StyleSettings } from './transfer';

/** The judge's figures, named as `npm run stylize -- --json` prints them. */
export interface JudgeReport {
  network: string;
  content_before: number;
  content_after: number;
  style_before: number;
  style_after: number;
}

export interface JudgeInputs {
  /** Images [H, W, 3] or [1, H, W, 3] in 0..1; before and after must have C's size. */
  content: tf.Tensor3D | tf.Tensor4D;
  style: tf.Tensor3D | tf.Tensor4D;
  /** The starting image G₀. */
  before: tf.Tensor3D | tf.Tensor4D;
  /** The result G. */
  after: tf.Tensor3D | tf.Tensor4D;
}

/**
 * The network that judges a loss network's results: ResNet-50 (trained features) judges the
 * random VGG-19 and custom models; the random VGG-19 judges ResNet-50.
 */
export function judgeNetworkFor(lossNetwork: LossNetworkId): Exclude<LossNetworkId, 'custom'> {
  return lossNetwork === 'resnet50' ? 'vgg19-random' : 'resnet50';
}

const batch = (t: tf.Tensor3D | tf.Tensor4D): tf.Tensor4D => (t.rank === 3 ? t.expandDims(0) : t) as tf.Tensor4D;

/** Relative squared distance Σ(a − b)² / Σ a², as a scalar tensor. */
function relative(target: tf.Tensor, other: tf.Tensor): tf.Scalar {
  return tf.squaredDifference(target, other).sum().div(tf.square(target).sum().add(1e-12)) as tf.Scalar;
}

/**
 * Content and style distances of `before` and `after` through `network`, at its default layers
 * (or those given). Reads back once; frees everything it makes.
 */
export async function judgeStyleTransfer(
  network: ConvNetwork,
  inputs: JudgeInputs,
  layers: { content: string; style: readonly string[] } = network.defaults,
): Promise<JudgeReport> {
  const hw = (t: tf.Tensor) => (t.rank === 3 ? t.shape.slice(0, 2) : t.shape.slice(1, 3)) as [number, number];
  const [ch, cw] = hw(inputs.content);
  for (const [name, t] of [
    ['before', inputs.before],
    ['after', inputs.after],
  ] as const) {
    const [h, w] = hw(t);
    if (h !== ch || w !== cw) {
      throw new RangeError(`The judge needs "${name}" at the content image's size ${cw}×${ch}; got ${w}×${h}.`);
    }
  }
  const all = [layers.content, ...layers.style];
  const figures = tf.tidy(() => {
    const [contentTarget] = network.activations(batch(inputs.content), [layers.content]);
    const styleTargets = network.activations(batch(inputs.style), layers.style).map((a) => meanGram(a));
    const measure = (g: tf.Tensor4D) => {
      const acts = network.activations(g, all);
      const content = relative(contentTarget as tf.Tensor4D, acts[0] as tf.Tensor4D);
      const style = tf
        .addN(styleTargets.map((target, i) => relative(target, meanGram(acts[i + 1] as tf.Tensor4D))))
        .div(styleTargets.length);
      return [content, style];
    };
    return tf.stack([...measure(batch(inputs.before)), ...measure(batch(inputs.after))]);
  });
  try {
    const [cb, sb, ca, sa] = Array.from(await figures.data());
    return {
      network: network.id,
      content_before: cb as number,
      content_after: ca as number,
      style_before: sb as number,
      style_after: sa as number,
    };
  } finally {
    figures.dispose();
  }
}

/**
 * Judges a finished run as the Studio made it: C resized to the result's size, S to the style
 * scale the run used, G₀ rebuilt from the run's settings (start image, mix, seed). Frees what it
 * makes; the caller keeps its tensors.
 */
export async function judgeRun(
  network: ConvNetwork,
  run: {
    content: tf.Tensor3D;
    style: tf.Tensor3D;
    result: tf.Tensor3D;
    settings: Pick<StyleSettings, 'init' | 'mixRatio' | 'seed' | 'styleScale'>;
  },
): Promise<JudgeReport> {
  const [h, w] = run.result.shape;
  const owned: tf.Tensor[] = [];
  try {
    const content = resizeImage(run.content, h, w);
    owned.push(content);
    const long = Math.max(MIN_STYLE_SIZE, Math.round(Math.max(h, w) * run.settings.styleScale));
    const [sh, sw] = sizeForLongSide(run.style.shape[0], run.style.shape[1], long);
    const style = resizeImage(run.style, sh, sw);
    owned.push(style);
    const { init, mixRatio, seed } = run.settings;
    const before = tf.tidy(() => initialImage(content.expandDims(0) as tf.Tensor4D, init, mixRatio, seed));
    owned.push(before);
    return await judgeStyleTransfer(network, { content, style, before, after: run.result });
  } finally {
    tf.dispose(owned);
  }
}
