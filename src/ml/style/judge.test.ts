import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvNetwork } from '../nets/network';
import { judgeNetworkFor, judgeRun, judgeStyleTransfer } from './judge';
import { tinyNetwork } from './tiny-network.testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A "network" whose only layer is the image itself, so every figure can be worked out by hand.
const identity: ConvNetwork = {
  id: 'custom',
  label: 'identity',
  layers: [{ name: 'img', kind: 'conv', channels: 3, path: [] }],
  defaults: { content: 'img', style: ['img'] },
  activations: (images, layers) => layers.map(() => images.clone()),
  dispose() {},
};

const flat = (v: number, h = 2, w = 2) => tf.fill([h, w, 3], v) as tf.Tensor3D;

describe('judgeStyleTransfer', () => {
  it('matches hand-worked distances and frees what it makes', async () => {
    const [c, s, before, after] = [flat(0.5), flat(0.5, 4, 4), flat(0.5), flat(0.25)];
    await judgeStyleTransfer(identity, { content: c, style: s, before, after }); // warm-up: the backend's own first-use tensors
    const start = tf.memory().numTensors;
    const r = await judgeStyleTransfer(identity, { content: c, style: s, before, after });
    expect(tf.memory().numTensors).toBe(start);
    // before = C: no distance to C; its Gram (0.25 everywhere) is S's, whose size does not matter.
    expect(r.content_before).toBeCloseTo(0, 9);
    expect(r.style_before).toBeCloseTo(0, 9);
    // after = 0.25: Σ(0.5 − 0.25)² / Σ 0.5² = 0.25; Grams 0.0625 vs 0.25: (0.1875 / 0.25)² = 0.5625.
    expect(r.content_after).toBeCloseTo(0.25, 6);
    expect(r.style_after).toBeCloseTo(0.5625, 6);
    expect(r.network).toBe('custom');
    tf.dispose([c, s, before, after]);
  });

  it('sees a result moved towards the style through a real convnet', async () => {
    const net = tinyNetwork(3);
    const c = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
    const s = tf.tidy(() => tf.fill([16, 16, 3], 0.2).add(tf.tensor1d([0.6, 0, 0.2]))) as tf.Tensor3D;
    const mid = tf.tidy(() => c.add(s).div(2)) as tf.Tensor3D;
    const r = await judgeStyleTransfer(net, { content: c, style: s, before: c, after: mid });
    expect(r.content_before).toBeCloseTo(0, 9);
    expect(r.content_after).toBeGreaterThan(0);
    expect(r.style_after).toBeLessThan(r.style_before);
    const toStyle = await judgeStyleTransfer(net, { content: c, style: s, before: c, after: s });
    expect(toStyle.style_after).toBeCloseTo(0, 6);
    tf.dispose([c, s, mid]);
    net.dispose();
  });

  it('refuses a result of another size than the content, in words', async () => {
    const [c, s, g] = [flat(0.5), flat(0.5), flat(0.5, 3, 2)];
    await expect(judgeStyleTransfer(identity, { content: c, style: s, before: c, after: g })).rejects.toThrow(
      /content image's size 2×2; got 2×3/,
    );
    tf.dispose([c, s, g]);
  });
});

describe('judgeNetworkFor', () => {
  it('judges each network with another one', () => {
    expect(judgeNetworkFor('vgg19-random')).toBe('resnet50');
    expect(judgeNetworkFor('resnet50')).toBe('vgg19-random');
    expect(judgeNetworkFor('custom')).toBe('resnet50');
  });
});

describe('judgeRun', () => {
  it('rebuilds G₀ from the settings at the result size: a content start is no distance from C', async () => {
    const net = tinyNetwork(5);
    const c = tf.randomUniform([32, 24, 3], 0, 1, 'float32', 7) as tf.Tensor3D;
    const s = tf.randomUniform([20, 20, 3], 0, 1, 'float32', 8) as tf.Tensor3D;
    const g = tf.randomUniform([16, 12, 3], 0, 1, 'float32', 9) as tf.Tensor3D;
    const settings = { init: 'content', mixRatio: 0.3, seed: 1, styleScale: 1 } as const;
    const start = tf.memory().numTensors;
    const fromContent = await judgeRun(net, { content: c, style: s, result: g, settings });
    expect(tf.memory().numTensors).toBe(start);
    expect(fromContent.content_before).toBeCloseTo(0, 9);
    expect(fromContent.content_after).toBeGreaterThan(0.01);
    const fromNoise = await judgeRun(net, {
      content: c,
      style: s,
      result: g,
      settings: { ...settings, init: 'noise' },
    });
    expect(fromNoise.content_before).toBeGreaterThan(0.01);
    expect(fromNoise.content_after).toBeCloseTo(fromContent.content_after, 9);
    tf.dispose([c, s, g]);
    net.dispose();
  });
});
