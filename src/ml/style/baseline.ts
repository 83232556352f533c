// The comparison point for style-transfer benchmarks: the costs written the straightforward way,
// as tutorials do. One forward pass of G per iteration for all layers (as a multi-output model
// gives), and the style and content images' activations stored once; but the loss function
// recomputes the style Grams from those activations at every call; each cost is its own scalar,
// read back with its own `await data()` every iteration (L + 3 syncs instead of one); textbook
// costs without normalisation; tfjs's Adam; clipping as a separate assign. Kept deliberately
// plain; use transfer.ts in the app.
import * as tf from '@tensorflow/tfjs';
import type { ConvNetwork } from '../nets/network';
import { DEFAULT_STYLE_SETTINGS, resizeImage, sizeForLongSide, type StyleSettings } from './transfer';

export interface BaselineJob {
  /** [H, W, 3] in 0..1. */
  content: tf.Tensor3D;
  /** One style image [H, W, 3] in 0..1, resized to G's size. */
  style: tf.Tensor3D;
  network: ConvNetwork;
  /** Uses size, alpha, beta, tvWeight, contentLayer, styleLayers, learningRate; starts from the content. */
  settings?: Partial<StyleSettings>;
}

export interface BaselineReport {
  total: number;
  content: number;
  style: number;
  styleLayers: number[];
  tv: number;
  msPerIteration: number;
}

export interface BaselineState {
  readonly image: tf.Variable<tf.Rank.R4>;
  readonly optimizer: tf.Optimizer;
  readonly network: ConvNetwork;
  readonly contentLayer: string;
  readonly styleLayers: { layer: string; weight: number }[];
  readonly contentFeatures: tf.Tensor4D;
  readonly styleFeatures: tf.Tensor4D[];
  readonly alpha: number;
  readonly beta: number;
  readonly tvWeight: number;
  dispose(): void;
}

function gram(features: tf.Tensor4D): tf.Tensor2D {
  const [, h, w, c] = features.shape;
  const f = features.reshape([h * w, c]);
  return tf.matMul(f, f, true, false);
}

function styleLoss(styleFeatures: tf.Tensor4D, generatedFeatures: tf.Tensor4D): tf.Scalar {
  const [, h, w, c] = generatedFeatures.shape;
  const diff = tf.sub(gram(styleFeatures), gram(generatedFeatures));
  return tf.sum(tf.square(diff)).div(4 * c * c * (h * w) ** 2);
}

function contentLoss(contentFeatures: tf.Tensor4D, generatedFeatures: tf.Tensor4D): tf.Scalar {
  const [, h, w, c] = generatedFeatures.shape;
  return tf.sum(tf.square(tf.sub(contentFeatures, generatedFeatures))).div(4 * h * w * c);
}

function tvLoss(image: tf.Tensor4D): tf.Scalar {
  const [, h, w] = image.shape;
  const dy = tf.sub(image.slice([0, 1, 0, 0], [-1, h - 1, -1, -1]), image.slice([0, 0, 0, 0], [-1, h - 1, -1, -1]));
  const dx = tf.sub(image.slice([0, 0, 1, 0], [-1, -1, w - 1, -1]), image.slice([0, 0, 0, 0], [-1, -1, w - 1, -1]));
  return tf.add(tf.sum(tf.square(dy)), tf.sum(tf.square(dx))).div(h * w);
}

/** Resizes the images, stores their features and starts Adam; dispose() the result. */
export function createBaseline(job: BaselineJob): BaselineState {
  const s = { ...DEFAULT_STYLE_SETTINGS, ...job.settings };
  const network = job.network;
  const contentLayer = s.contentLayer ?? network.defaults.content;
  const styleLayers =
    s.styleLayers ?? network.defaults.style.map((layer) => ({ layer, weight: 1 / network.defaults.style.length }));
  const [h, w] = sizeForLongSide(job.content.shape[0], job.content.shape[1], s.size);
  const content = tf.tidy(() => resizeImage(job.content, h, w).expandDims(0) as tf.Tensor4D);
  const style = tf.tidy(() => resizeImage(job.style, h, w).expandDims(0) as tf.Tensor4D);
  const [contentFeatures] = network.activations(content, [contentLayer]) as [tf.Tensor4D];
  const styleFeatures = network.activations(
    style,
    styleLayers.map((l) => l.layer),
  );
  const image = tf.variable(content, true) as tf.Variable<tf.Rank.R4>;
  tf.dispose([content, style]);
  const optimizer = tf.train.adam(s.learningRate);
  return {
    image,
    optimizer,
    network,
    contentLayer,
    styleLayers,
    contentFeatures,
    styleFeatures,
    alpha: s.alpha,
    beta: s.beta,
    tvWeight: s.tvWeight,
    dispose() {
      tf.dispose([image, contentFeatures, ...styleFeatures]);
      optimizer.dispose();
    },
  };
}

/** One iteration: Adam step, clip, then every cost read back on its own. */
export async function baselineStep(state: BaselineState): Promise<BaselineReport> {
  const t0 = performance.now();
  const costs: tf.Scalar[] = [];
  try {
    tf.tidy(() => {
      const total = state.optimizer.minimize(
        () => {
          const [content, ...generated] = state.network.activations(state.image, [
            state.contentLayer,
            ...state.styleLayers.map((l) => l.layer),
          ]) as tf.Tensor4D[];
          const c = contentLoss(state.contentFeatures, content as tf.Tensor4D).mul(state.alpha) as tf.Scalar;
          const layerCosts = state.styleLayers.map(
            (l, i) =>
              styleLoss(state.styleFeatures[i] as tf.Tensor4D, generated[i] as tf.Tensor4D).mul(
                state.beta * l.weight,
              ) as tf.Scalar,
          );
          const style = tf.addN(layerCosts) as tf.Scalar;
          const tv = tvLoss(state.image).mul(state.tvWeight) as tf.Scalar;
          const total = c.add(style).add(tv) as tf.Scalar;
          for (const t of [c, style, ...layerCosts, tv]) costs.push(tf.keep(t));
          return total;
        },
        true,
        [state.image],
      ) as tf.Scalar;
      costs.unshift(tf.keep(total));
      state.image.assign(tf.clipByValue(state.image, 0, 1));
    });
  } catch (err) {
    tf.dispose(costs);
    throw err;
  }
  const values: number[] = [];
  try {
    for (const c of costs) values.push((await c.data())[0] as number);
  } finally {
    tf.dispose(costs);
  }
  const n = state.styleLayers.length;
  return {
    total: values[0] as number,
    content: values[1] as number,
    style: values[2] as number,
    styleLayers: values.slice(3, 3 + n),
    tv: values[3 + n] as number,
    msPerIteration: performance.now() - t0,
  };
}

/** Runs the baseline for `iterations` and returns G [H, W, 3] with every iteration's report. */
export async function runBaseline(
  job: BaselineJob,
  iterations: number,
): Promise<{ image: tf.Tensor3D; reports: BaselineReport[] }> {
  const state = createBaseline(job);
  try {
    const reports: BaselineReport[] = [];
    for (let i = 0; i < iterations; i++) reports.push(await baselineStep(state));
    return { image: state.image.squeeze([0]) as tf.Tensor3D, reports };
  } finally {
    state.dispose();
  }
}
