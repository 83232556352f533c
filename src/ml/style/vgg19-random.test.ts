import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { receptiveField } from '../nets/geometry';
import { heUniformKernel, RandomVgg19, VGG19_DEFAULTS, VGG19_LAYOUT } from './vgg19-random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('heUniformKernel', () => {
  it('gives the same weights for the same seed and layer, different ones otherwise', () => {
    const a = heUniformKernel(19, 0, [3, 3, 3, 64]);
    expect(heUniformKernel(19, 0, [3, 3, 3, 64])).toEqual(a);
    expect(heUniformKernel(20, 0, [3, 3, 3, 64])).not.toEqual(a);
    expect(heUniformKernel(19, 1, [3, 3, 3, 64])).not.toEqual(a);
    // Pinned so that a change to the generator, which would change every stylised image, is noticed.
    expect(Array.from(a.slice(0, 3), (v) => v.toFixed(6))).toEqual(['0.010987', '0.212587', '-0.002658']);
  });

  it('draws from U(−√(6/fan_in), √(6/fan_in)): mean 0, variance 2/fan_in', () => {
    const fanIn = 3 * 3 * 64;
    const w = heUniformKernel(7, 2, [3, 3, 64, 128]);
    const bound = Math.sqrt(6 / fanIn);
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    const variance = w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length;
    expect(Math.max(...w)).toBeLessThanOrEqual(bound);
    expect(Math.min(...w)).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(mean)).toBeLessThan(0.01 * bound);
    expect(variance / (2 / fanIn)).toBeCloseTo(1, 1);
  });
});

