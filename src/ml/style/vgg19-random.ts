// VGG-19 with random weights as a loss network. Gatys-style transfer works nearly as well
// through an untrained VGG as through a trained one (He, Wang & Hopcroft 2016; Wang, Li &
// Vasconcelos 2021): the architecture, not the learned weights, does most of the work. So
// Style Studio has a loss network with no download at all.
//
// The layout is VGG-19's: 3×3 'same' convolutions with ReLU in five blocks of 64, 64 |
// 128, 128 | 256 ×4 | 512 ×4 | 512 ×4 channels, with 2×2 pools between blocks. The pools
// average rather than take the maximum, as Gatys et al. recommend for image generation:
// gradients reach every input pixel instead of one per window, which gives smoother images.
import * as tf from '@tensorflow/tfjs';
import { checkImages, preprocessImages, softmaxSmoothing } from './custom-network';
import type { LayerGeometry, LayerInfo, ConvNetwork } from '../nets/network';
import { yieldToEventLoop } from '../runtime/run-control';

export const VGG19_LABEL = 'VGG-19 (random weights)';
export const DEFAULT_VGG19_SEED = 19;

interface VggLayer {
  name: string;
  kind: 'conv' | 'pool';
  channels: number;
}

/** conv1_1 … conv5_4 and pool1 … pool4, shallow to deep. */
export const VGG19_LAYOUT: readonly VggLayer[] = (() => {
  const blocks = [2, 2, 4, 4, 4];
  const widths = [64, 128, 256, 512, 512];
  const out: VggLayer[] = [];
  blocks.forEach((convs, b) => {
    for (let i = 1; i <= convs; i++) out.push({ name: `conv${b + 1}_${i}`, kind: 'conv', channels: widths[b]! });
    if (b < 4) out.push({ name: `pool${b + 1}`, kind: 'pool', channels: widths[b]! });
  });
  return out;
})();

/**
 * Style the first conv of each block, as Gatys et al.; content conv3_1, not their conv4_2. With
 * random weights conv4_2 did not hold the face: at 128 px it came out a ghost under the painting's
 * grain, and conv3_1 kept it readable while the style also moved further (judged content 1.10 →
 * 1.07, style 0.51 → 0.48 on the portrait and swirls; docs/style.md).
 */
export const VGG19_DEFAULTS = {
  content: 'conv3_1',
  style: ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1'],
} as const;

const CONV_STEP: LayerGeometry = { kernel: 3, stride: 1, padding: 1 };
const POOL_STEP: LayerGeometry = { kernel: 2, stride: 2, padding: 0 };

/** MurmurHash3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * He (Kaiming) uniform initialisation, U(−√(6/fan_in), √(6/fan_in)), so each ReLU layer keeps
 * the variance of its input (2/fan_in) and activations neither vanish nor explode over 16
 * layers. Uniform rather than normal, because a normal sampler needs log and cos, whose last
 * bits may differ between JavaScript engines; this uses integer hashing, one multiply and a
 * correctly rounded sqrt, so a seed gives bit-identical weights everywhere. Each layer has its
 * own stream, so building the network only up to conv3_1 gives the same conv3_1 as building
 * all of it.
 */
