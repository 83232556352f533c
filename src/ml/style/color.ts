// Colour handling for style transfer: keep the content image's colours and take only the
// style's texture and luminance (Gatys et al. 2016, "Preserving colour in neural artistic style
// transfer"). YIQ separates luminance Y from chrominance I, Q with a linear map, so the split
// is differentiable and cheap on the device.
import * as tf from '@tensorflow/tfjs';

/** NTSC RGB → YIQ, rows Y, I, Q. */
const RGB_TO_YIQ = [
  [0.299, 0.587, 0.114],
  [0.5959, -0.2746, -0.3213],
  [0.2115, -0.5227, 0.3112],
] as const;

function invert3(m: readonly (readonly number[])[]): number[][] {
  const a = (r: number, c: number) => (m[r] as readonly number[])[c] as number;
  const cof = (r: number, c: number) => {
    const rows = [0, 1, 2].filter((i) => i !== r);
    const cols = [0, 1, 2].filter((i) => i !== c);
    const [r0, r1] = rows as [number, number];
    const [c0, c1] = cols as [number, number];
    return ((r + c) % 2 ? -1 : 1) * (a(r0, c0) * a(r1, c1) - a(r0, c1) * a(r1, c0));
  };
  const det = a(0, 0) * cof(0, 0) + a(0, 1) * cof(0, 1) + a(0, 2) * cof(0, 2);
  // The inverse is the transposed cofactor matrix over the determinant.
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => cof(c, r) / det));
}

/** The exact inverse of RGB_TO_YIQ, so a round trip returns the input. */
const YIQ_TO_RGB = invert3(RGB_TO_YIQ);

/** Applies a 3×3 colour matrix to the last axis of [..., 3]. */
function mixChannels<T extends tf.Tensor>(image: T, m: readonly (readonly number[])[]): T {
  const last = image.shape[image.shape.length - 1];
  if (last !== 3) throw new RangeError(`Expected 3 colour channels, got [${image.shape}].`);
  return tf.tidy(() => {
    // x·Mᵀ: output channel r is Σ_c M[r][c]·x_c.
    const mt = tf.tensor2d(m.map((row) => [...row])).transpose();
    return image.reshape([-1, 3]).matMul(mt).reshape(image.shape) as T;
  });
}

export function rgbToYiq<T extends tf.Tensor>(image: T): T {
  return mixChannels(image, RGB_TO_YIQ);
}

export function yiqToRgb<T extends tf.Tensor>(image: T): T {
  return mixChannels(image, YIQ_TO_RGB);
}

/**
 * The generated image's luminance with the content image's chrominance, in 0..1: the style's
 * brush strokes and light, the content's colours. Both images are [..., H, W, 3] of one size.
 */
export function preserveContentColors<T extends tf.Tensor>(generated: T, content: T): T {
  if (generated.shape.some((d, i) => d !== content.shape[i]) || generated.rank !== content.rank) {
    throw new RangeError(`preserveContentColors: sizes differ ([${generated.shape}] and [${content.shape}]).`);
  }
  return tf.tidy(() => {
    const axis = generated.rank - 1;
    const y = tf.split(rgbToYiq(generated), [1, 2], axis)[0] as tf.Tensor;
    const iq = tf.split(rgbToYiq(content), [1, 2], axis)[1] as tf.Tensor;
    return tf.clipByValue(yiqToRgb(tf.concat([y, iq], axis)), 0, 1) as T;
  });
}
