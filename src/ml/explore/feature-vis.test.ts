import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConvNetwork } from '../nets/network';
import { featureVisLoss, totalVariation, unitObjective } from './feature-vis';
import { receptiveField, unitToInputRect } from '../nets/geometry';

/**
 * A two-layer loss network with hand-set weights: 'mix' is a 1×1 conv giving channel 0 = R and
 * channel 1 = 2·G; 'blur' sums both 'mix' channels over a 3×3 window ('same' padding).
 */
function testNetwork(): ConvNetwork {
  const input = tf.input({ shape: [null, null, 3] });
  const mixWeights = tf.tensor4d([1, 0, 0, 2, 0, 0], [1, 1, 3, 2]);
  const mix = tf.layers
    .conv2d({ filters: 2, kernelSize: 1, useBias: false, weights: [mixWeights], name: 'mix' })
    .apply(input) as tf.SymbolicTensor;
  mixWeights.dispose();
  const blur = tf.layers
    .conv2d({ filters: 1, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: 'ones', name: 'blur' })
    .apply(mix) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: [mix, blur] });
  const names = ['mix', 'blur'];
  return {
    id: 'custom',
    label: 'test network',
    layers: [
      { name: 'mix', kind: 'conv', channels: 2, path: [] },
      { name: 'blur', kind: 'conv', channels: 1, path: [{ kernel: 3, stride: 1, padding: 1 }] },
    ],
    defaults: { content: 'blur', style: ['mix'] },
    activations(images, layers) {
      const outputs = model.apply(images) as tf.Tensor4D[];
      const wanted = layers.map((l) => outputs[names.indexOf(l)] as tf.Tensor4D);
      tf.dispose(outputs.filter((o) => !wanted.includes(o)));
      return wanted;
    },
    dispose() {
      model.dispose();
    },
  };
}

let network: ConvNetwork;

beforeAll(async () => {
  await tf.setBackend('cpu');
  network = testNetwork();
});

afterAll(() => network.dispose());

