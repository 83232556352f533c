// The 128-D face descriptor (dlib's metric-learning ResNet, as shipped in weights form by
// @vladmandic/face-api) written as tfjs ops. The package holds a weights manifest, not a graph,
// so the network is ours: a 7×7/2 convolution and a 3×3/2 max-pool, four residual stages of
// 32, 64, 128 and 256 channels, a spatial mean and a 256→128 matrix product.
//
// Every convolution in the weights is followed by a per-channel scale and bias (dlib's affine
// layer, which replaced batch norm at inference). Scale and bias are folded into the
// convolution once at load time — W·s and b·s + t — so each layer runs as one fused conv2d with
// its ReLU, which is the same arithmetic in a third of the ops.
//
// Input: [N, 150, 150, 3] RGB in 0..255. The network subtracts the training mean per channel
// and divides by 255 itself (`forward`), matching the library's own preprocessing.
import * as tf from '@tensorflow/tfjs';

/** The side of the square crop the network is trained on. */
export const DESCRIPTOR_SIZE = 150;
export const DESCRIPTOR_DIM = 128;
/** Per-channel RGB mean subtracted before scaling by 1/255. */
export const DESCRIPTOR_MEAN: readonly [number, number, number] = [122.782, 117.001, 104.298];

interface FoldedConv {
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
}

interface ResidualBlock {
  conv1: FoldedConv;
  conv2: FoldedConv;
  /** Down blocks halve the size with a strided conv; the shortcut is a 2×2 average pool. */
  down: boolean;
}

/** Block names in order, as the manifest spells them; `_down` marks a strided block. */
export const DESCRIPTOR_BLOCKS = [
  'conv32_1',
  'conv32_2',
  'conv32_3',
  'conv64_down',
  'conv64_1',
  'conv64_2',
  'conv64_3',
  'conv128_down',
  'conv128_1',
  'conv128_2',
  'conv256_down',
  'conv256_1',
  'conv256_2',
  'conv256_down_out',
] as const;

/** Every tensor name the network reads from the weights manifest. */
export function descriptorWeightNames(): string[] {
  const conv = (p: string) => [`${p}/conv/filters`, `${p}/conv/bias`, `${p}/scale/weights`, `${p}/scale/biases`];
  return [
    ...conv('conv32_down'),
    ...DESCRIPTOR_BLOCKS.flatMap((b) => [...conv(`${b}/conv1`), ...conv(`${b}/conv2`)]),
    'fc',
  ];
}

function take<T extends tf.Tensor>(weights: tf.NamedTensorMap, name: string, rank: number): T {
  const t = weights[name];
  if (!t) throw new Error(`The face descriptor weights have no tensor "${name}".`);
  if (t.rank !== rank) throw new Error(`The face descriptor tensor "${name}" has rank ${t.rank}, not ${rank}.`);
  return t as T;
}

function fold(weights: tf.NamedTensorMap, prefix: string): FoldedConv {
  const filters = take<tf.Tensor4D>(weights, `${prefix}/conv/filters`, 4);
  const bias = take<tf.Tensor1D>(weights, `${prefix}/conv/bias`, 1);
  const scale = take<tf.Tensor1D>(weights, `${prefix}/scale/weights`, 1);
  const shift = take<tf.Tensor1D>(weights, `${prefix}/scale/biases`, 1);
  return tf.tidy(() => ({
    filter: filters.mul(scale) as tf.Tensor4D,
    bias: bias.mul(scale).add(shift) as tf.Tensor1D,
  }));
}

export class FaceDescriptorNet {
  private readonly stem: FoldedConv;
  private readonly blocks: ResidualBlock[];
  private readonly fc: tf.Tensor2D;
  private readonly mean: tf.Tensor1D;
  private disposed = false;

  /**
   * Builds the network from the decoded weights manifest (as `tf.io.decodeWeights` returns it).
   * The folded copies are the network's own; `weights` stays the caller's to dispose.
   */
  constructor(weights: tf.NamedTensorMap) {
    this.stem = fold(weights, 'conv32_down');
    this.blocks = DESCRIPTOR_BLOCKS.map((name) => ({
      conv1: fold(weights, `${name}/conv1`),
      conv2: fold(weights, `${name}/conv2`),
      down: name.includes('_down'),
    }));
    this.fc = tf.clone(take<tf.Tensor2D>(weights, 'fc', 2));
    this.mean = tf.tensor1d([...DESCRIPTOR_MEAN]);
  }

  /** Raw 128-D descriptors [N, 128] for crops [N, 150, 150, 3] in 0..255 (call inside a tidy). */
  forward(input: tf.Tensor4D): tf.Tensor2D {
    if (this.disposed) throw new Error('The face descriptor network was disposed.');
    const [, h, w, c] = input.shape;
    if (h !== DESCRIPTOR_SIZE || w !== DESCRIPTOR_SIZE || c !== 3) {
      throw new RangeError(`The face descriptor takes [N, 150, 150, 3] crops, got [${input.shape.join(', ')}].`);
    }
    let x: tf.Tensor4D = input.sub(this.mean).div(255);
    x = conv(x, this.stem, 2, 'valid', true);
    x = tf.maxPool(x, 3, 2, 'valid');
    for (const block of this.blocks) x = block.down ? residualDown(x, block) : residual(x, block);
    return tf.matMul(x.mean([1, 2]) as tf.Tensor2D, this.fc);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const convs = [this.stem, ...this.blocks.flatMap((b) => [b.conv1, b.conv2])];
    tf.dispose([...convs.flatMap((c) => [c.filter, c.bias]), this.fc, this.mean]);
  }
}

function conv(x: tf.Tensor4D, c: FoldedConv, stride: number, pad: 'same' | 'valid', relu: boolean): tf.Tensor4D {
  return tf.fused.conv2d({
    x,
    filter: c.filter,
    strides: stride,
    pad,
    bias: c.bias,
    activation: relu ? 'relu' : 'linear',
  });
}

function residual(x: tf.Tensor4D, b: ResidualBlock): tf.Tensor4D {
  const y = conv(conv(x, b.conv1, 1, 'same', true), b.conv2, 1, 'same', false);
  return tf.relu(y.add(x)) as tf.Tensor4D;
}

/**
 * A strided block. The shortcut is a 2×2/2 average pool with the new channels zero, so it adds
 * to the first half of the main path's channels only. Where a 'valid' 3×3/2 convolution comes
 * out one pixel smaller than the pool (8 → 3 against 4, 4 → 1 against 2), the main path gets a
 * zero row and column at the bottom and right, as in the trained network.
 */
function residualDown(x: tf.Tensor4D, b: ResidualBlock): tf.Tensor4D {
  let y = conv(conv(x, b.conv1, 2, 'valid', true), b.conv2, 1, 'same', false);
  const pooled = tf.avgPool(x, 2, 2, 'valid');
  const [, ph, pw, pc] = pooled.shape;
  const [, yh, yw, yc] = y.shape;
  if (yh !== ph || yw !== pw) {
    y = tf.pad<tf.Tensor4D>(y, [
      [0, 0],
      [0, ph - yh],
      [0, pw - yw],
      [0, 0],
    ]);
  }
  const shortcut =
    yc === pc
      ? pooled
      : tf.pad<tf.Tensor4D>(pooled, [
          [0, 0],
          [0, 0],
          [0, 0],
          [0, yc - pc],
        ]);
  return tf.relu(y.add(shortcut)) as tf.Tensor4D;
}
