import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { classifierHints, labelsFromJson } from './class-hints';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('classifierHints', () => {
  it("names the classes with the largest weights in each channel's row, leaving no tensor", async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 4, useBias: false })],
    });
    model.layers[0]!.setWeights([
      tf.tensor2d([
        [0.1, 0.9, 0.5, -1],
        [2, 0, 0, 1],
        [0, 0, 3, 0],
      ]),
    ]);
    const labels = labelsFromJson({ '0': 'tench', '1': 'great_white_shark', '2': 'hen', '3': 'cock' });
    const hints = classifierHints(model, labels, 'res5c', 3, 2);
    const before = tf.memory().numTensors;
    expect(await hints('res5c', [0, 1])).toEqual([
      ['great white shark', 'hen'],
      ['tench', 'cock'],
    ]);
    expect(tf.memory().numTensors).toBe(before);
    // Other layers, or a classifier that does not fit the layer, give no hint.
    expect(await hints('res4f', [0])).toBeUndefined();
    expect(await classifierHints(model, labels, 'res5c', 2048)('res5c', [0])).toBeUndefined();
    model.dispose();
  });
});