/** A seeded [1, h, w, 3] image in 0..1. */
function image(h: number, w: number, seed = 3): tf.Tensor4D {
  return tf.randomUniform([1, h, w, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
}

describe('unitObjective', () => {
  it('is the mean of the channel, or of one unit, with the gradient worked out by hand', async () => {
    const x = image(4, 5);
    const start = tf.memory().numTensors;
    const g = tf.tidy(() => {
      const green = x.slice([0, 0, 0, 1], [-1, -1, -1, 1]);
      return tf.stack([green.mean(), green.slice([0, 1, 2, 0], [1, 1, 1, 1]).reshape([])]);
    });
    const [meanG = NaN, gAt = NaN] = await g.data();
    g.dispose();

    const channel = unitObjective(network, 'mix', 1);
    const value = channel(x);
    expect((await value.data())[0]).toBeCloseTo(2 * meanG, 5);
    value.dispose();
    const unit = unitObjective(network, 'mix', 1, { row: 1, col: 2 });
    const unitValue = unit(x);
    expect((await unitValue.data())[0]).toBeCloseTo(2 * gAt, 5);
    unitValue.dispose();

    // d/dx of 2·G(1, 2) is 2 at that pixel's green value and 0 elsewhere.
    const grad = tf.grad((input: tf.Tensor) => unit(input as tf.Tensor4D))(x);
    const expected = tf.tidy(() => tf.buffer([1, 4, 5, 3]).toTensor());
    const [gradData, expectedData] = await Promise.all([grad.data(), expected.data()]);
    const hand = Float32Array.from(expectedData);
    hand[((1 * 5 + 2) * 3 + 1) as number] = 2;
    expect(Array.from(gradData)).toEqual(Array.from(hand));
    tf.dispose([grad, expected]);
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('reaches exactly the unit’s receptive field through the network', async () => {
    const x = image(6, 7);
    const grad = tf.tidy(() =>
      tf
        .grad((input: tf.Tensor) => unitObjective(network, 'blur', 0, { row: 0, col: 6 })(input as tf.Tensor4D))(x)
        .abs()
        .sum(3),
    );
    const data = await grad.data();
    grad.dispose();
    const rows: number[] = [];
    const cols: number[] = [];
    data.forEach((v, i) => {
      if (v === 0) return;
      rows.push(Math.floor(i / 7));
      cols.push(i % 7);
    });
    const rf = receptiveField(network.layers[1]?.path ?? []);
    const { clipped } = unitToInputRect(rf, 0, 6, 6, 7);
    expect({
      top: Math.min(...rows),
      left: Math.min(...cols),
      height: Math.max(...rows) - Math.min(...rows) + 1,
      width: Math.max(...cols) - Math.min(...cols) + 1,
    }).toEqual(clipped);
    x.dispose();
  });

  it('rejects channels and units outside the layer', () => {
    expect(() => unitObjective(network, 'mix', 2)).toThrow(RangeError);
    const x = image(4, 4);
    const start = tf.memory().numTensors;
    expect(() => unitObjective(network, 'mix', 0, { row: 4 })(x)).toThrow(RangeError);
    expect(() => unitObjective(network, 'mix', 0, { col: -1 })(x)).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });
});

describe('totalVariation', () => {
  it('matches a hand-worked value', async () => {
    // Vertical: (2 − 0)² + (4 − 1)² = 13; horizontal: (1 − 0)² + (4 − 2)² = 5; over N·H·W = 4.
    const x = tf.tensor4d([0, 1, 2, 4], [1, 2, 2, 1]);
    const tv = totalVariation(x);
    expect((await tv.data())[0]).toBeCloseTo(18 / 4, 6);
    const flat = totalVariation(tf.tidy(() => tf.fill([1, 3, 3, 3], 0.7) as tf.Tensor4D));
    expect((await flat.data())[0]).toBe(0);
    tf.dispose([x, tv, flat]);
  });
});

describe('featureVisLoss', () => {
  it('is minus the activation plus λ·TV', async () => {
    const x = image(5, 5);
    const start = tf.memory().numTensors;
    const parts = tf.tidy(() => tf.stack([unitObjective(network, 'blur', 0)(x), totalVariation(x)]));
    const [activation = NaN, tv = NaN] = await parts.data();
    parts.dispose();
    const loss = featureVisLoss(network, 'blur', 0, { tvWeight: 0.5 })(x);
    expect((await loss.data())[0]).toBeCloseTo(-activation + 0.5 * tv, 4);
    loss.dispose();
    const custom = featureVisLoss(network, 'blur', 0, { tvWeight: 2, smoothness: () => tf.scalar(3) })(x);
    expect((await custom.data())[0]).toBeCloseTo(-activation + 6, 4);
    custom.dispose();
    expect(tf.memory().numTensors).toBe(start);
    expect(() => featureVisLoss(network, 'blur', 0, { tvWeight: -1 })).toThrow(RangeError);
    x.dispose();
  });

  it('goes down under an optimiser, which raises the unit’s activation', async () => {
    const x = tf.variable(tf.tidy(() => image(8, 8).mul(0.2).add(0.4)));
    const loss = featureVisLoss(network, 'blur', 0, { tvWeight: 0.1, row: 4, col: 4 });
    const optimizer = tf.train.adam(0.05);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let step = 0; step < 10; step++) {
      const cost = optimizer.minimize(() => loss(x as unknown as tf.Tensor4D), true) as tf.Scalar;
      losses.push((await cost.data())[0] ?? NaN);
      cost.dispose();
      tf.tidy(() => x.assign(x.clipByValue(0, 1)));
      counts.push(tf.memory().numTensors);
    }
    expect(losses.at(-1)).toBeLessThan((losses[0] ?? 0) - 0.5);
    // Nothing piles up from step to step (the optimiser's own state is made on the first).
    expect(counts.at(-1)).toBe(counts[0]);
    optimizer.dispose();
    x.dispose();
  });
});