describe('random VGG-19 loss network', () => {
  it('has the VGG-19 layout with receptive fields worked by hand', () => {
    const net = new RandomVgg19();
    expect(net.layers.filter((l) => l.kind === 'conv').map((l) => l.channels)).toEqual([
      64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512, 512, 512, 512,
    ]);
    expect(net.layers.map((l) => l.name).slice(0, 6)).toEqual([
      'conv1_1',
      'conv1_2',
      'pool1',
      'conv2_1',
      'conv2_2',
      'pool2',
    ]);
    expect(net.layers.at(-1)!.name).toBe('conv5_4');
    const rf = (name: string) => receptiveField(net.layers.find((l) => l.name === name)!.path).size;
    // 3×3 convs add 2·jump, 2×2 pools add 1·jump and double it.
    expect(
      ['conv1_1', 'conv1_2', 'pool1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv4_2', 'conv5_1', 'conv5_4'].map(rf),
    ).toEqual([3, 5, 6, 10, 24, 68, 84, 156, 252]);
    expect(net.layers.find((l) => l.name === 'pool3')!.path.at(-1)).toEqual({ kernel: 2, stride: 2, padding: 0 });
    expect(net.defaults).toEqual({
      content: 'conv3_1',
      style: ['conv1_1', 'conv2_1', 'conv3_1', 'conv4_1', 'conv5_1'],
    });
  });

  it('prepares the weights ahead, as deep as asked, and the activations then build none', async () => {
    const net = new RandomVgg19({ seed: 3 });
    await net.prepare(['conv1_1', 'conv3_1']);
    expect(net.builtConvLayers).toBe(5); // conv1_1, conv1_2, conv2_1, conv2_2, conv3_1
    const images = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const made = tf.memory().numTensors;
    const [a] = net.activations(images, ['conv3_1']);
    expect(net.builtConvLayers).toBe(5);
    expect(tf.memory().numTensors).toBe(made + 1);
    // The same weights as when built on first use.
    const lazy = new RandomVgg19({ seed: 3 });
    const [b] = lazy.activations(images, ['conv3_1']);
    expect(Array.from(await a!.data())).toEqual(Array.from(await b!.data()));
    tf.dispose([a!, b!, images]);
    net.dispose();
    lazy.dispose();
  });

  it('returns the layers asked for, in order, building weights only as deep as needed', async () => {
    const net = new RandomVgg19();
    const images = tf.randomUniform([2, 16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const start = tf.memory().numTensors;
    const shallow = net.activations(images, ['conv2_1', 'conv1_1']);
    expect(net.builtConvLayers).toBe(3);
    expect(shallow.map((a) => a.shape)).toEqual([
      [2, 8, 8, 128],
      [2, 16, 16, 64],
    ]);
    tf.dispose(shallow);

    const layers = ['conv4_2', ...VGG19_DEFAULTS.style, 'conv4_2'];
    const weightsMade = tf.memory().numTensors; // conv1_1 … conv2_1 so far
    const acts = net.activations(images, layers);
    expect(net.builtConvLayers).toBe(13); // up to conv5_1, not conv5_4
    const before = tf.memory().numTensors - acts.length;
    expect(before).toBe(weightsMade + 10);
    expect(acts.map((a) => a.shape)).toEqual([
      [2, 2, 2, 512],
      [2, 16, 16, 64],
      [2, 8, 8, 128],
      [2, 4, 4, 256],
      [2, 2, 2, 512],
      [2, 1, 1, 512],
      [2, 2, 2, 512],
    ]);
    // ReLU outputs, not dead: He initialisation keeps them alive through 13 layers.
    const [min, mean] = tf.tidy(() => [acts[5]!.min(), acts[5]!.mean()]);
    expect((await min!.data())[0]).toBeGreaterThanOrEqual(0);
    expect((await mean!.data())[0]).toBeGreaterThan(1e-3);
    tf.dispose([min!, mean!]);
    expect(acts[6]).not.toBe(acts[0]);
    expect(Array.from(await acts[6]!.data())).toEqual(Array.from(await acts[0]!.data()));
    tf.dispose(acts);
    // A second call makes no new weights and leaves nothing behind.
    tf.dispose(net.activations(images, layers));
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
    expect(tf.memory().numTensors).toBe(start);
    images.dispose();
  });

  it('gives identical activations for the same seed whatever was built first, different for another seed', async () => {
    const images = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const a = new RandomVgg19({ seed: 5 });
    const b = new RandomVgg19({ seed: 5 });
    const c = new RandomVgg19({ seed: 6 });
    tf.dispose(a.activations(images, ['conv1_1']));
    const [x] = a.activations(images, ['conv3_1']);
    const [y] = b.activations(images, ['conv3_1']);
    const [z] = c.activations(images, ['conv3_1']);
    expect(Array.from(await y!.data())).toEqual(Array.from(await x!.data()));
    expect(Array.from(await z!.data())).not.toEqual(Array.from(await x!.data()));
    tf.dispose([x!, y!, z!, images]);
    [a, b, c].forEach((n) => n.dispose());
  });

  it('is differentiable with respect to the image, also inside a caller’s tidy', async () => {
    const net = new RandomVgg19({ smoothing: true });
    const images = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const grad = tf.tidy(() =>
      tf.grad((x: tf.Tensor) =>
        net
          .activations(x as tf.Tensor4D, ['conv3_1'])[0]!
          .square()
          .sum(),
      )(images),
    );
    expect(net.builtConvLayers).toBe(5); // made inside the tidy, and kept
    const [finite, nonzero] = tf.tidy(() => [tf.isFinite(grad).all(), grad.abs().max()]);
    expect((await finite!.data())[0]).toBe(1);
    expect((await nonzero!.data())[0]).toBeGreaterThan(0);
    const [smoothed] = net.activations(images, ['pool1']);
    const sum = smoothed!.sum();
    expect((await sum.data())[0]).toBeCloseTo(1, 4);
    tf.dispose([grad, finite!, nonzero!, smoothed!, sum, images]);
    net.dispose();
  });

  it('refuses an unknown layer and a non-RGB image, and every layout entry is a real layer', () => {
    const net = new RandomVgg19();
    const rgb = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    const gray = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => net.activations(rgb, ['relu4_2'])).toThrow(/"relu4_2" is not a layer of VGG-19/);
    expect(() => net.activations(gray, ['conv1_1'])).toThrow(/RGB images/);
    expect(net.activations(rgb, [])).toEqual([]);
    expect(VGG19_LAYOUT).toHaveLength(20);
    tf.dispose([rgb, gray]);
    net.dispose();
  });
});
