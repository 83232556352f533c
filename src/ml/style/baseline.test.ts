import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineStep, createBaseline, runBaseline } from './baseline';
import { unpackCostTerms } from './costs';
import type { ConvNetwork } from '../nets/network';
import { createStyleObjective, prepareStyleTargets } from './transfer';
import { tinyNetwork } from './tiny-network.testing';

let net: ConvNetwork;
let content: tf.Tensor3D;
let style: tf.Tensor3D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  net = tinyNetwork(31);
  content = tf.randomUniform([20, 20, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
  style = tf.randomUniform([20, 20, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
});

afterAll(() => {
  tf.dispose([content, style]);
  net.dispose();
});

const settings = { size: 20, alpha: 2, beta: 5, tvWeight: 0.3, learningRate: 0.05 };

describe('baseline style transfer', () => {
  it('computes the same textbook costs as the optimised path', async () => {
    const state = createBaseline({ content, style, network: net, settings });
    const first = await baselineStep(state);
    state.dispose();

    const c4 = content.expandDims(0) as tf.Tensor4D;
    const s4 = style.expandDims(0) as tf.Tensor4D;
    const layers = {
      contentLayer: 'conv2',
      styleLayers: [
        { layer: 'conv1', weight: 0.5 },
        { layer: 'conv2', weight: 0.5 },
      ],
    };
    const targets = prepareStyleTargets(net, c4, [{ image: s4, weight: 1 }], layers, false);
    const { loss, terms } = createStyleObjective(net, targets, settings)(c4);
    const r = unpackCostTerms(await terms.data(), 2);
    expect(first.total).toBeCloseTo(r.total, 5);
    expect(first.content).toBeCloseTo(r.content, 6);
    expect(first.styleLayers[0]).toBeCloseTo(r.styleLayers[0]!, 5);
    expect(first.styleLayers[1]).toBeCloseTo(r.styleLayers[1]!, 5);
    expect(first.tv).toBeCloseTo(r.tv, 5);
    expect(first.style).toBeGreaterThan(0);
    tf.dispose([loss, terms, c4, s4]);
    targets.dispose();
  });

  it('lowers the cost with a flat tensor count and frees everything', async () => {
    const start = tf.memory().numTensors;
    const state = createBaseline({ content, style, network: net, settings });
    const counts: number[] = [];
    const reports = [];
    for (let i = 0; i < 20; i++) {
      reports.push(await baselineStep(state));
      counts.push(tf.memory().numTensors);
    }
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(reports[19]!.total).toBeLessThan(reports[0]!.total);
    expect(reports[19]!.msPerIteration).toBeGreaterThan(0);
    state.dispose();
    expect(tf.memory().numTensors).toBe(start);

    const run = await runBaseline({ content, style, network: net, settings }, 3);
    expect(run.reports).toHaveLength(3);
    expect(run.image.shape).toEqual([20, 20, 3]);
    run.image.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
