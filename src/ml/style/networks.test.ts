import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOSS_NETWORKS, loadLossNetwork } from './networks';
import { RandomVgg19 } from './vgg19-random';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loss network registry', () => {
  it('offers the random VGG-19, ResNet-50 and the user’s own model, each described', () => {
    expect(LOSS_NETWORKS.map((n) => n.id)).toEqual(['vgg19-random', 'resnet50', 'custom']);
    for (const n of LOSS_NETWORKS) {
      expect(n.label.length).toBeGreaterThan(3);
      expect(n.description.length).toBeGreaterThan(40);
    }
  });

  it('loads the random VGG-19 with the seed and smoothing asked for', async () => {
    const net = await loadLossNetwork('vgg19-random', { seed: 3, smoothing: true });
    expect(net).toBeInstanceOf(RandomVgg19);
    expect((net as RandomVgg19).seed).toBe(3);
    const x = tf.ones([1, 4, 4, 3]) as tf.Tensor4D;
    const [a] = net.activations(x, ['conv1_1']);
    const sum = a!.sum();
    expect((await sum.data())[0]).toBeCloseTo(1, 4);
    tf.dispose([x, a!, sum]);
    net.dispose();
  });

  it('explains what is missing rather than failing later', async () => {
    await expect(loadLossNetwork('resnet50')).rejects.toThrow(/base URL/);
    await expect(loadLossNetwork('custom')).rejects.toThrow(/Drop a model\.json/);
    await expect(loadLossNetwork('vgg16' as never)).rejects.toThrow(/no loss network called "vgg16"/);
  });
});