export function heUniformKernel(
  seed: number,
  layerIndex: number,
  shape: readonly [number, number, number, number],
): Float32Array {
  const [kh, kw, cin, cout] = shape;
  const bound = Math.sqrt(6 / (kh * kw * cin));
  const out = new Float32Array(kh * kw * cin * cout);
  const stream = fmix32((seed >>> 0) ^ Math.imul(layerIndex + 1, 0x9e3779b9));
  for (let i = 0; i < out.length; i++) {
    const u = fmix32((stream + Math.imul(i + 1, 0x9e3779b9)) >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * bound;
  }
  return out;
}

export interface RandomVgg19Options {
  seed?: number;
  /** Softmax-smooth each activation map (SWAG); off by default, VGG does not need it. */
  smoothing?: boolean;
}

export class RandomVgg19 implements ConvNetwork {
  readonly id = 'vgg19-random' as const;
  readonly label = VGG19_LABEL;
  readonly layers: readonly LayerInfo[];
  readonly defaults = { content: VGG19_DEFAULTS.content as string, style: [...VGG19_DEFAULTS.style] as string[] };
  readonly seed: number;
  private readonly smoothing: boolean;
  /** Kernels by layout index, made on first use: all of conv5 alone is 38 MB. */
  private readonly kernels = new Map<number, tf.Tensor4D>();
  private disposed = false;

  constructor(options: RandomVgg19Options = {}) {
    this.seed = options.seed ?? DEFAULT_VGG19_SEED;
    this.smoothing = options.smoothing ?? false;
    let path: LayerGeometry[] = [];
    this.layers = VGG19_LAYOUT.map(({ name, kind, channels }) => {
      path = [...path, kind === 'conv' ? CONV_STEP : POOL_STEP];
      return { name, kind, channels, path };
    });
  }

  /** How many conv layers have their weights made so far (the network is built lazily). */
  get builtConvLayers(): number {
    return this.kernels.size;
  }

  private kernel(index: number): tf.Tensor4D {
    let k = this.kernels.get(index);
    if (!k) {
      const layer = VGG19_LAYOUT[index]!;
      const prev = VGG19_LAYOUT.slice(0, index).findLast((l) => l.kind === 'conv');
      const shape = [3, 3, prev?.channels ?? 3, layer.channels] as const;
      // Kept out of any tidy the caller is in: the weights outlive this call.
      k = tf.keep(tf.tensor4d(heUniformKernel(this.seed, index, shape), [...shape]));
      this.kernels.set(index, k);
    }
    return k;
  }

  private indicesOf(layers: readonly string[]): number[] {
    return layers.map((name) => {
      const i = VGG19_LAYOUT.findIndex((l) => l.name === name);
      if (i < 0)
        throw new Error(`"${name}" is not a layer of ${this.label}; pick one of conv1_1 … conv5_4, pool1 … pool4.`);
      return i;
    });
  }

  /**
   * Builds the kernels up to the deepest layer asked for and moves each to the GPU, one at a
   * time with a yield between: 80 MB of weights for conv5_1, which the first pass would
   * otherwise make and upload in one task (seconds on a software GPU).
   */
  async prepare(layers: readonly string[]): Promise<void> {
    const indices = this.indicesOf(layers);
    const deepest = Math.max(-1, ...indices);
    const backend = tf.backend() as { uploadToGPU?(dataId: object): void };
    for (let i = 0; i <= deepest && !this.disposed; i++) {
      if (VGG19_LAYOUT[i]!.kind !== 'conv' || this.kernels.has(i)) continue;
      const k = this.kernel(i);
      await yieldToEventLoop();
      if (typeof backend.uploadToGPU === 'function') {
        backend.uploadToGPU(k.dataId);
        await yieldToEventLoop();
      }
    }
  }

  activations(images: tf.Tensor4D, layers: readonly string[]): tf.Tensor4D[] {
    if (this.disposed) throw new Error(`The ${this.label} loss network has been disposed.`);
    checkImages(images);
    const indices = this.indicesOf(layers);
    if (indices.length === 0) return [];
    const deepest = Math.max(...indices);
    for (let i = 0; i <= deepest; i++) if (VGG19_LAYOUT[i]!.kind === 'conv') this.kernel(i);
    return tf.tidy(() => {
      const wanted = new Set(indices);
      const outputs = new Map<number, tf.Tensor4D>();
      let x = preprocessImages(images, 'imagenet');
      for (let i = 0; i <= deepest; i++) {
        x =
          VGG19_LAYOUT[i]!.kind === 'conv'
            ? tf.relu(tf.conv2d(x, this.kernel(i), 1, 'same'))
            : tf.avgPool(x, 2, 2, 'valid');
        if (wanted.has(i)) outputs.set(i, x);
      }
      const used = new Set<tf.Tensor>();
      return indices.map((i) => {
        let t = outputs.get(i)!;
        if (this.smoothing) t = softmaxSmoothing(t);
        else if (used.has(t)) t = t.clone();
        used.add(t);
        return t;
      });
    });
  }

  dispose(): void {
    this.disposed = true;
    tf.dispose([...this.kernels.values()]);
    this.kernels.clear();
  }
}

export function createRandomVgg19(options: RandomVgg19Options = {}): ConvNetwork {
  return new RandomVgg19(options);
}
