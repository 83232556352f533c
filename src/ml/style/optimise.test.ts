import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentNormaliser, meanGram, styleNormaliser, totalCost } from './costs';
import type { ConvNetwork } from '../nets/network';
import { optimiseImage, roll, RunControl, type ImageObjective, type IterationInfo } from './optimise';
import { tinyNetwork } from './tiny-network.testing';

let net: ConvNetwork;
let targets: tf.Tensor[];
let objective: ImageObjective;

beforeAll(async () => {
  await tf.setBackend('cpu');
  net = tinyNetwork(5);
  const content = tf.randomUniform([1, 12, 12, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const style = tf.randomUniform([1, 12, 12, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const [contentTarget] = net.activations(content, ['conv2']) as [tf.Tensor4D];
  const grams = net.activations(style, ['conv1', 'conv2']).map((a) => {
    const g = meanGram(a);
    a.dispose();
    return g;
  });
  const scales = grams.map(styleNormaliser);
  const contentScale = contentNormaliser(contentTarget);
  tf.dispose([content, style]);
  targets = [contentTarget, contentScale, ...grams, ...scales];
  objective = (x) =>
    tf.tidy(() => {
      const [a1, a2] = net.activations(x, ['conv1', 'conv2']) as [tf.Tensor4D, tf.Tensor4D];
      return totalCost({
        image: x,
        contentActivation: a2,
        contentTarget,
        contentScale,
        styleActivations: [a1, a2],
        styleTargets: grams.map((gram, i) => ({ gram, weight: 0.5, scale: scales[i] as tf.Scalar })),
        alpha: 1,
        beta: 10,
        tvWeight: 0.01,
      });
    });
});

afterAll(() => {
  tf.dispose(targets);
  net.dispose();
});

const noYield = () => Promise.resolve();
const start = () => tf.randomUniform([1, 12, 12, 3], 0, 1, 'float32', 9) as tf.Tensor4D;

describe('roll', () => {
  it('shifts circularly along rows and columns', async () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    const r = roll(x, 1, 1);
    // Rows swap; columns move right by one: [4 5 6 | 1 2 3] → [6 4 5 | 3 1 2].
    expect(Array.from(await r.data())).toEqual([6, 4, 5, 3, 1, 2]);
    const back = roll(r, -1, -4);
    expect(Array.from(await back.data())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([x, r, back]);
  });
});

describe('optimiseImage', () => {
  for (const optimiser of ['adam', 'lbfgs'] as const) {
    it(`lowers the cost with ${optimiser} and keeps the tensor count flat over 50 iterations`, async () => {
      const init = start();
      const before = tf.memory().numTensors;
      const infos: IterationInfo[] = [];
      const counts: number[] = [];
      const result = await optimiseImage({
        init,
        objective,
        optimiser,
        learningRate: 0.05,
        iterations: 50,
        yieldToEventLoop: noYield,
        onIteration: (info) => {
          infos.push(info);
          counts.push(tf.memory().numTensors);
        },
      });
      expect(result.iterations).toBe(50);
      expect(result.stoppedBy).toBe('done');
      expect(infos.map((i) => i.iteration)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      // Adam's moments appear on step one; L-BFGS's history fills over its first m = 10 steps.
      const settled = counts.slice(optimiser === 'adam' ? 1 : 12);
      expect(Math.max(...settled)).toBe(Math.min(...settled));
      const first = infos[0] as IterationInfo;
      const last = infos[49] as IterationInfo;
      expect(last.loss).toBeLessThan(0.5 * first.loss);
      // [J, content, style, style per layer (2), tv].
      expect(last.terms).toHaveLength(6);
      expect(last.terms[0]).toBeCloseTo(last.loss, 5);
      expect(last.msPerIteration).toBeGreaterThan(0);
      const v = await result.image.data();
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThanOrEqual(1);
      result.image.dispose();
      expect(tf.memory().numTensors).toBe(before);
      init.dispose();
    });
  }

  it('reaches a lower cost with L-BFGS than with Adam in the same number of iterations', async () => {
    const init = start();
    const run = async (optimiser: 'adam' | 'lbfgs') => {
      const r = await optimiseImage({ init, objective, optimiser, iterations: 30, yieldToEventLoop: noYield });
      r.image.dispose();
      return r.loss;
    };
    const adam = await run('adam');
    const lbfgs = await run('lbfgs');
    expect(lbfgs).toBeLessThan(adam);
    init.dispose();
  });

  it('stops on the signal, yields between iterations and previews as asked', async () => {
    const init = start();
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let yields = 0;
    const previews: number[] = [];
    const result = await optimiseImage({
      init,
      objective,
      iterations: 100,
      signal: controller.signal,
      yieldEvery: 2,
      yieldToEventLoop: async () => {
        yields++;
      },
      previewEvery: 3,
      onPreview: (image, iteration) => {
        expect(image.shape).toEqual([1, 12, 12, 3]);
        previews.push(iteration);
        image.dispose();
      },
      onIteration: (info) => {
        if (info.iteration === 7) controller.abort();
      },
    });
    expect(result.stoppedBy).toBe('stopped');
    expect(result.iterations).toBe(7);
    expect(yields).toBe(3);
    expect(previews).toEqual([3, 6]);
    result.image.dispose();
    expect(tf.memory().numTensors).toBe(before);
    init.dispose();
  });

  it('pauses and resumes', async () => {
    const init = start();
    const control = new RunControl();
    const seen: number[] = [];
    const run = optimiseImage({
      init,
      objective,
      iterations: 6,
      control,
      yieldToEventLoop: noYield,
      onIteration: (info) => {
        seen.push(info.iteration);
        if (info.iteration === 2) control.pause();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual([1, 2]);
    expect(control.paused).toBe(true);
    control.resume();
    const result = await run;
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(result.stoppedBy).toBe('done');
    result.image.dispose();

    // Stopping a paused run ends it at once.
    const control2 = new RunControl();
    const run2 = optimiseImage({
      init,
      objective,
      iterations: 6,
      control: control2,
      yieldToEventLoop: noYield,
      onIteration: (info) => {
        if (info.iteration === 1) control2.pause();
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    control2.stop();
    const r2 = await run2;
    expect(r2.iterations).toBe(1);
    expect(r2.stoppedBy).toBe('stopped');
    r2.image.dispose();
    init.dispose();
  });

  it('jitters the image reproducibly, with Adam only', async () => {
    const init = start();
    const runJitter = async (seed: number) => {
      const r = await optimiseImage({ init, objective, iterations: 5, jitter: 2, seed, yieldToEventLoop: noYield });
      const v = Array.from(await r.image.data());
      r.image.dispose();
      return v;
    };
    const a = await runJitter(3);
    const b = await runJitter(3);
    const c = await runJitter(4);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    await expect(
      optimiseImage({ init, objective, iterations: 5, jitter: 2, optimiser: 'lbfgs', yieldToEventLoop: noYield }),
    ).rejects.toThrow(/Adam/);
    init.dispose();
  });

  it('updates a variable in place and frees everything when the objective throws', async () => {
    const init = start();
    const variable = tf.variable(init.clone() as tf.Tensor4D);
    const before = tf.memory().numTensors;
    const r = await optimiseImage({ init: variable, objective, iterations: 3, yieldToEventLoop: noYield });
    const moved = tf.tidy(() => tf.sub(variable, init).abs().max());
    expect((await moved.data())[0]).toBeGreaterThan(0);
    moved.dispose();
    r.image.dispose();
    expect(tf.memory().numTensors).toBe(before);

    for (const optimiser of ['adam', 'lbfgs'] as const) {
      let calls = 0;
      const failing: ImageObjective = (x) => {
        if (++calls === 3) throw new Error('GPU lost');
        return objective(x);
      };
      await expect(
        optimiseImage({ init, objective: failing, optimiser, iterations: 10, yieldToEventLoop: noYield }),
      ).rejects.toThrow('GPU lost');
      expect(tf.memory().numTensors).toBe(before);
    }
    variable.dispose();
    init.dispose();
  });
});
