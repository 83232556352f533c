import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadTestModel } from '../../test/fixtures';
import type { LoadLossNetworkOptions } from '../style/networks';
import { tinyNetwork } from '../style/tiny-network.testing';
import { createNetworkLoader, defaultLayer, describeLayers, EXPLORE_NETWORKS, type ExploreLayer } from './networks';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rf = { size: 1, jump: 1, start: 0 } as ExploreLayer['rf'];
const layers = (...names: string[]): ExploreLayer[] =>
  names.map((name) => ({ name, kind: 'conv', channels: 1, rf, differentiable: true }));

describe('defaultLayer', () => {
  it('keeps the previous layer when the network has it, else conv3_1, else the third', () => {
    expect(defaultLayer(layers('a', 'conv3_1', 'b'), 'b')).toBe('b');
    expect(defaultLayer(layers('a', 'b', 'c', 'conv3_1'), 'gone')).toBe('conv3_1');
    expect(defaultLayer(layers('a', 'b', 'c', 'd'), null)).toBe('c');
    expect(defaultLayer(layers('a'), null)).toBe('a');
    expect(defaultLayer([], null)).toBeNull();
  });
});

describe('createNetworkLoader', () => {
  it('loads a style network with raw activations, forwards progress and frees it on close', async () => {
    const before = tf.memory().numTensors;
    let seen: LoadLossNetworkOptions | undefined;
    const loader = createNetworkLoader({
      loadFaceModel: () => Promise.reject(new Error('not here')),
      async loadLossNetwork(_id, options) {
        seen = options;
        options.onProgress?.({ loaded: 25, total: 100 });
        return tinyNetwork();
      },
      lossNetworkOptions: async () => ({ baseUrl: '/base/', smoothing: true }),
    });
    const progress = vi.fn();
    const handle = await loader.run('vgg19-random', progress);
    expect(seen).toMatchObject({ baseUrl: '/base/', smoothing: false });
    expect(progress).toHaveBeenCalledWith(0.25);
    expect(handle.inputSize).toBeNull();
    expect(handle.layers.map((l) => [l.name, l.rf.size, l.differentiable])).toEqual([
      ['conv1', 3, true],
      ['conv2', 5, true],
    ]);
    expect(tf.memory().numTensors).toBeGreaterThan(before);
    handle.close();
    handle.close();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('looks at a face model through its graph, square input, without disposing the model', async () => {
    const model = await loadTestModel('blazeface');
    const loader = createNetworkLoader({
      loadFaceModel: async (id) => {
        expect(id).toBe('blazeface');
        return model;
      },
      loadLossNetwork: () => Promise.reject(new Error('not here')),
    });
    const handle = await loader.run('blazeface');
    expect(handle.inputSize).toBe(256);
    expect(handle.label).toBe(EXPLORE_NETWORKS.find((n) => n.id === 'blazeface')!.label);
    expect(handle.layers.length).toBeGreaterThan(3);
    expect(handle.layers[0]!.rf.size).toBeGreaterThan(1);
    const weights = tf.memory().numTensors;
    loader.close();
    expect(tf.memory().numTensors).toBe(weights);
    model.dispose();
  });

  it('describes layers from their geometry', () => {
    const net = tinyNetwork();
    expect(describeLayers(net).map((l) => l.rf.jump)).toEqual([1, 2]);
    net.dispose();
  });
});
