// The costs of neural style transfer (Gatys et al.): content cost, Gram matrices and the style
// cost, total variation, and the weighted total J(G) = α·J_content + β·Σ λ_l·J_style_l + γ·J_tv.
// Every function takes activations of a batch of one image, [1, H, W, C], and returns tensors;
// nothing here reads a value back, so a whole iteration can be read with one `await data()`.
import * as tf from '@tensorflow/tfjs';

/** Keeps relative cost denominators away from zero for dead (all-zero) activations. */
const NORMALISER_EPSILON = 1e-12;

function singleImage(a: tf.Tensor4D, what: string): [number, number, number] {
  const [n, h, w, c] = a.shape;
  if (n !== 1) throw new RangeError(`${what} expects activations of one image [1, H, W, C], got [${a.shape}].`);
  return [h, w, c];
}

function sameShape(a: tf.Tensor, b: tf.Tensor, what: string) {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${what}: shapes differ ([${a.shape}] and [${b.shape}]).`);
  }
}

/** J_content = 1/(4·n_H·n_W·n_C) · Σ (a(C) − a(G))², at one layer. */
export function contentCost(target: tf.Tensor4D, generated: tf.Tensor4D): tf.Scalar {
  sameShape(target, generated, 'contentCost');
  const [h, w, c] = singleImage(generated, 'contentCost');
  return tf.tidy(() =>
    tf
      .squaredDifference(target, generated)
      .sum()
      .div(4 * h * w * c),
  );
}

/**
 * Multiplier that turns contentCost into a relative error Σ(a(C) − a(G))² / Σ a(C)²: 1 when
 * G's activations are zero, 0 when they match C's, whatever the layer's scale.
 */
export function contentNormaliser(target: tf.Tensor4D): tf.Scalar {
  const [h, w, c] = singleImage(target, 'contentNormaliser');
  return tf.tidy(() => tf.scalar(4 * h * w * c).div(tf.square(target).sum().add(NORMALISER_EPSILON)));
}

/** Gram matrix of one image's activations [1, H, W, C] → [C, C]: G_kk' = Σ_ij a_ijk·a_ijk'. */
export function gramMatrix(a: tf.Tensor4D): tf.Tensor2D {
  const [h, w, c] = singleImage(a, 'gramMatrix');
  return tf.tidy(() => {
    const features = a.reshape([h * w, c]);
    return tf.matMul(features, features, true, false);
  });
}

/**
 * The Gram matrix divided by the number of positions n_H·n_W. Style targets are kept in this
 * form so that a style image of another size than G (styleScale, several style images) is
 * compared fairly: a raw Gram grows with the image's area.
 */
export function meanGram(a: tf.Tensor4D): tf.Tensor2D {
  const [h, w] = singleImage(a, 'meanGram');
  return tf.tidy(() => gramMatrix(a).div(h * w));
}

/**
 * Style cost of one layer, 1/(4·n_C²) · Σ (target − meanGram(G))², where target is the style
 * image's meanGram. When S and G have the same size this is exactly the textbook
 * 1/(4·n_C²·(n_H·n_W)²) · Σ (G(S) − G(G))².
 */
export function styleLayerCost(target: tf.Tensor2D, generated: tf.Tensor4D): tf.Scalar {
  const [, , c] = singleImage(generated, 'styleLayerCost');
  if (target.shape[0] !== c || target.shape[1] !== c) {
    throw new RangeError(`styleLayerCost: target Gram is [${target.shape}] but the layer has ${c} channels.`);
  }
  return tf.tidy(() =>
    tf
      .squaredDifference(target, meanGram(generated))
      .sum()
      .div(4 * c * c),
  );
}

/**
 * Multiplier that turns styleLayerCost into Σ(G(S) − G(G))² / Σ G(S)²: the layer's cost divided
 * by its value for an image whose activations there are zero.
 *
 * Why this normalisation and not the value at the first iteration: with random-weight VGG the
 * layers' activations differ by orders of magnitude and the Gram is 4th-order in them, so raw
 * terms differ by many more; any per-layer constant fixes that. ‖G(S)‖² is known as soon as the
 * target is computed (no extra read-back, no state carried through the loop), is the same
 * whether G starts from noise or from the content image, and is invariant to rescaling a
 * layer's activations by c (both sides scale by c⁴), so λ_l then means what it says.
 */
export function styleNormaliser(target: tf.Tensor2D): tf.Scalar {
  const c = target.shape[0];
  return tf.tidy(() => tf.scalar(4 * c * c).div(tf.square(target).sum().add(NORMALISER_EPSILON)));
}

/** The weighted mean of several style images' Grams of one layer: the target for a blend. */
export function blendGrams(grams: readonly tf.Tensor2D[], weights: readonly number[]): tf.Tensor2D {
  if (grams.length === 0) throw new RangeError('blendGrams needs at least one Gram matrix.');
  if (grams.length !== weights.length) throw new RangeError('blendGrams: one weight per Gram matrix.');
  if (weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new RangeError('blendGrams: weights must be finite and not negative.');
  }
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw new RangeError('blendGrams: at least one weight must be positive.');
  const first = grams[0] as tf.Tensor2D;
  for (const g of grams) sameShape(first, g, 'blendGrams');
  return tf.tidy(() => tf.addN(grams.map((g, i) => g.mul((weights[i] as number) / sum))) as tf.Tensor2D);
}

/**
 * Total-variation cost: squared differences between vertical and horizontal neighbours, summed
 * over channels and divided by the number of pixels N·H·W, so its weight does not depend on size.
 */
export function totalVariationCost(image: tf.Tensor4D): tf.Scalar {
  const [n, h, w] = image.shape;
  return tf.tidy(() => {
    let sum = tf.scalar(0);
    if (h > 1) {
      const down = tf.squaredDifference(image.slice([0, 1, 0, 0], [-1, h - 1, -1, -1]), image.slice(0, [-1, h - 1]));
      sum = sum.add(down.sum());
    }
    if (w > 1) {
      const right = tf.squaredDifference(
        image.slice([0, 0, 1, 0], [-1, -1, w - 1, -1]),
        image.slice(0, [-1, -1, w - 1]),
      );
      sum = sum.add(right.sum());
    }
    return sum.div(n * h * w);
  });
}

export interface StyleLayerTarget {
  /** meanGram of the style image(s) at this layer. */
  gram: tf.Tensor2D;
  /** λ_l. */
  weight: number;
  /** Multiplier applied to the layer's cost (styleNormaliser), or 1 for the textbook cost. */
  scale?: tf.Scalar | number;
}

export interface CostInputs {
  /** G itself [1, H, W, 3], for the total-variation cost. */
  image: tf.Tensor4D;
  /** G's activation at the content layer, and C's; both null when α is 0 or no content. */
  contentActivation: tf.Tensor4D | null;
  contentTarget: tf.Tensor4D | null;
  contentScale?: tf.Scalar | number;
  /** G's activations at the style layers, in the order of styleTargets. */
  styleActivations: readonly tf.Tensor4D[];
  styleTargets: readonly StyleLayerTarget[];
  alpha: number;
  beta: number;
  /** γ, the weight of the total-variation cost. */
  tvWeight: number;
}

// A type, not an interface, so a CostResult can be returned from tf.tidy.
export type CostResult = {
  /** J, the scalar to differentiate. */
  loss: tf.Scalar;
  /** [J, α·J_content, β·J_style, β·λ_1·J_style_1, …, β·λ_L·J_style_L, γ·J_tv]: see unpackCostTerms. */
  terms: tf.Tensor1D;
};

/** J and every weighted term, as tensors; the caller disposes both. */
export function totalCost(inputs: CostInputs): CostResult {
  const { styleActivations, styleTargets } = inputs;
  if (styleActivations.length !== styleTargets.length) {
    throw new RangeError(`totalCost: ${styleActivations.length} style activations for ${styleTargets.length} targets.`);
  }
  return tf.tidy(() => {
    const zero = tf.scalar(0);
    let content = zero;
    if (inputs.contentActivation && inputs.contentTarget && inputs.alpha !== 0) {
      content = contentCost(inputs.contentTarget, inputs.contentActivation)
        .mul(inputs.contentScale ?? 1)
        .mul(inputs.alpha);
    }
    const layers = styleTargets.map((t, i) =>
      inputs.beta === 0 || t.weight === 0
        ? zero
        : styleLayerCost(t.gram, styleActivations[i] as tf.Tensor4D)
            .mul(t.scale ?? 1)
            .mul(inputs.beta * t.weight),
    );
    const style = layers.length > 0 ? tf.addN(layers) : zero;
    const tv = inputs.tvWeight !== 0 ? totalVariationCost(inputs.image).mul(inputs.tvWeight) : zero;
    const loss = content.add(style).add(tv) as tf.Scalar;
    const terms = tf.stack([loss, content, style, ...layers, tv]) as tf.Tensor1D;
    return { loss, terms };
  });
}

export interface CostReport {
  total: number;
  /** α·J_content. */
  content: number;
  /** β·Σ λ_l·J_style_l. */
  style: number;
  /** β·λ_l·J_style_l for each style layer: they add up to `style`. */
  styleLayers: number[];
  /** γ·J_tv. */
  tv: number;
}

/** Reads the values of totalCost's `terms` (after `await terms.data()`). */
export function unpackCostTerms(values: ArrayLike<number>, styleLayerCount: number): CostReport {
  if (values.length !== styleLayerCount + 4) {
    throw new RangeError(`unpackCostTerms: ${values.length} values for ${styleLayerCount} style layers.`);
  }
  const at = (i: number) => values[i] as number;
  return {
    total: at(0),
    content: at(1),
    style: at(2),
    styleLayers: Array.from({ length: styleLayerCount }, (_, i) => at(3 + i)),
    tv: at(3 + styleLayerCount),
  };
}
