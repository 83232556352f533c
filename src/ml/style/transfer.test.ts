import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rgbToYiq } from './color';
import { blendGrams, meanGram, totalCost, unpackCostTerms } from './costs';
import type { ConvNetwork } from '../nets/network';
import {
  createStyleObjective,
  DEFAULT_STYLE_SETTINGS,
  explainStyleTransferError,
  initialImage,
  prepareStyleTargets,
  resizeImage,
  resolveStyleSettings,
  runStyleTransfer,
  sizeForLongSide,
  StyleTransferError,
  type StyleIterationInfo,
} from './transfer';
import { tinyNetwork } from './tiny-network.testing';

let net: ConvNetwork;
let content: tf.Tensor3D;
let style: tf.Tensor3D;
let style2: tf.Tensor3D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  net = tinyNetwork(21);
  content = tf.randomUniform([24, 18, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
  // Smooth stripes: a style with a clear texture the costs can move towards.
  style = tf.tidy(() => {
    const x = tf.range(0, 20).reshape([1, 20, 1]).tile([20, 1, 3]);
    return tf
      .sin(x.mul(tf.tensor1d([0.9, 0.5, 0.2])))
      .mul(0.5)
      .add(0.5) as tf.Tensor3D;
  });
  style2 = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
});

afterAll(() => {
  tf.dispose([content, style, style2]);
  net.dispose();
});

const noYield = () => Promise.resolve();

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('resolveStyleSettings', () => {
  it("fills in the network's layers with equal weights", () => {
    const s = resolveStyleSettings({ size: 32 }, net);
    expect(s.contentLayer).toBe('conv2');
    expect(s.styleLayers).toEqual([
      { layer: 'conv1', weight: 0.5 },
      { layer: 'conv2', weight: 0.5 },
    ]);
    expect(s.alpha).toBe(DEFAULT_STYLE_SETTINGS.alpha);
  });

  it('refuses unknown layers and impossible values', () => {
    expect(() => resolveStyleSettings({ contentLayer: 'conv9' }, net)).toThrow(/conv9/);
    expect(() => resolveStyleSettings({ styleLayers: [{ layer: 'x', weight: 1 }] }, net)).toThrow(/"x"/);
    expect(() => resolveStyleSettings({ styleLayers: [] }, net)).toThrow(/at least one/);
    expect(() => resolveStyleSettings({ size: 8 }, net)).toThrow(/size/);
    expect(() => resolveStyleSettings({ beta: -1 }, net)).toThrow(/beta/);
    expect(() => resolveStyleSettings({ mixRatio: 2 }, net)).toThrow(/mixRatio/);
  });
});

describe('image stages', () => {
  it('sizes by the long side', () => {
    expect(sizeForLongSide(30, 20, 16)).toEqual([16, 11]);
    expect(sizeForLongSide(20, 30, 16)).toEqual([11, 16]);
    expect(sizeForLongSide(10, 10, 32)).toEqual([32, 32]);
  });

  it('halves by averaging 2×2 blocks', async () => {
    const x = tf.tensor3d([1, 3, 5, 7, 1, 3, 5, 7, 0, 0, 8, 8, 0, 0, 8, 8], [4, 4, 1]);
    expect(await values(resizeImage(x, 2, 2))).toEqual([2, 6, 0, 8]);
    const same = resizeImage(x, 4, 4);
    expect(await values(same)).toEqual(Array.from(await x.data()));
    x.dispose();
  });

  it('starts from the content, seeded noise or a mix', async () => {
    const c = tf.fill([1, 4, 4, 3], 0.5) as tf.Tensor4D;
    expect(await values(initialImage(c, 'content', 0.3, 1))).toEqual(new Array(48).fill(0.5));
    const n1 = await values(initialImage(c, 'noise', 0.3, 7));
    const n2 = await values(initialImage(c, 'noise', 0.3, 7));
    const n3 = await values(initialImage(c, 'noise', 0.3, 8));
    expect(n1).toEqual(n2);
    expect(n1).not.toEqual(n3);
    expect(Math.min(...n1)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...n1)).toBeLessThanOrEqual(1);
    const mix = await values(initialImage(c, 'mix', 0.25, 7));
    mix.forEach((v, i) => expect(v).toBeCloseTo(0.75 * 0.5 + 0.25 * (n1[i] as number), 6));
    c.dispose();
  });
});

describe('prepareStyleTargets and createStyleObjective', () => {
  it('blends the style images’ Grams and computes J as totalCost does', async () => {
    const start = tf.memory().numTensors;
    const c4 = content.expandDims(0) as tf.Tensor4D;
    const s1 = style.expandDims(0) as tf.Tensor4D;
    const s2 = style2.expandDims(0) as tf.Tensor4D;
    const layers = { contentLayer: 'conv2', styleLayers: [{ layer: 'conv2', weight: 1 }] };
    const targets = prepareStyleTargets(
      net,
      c4,
      [
        { image: s1, weight: 1 },
        { image: s2, weight: 3 },
      ],
      layers,
      false,
    );
    const expected = tf.tidy(() => {
      const [a1] = net.activations(s1, ['conv2']) as [tf.Tensor4D];
      const [a2] = net.activations(s2, ['conv2']) as [tf.Tensor4D];
      return blendGrams([meanGram(a1), meanGram(a2)], [1, 3]);
    });
    const diff = await values(tf.tidy(() => tf.sub(expected, targets.style[0]!.gram).abs().max()));
    expect(diff[0]).toBeLessThan(1e-6);
    expect(await targets.contentScale!.data()).toEqual(new Float32Array([1]));

    // The content layer is also a style layer: asked for once, used twice.
    const g = tf.randomUniform([1, 24, 18, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const weights = { alpha: 2, beta: 3, tvWeight: 0.5 };
    const { loss, terms } = createStyleObjective(net, targets, weights)(g);
    const byHand = tf.tidy(() => {
      const [a] = net.activations(g, ['conv2']) as [tf.Tensor4D];
      return totalCost({
        image: g,
        contentActivation: a,
        contentTarget: targets.content,
        styleActivations: [a],
        styleTargets: targets.style,
        ...weights,
      });
    });
    const got = unpackCostTerms(await values(terms), 1);
    const want = unpackCostTerms(await values(byHand.terms), 1);
    expect(got.total).toBeCloseTo(want.total, 5);
    expect(got.content).toBeCloseTo(want.content, 5);
    expect(got.content).toBeGreaterThan(0);
    expect(got.style).toBeCloseTo(want.style, 5);
    tf.dispose([loss, byHand.loss, g, expected, c4, s1, s2]);
    targets.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('runStyleTransfer', () => {
  it('lowers J, reports every term and leaks nothing', async () => {
    const start = tf.memory().numTensors;
    const infos: StyleIterationInfo[] = [];
    const previews: [number, number[]][] = [];
    const r = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network: net,
      settings: { size: 24, iterations: 30, optimiser: 'adam', learningRate: 0.05, previewEvery: 10 },
      yieldToEventLoop: noYield,
      onIteration: (i) => infos.push(i),
      onPreview: (image, iteration) => {
        previews.push([iteration, image.shape]);
        image.dispose();
      },
    });
    expect(r.image.shape).toEqual([24, 18, 3]);
    expect(r.iterations).toBe(30);
    expect(infos).toHaveLength(30);
    const first = infos[0]!;
    const last = infos[29]!;
    expect(last.style).toBeLessThan(0.7 * first.style);
    expect(last.total).toBeLessThan(first.total);
    expect(last.content).toBeGreaterThan(0); // started from the content, pulled away by the style
    expect(last.styleLayers).toHaveLength(2);
    expect(last.styleLayers[0]! + last.styleLayers[1]!).toBeCloseTo(last.style, 5);
    expect(last.total).toBeCloseTo(last.content + last.style + last.tv, 5);
    expect(last).toMatchObject({ iteration: 30, iterations: 30, stage: 0, stages: 1, height: 24, width: 18 });
    expect(previews).toEqual([
      [0, [24, 18, 3]],
      [10, [24, 18, 3]],
      [20, [24, 18, 3]],
      [30, [24, 18, 3]],
    ]);
    expect(r.report?.total).toBeCloseTo(last.total, 6);
    r.image.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('shows G₀ before the first iteration, once, at the first stage size', async () => {
    const start = tf.memory().numTensors;
    const events: string[] = [];
    let first: tf.Tensor3D | null = null;
    const r = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network: net,
      settings: { size: 32, iterations: 4, optimiser: 'lbfgs', init: 'content', previewEvery: 0, coarseToFine: true },
      yieldToEventLoop: noYield,
      onIteration: (i) => events.push(`iteration ${i.iteration}`),
      onPreview: (image, iteration) => {
        events.push(`preview ${iteration}`);
        if (!first) first = image;
        else image.dispose();
      },
    });
    expect(events).toEqual([
      'preview 0',
      'iteration 1',
      'iteration 2',
      'preview 2',
      'iteration 3',
      'iteration 4',
      'preview 4',
    ]);
    // Starting from the content: G₀ is the content at the coarse stage's size.
    const expected = resizeImage(content, 16, 12);
    const g0 = first as tf.Tensor3D | null;
    expect(Array.from(await g0!.data())).toEqual(Array.from(await expected.data()));
    tf.dispose([expected, g0!]);
    r.image.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('is deterministic for a seed, with noise start and L-BFGS', async () => {
    const run = async (seed: number) => {
      const r = await runStyleTransfer({
        content,
        styles: [{ image: style }],
        network: net,
        settings: { size: 16, iterations: 5, init: 'noise', seed, optimiser: 'lbfgs' },
        yieldToEventLoop: noYield,
      });
      expect(r.report!.total).toBeLessThan(Infinity);
      return values(r.image);
    };
    const a = await run(3);
    expect(await run(3)).toEqual(a);
    expect(await run(4)).not.toEqual(a);
  });

  it('solves coarse to fine, numbering iterations across both stages', async () => {
    const start = tf.memory().numTensors;
    const infos: StyleIterationInfo[] = [];
    const r = await runStyleTransfer({
      content,
      styles: [{ image: style }, { image: style2, weight: 0.5 }],
      network: net,
      settings: { size: 32, iterations: 7, coarseToFine: true, styleScale: 0.75 },
      yieldToEventLoop: noYield,
      onIteration: (i) => infos.push(i),
    });
    expect(infos.map((i) => i.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(infos.map((i) => i.stage)).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect([infos[0]!.height, infos[0]!.width]).toEqual([16, 12]);
    expect([infos[6]!.height, infos[6]!.width]).toEqual([32, 24]);
    expect(r.image.shape).toEqual([32, 24, 3]);
    r.image.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it("keeps the content's colours when asked", async () => {
    const r = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network: net,
      settings: { size: 16, iterations: 10, preserveColors: true, learningRate: 0.1 },
      yieldToEventLoop: noYield,
    });
    const [h, w] = sizeForLongSide(24, 18, 16);
    const iq = async (t: tf.Tensor3D) => values(tf.tidy(() => tf.split(rgbToYiq(t), [1, 2], 2)[1] as tf.Tensor));
    const c = resizeImage(content, h, w);
    const got = await iq(r.image);
    const want = await iq(c);
    // Equal up to what clipping to 0..1 takes away.
    const mean = got.reduce((a, v, i) => a + Math.abs(v - (want[i] as number)), 0) / got.length;
    expect(mean).toBeLessThan(0.02);
    tf.dispose([r.image, c]);
  });

  it('stops on the signal and returns the image so far', async () => {
    const controller = new AbortController();
    const r = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network: net,
      settings: { size: 32, iterations: 20, coarseToFine: true },
      signal: controller.signal,
      yieldToEventLoop: noYield,
      onIteration: (i) => {
        if (i.iteration === 4) controller.abort();
      },
    });
    expect(r.stoppedBy).toBe('stopped');
    expect(r.iterations).toBe(4);
    expect(r.image.shape).toEqual([32, 24, 3]);
    r.image.dispose();
  });

  it('explains running out of memory and frees everything', async () => {
    const start = tf.memory().numTensors;
    let calls = 0;
    const failing: ConvNetwork = {
      ...net,
      activations: (images, layers) => {
        if (++calls === 4) throw new Error('GPUOutOfMemoryError: Failed to allocate a buffer of 201326592 bytes');
        return net.activations(images, layers);
      },
    };
    const run = runStyleTransfer({
      content,
      styles: [{ image: style }],
      network: failing,
      settings: { size: 32, iterations: 5 },
      yieldToEventLoop: noYield,
    });
    await expect(run).rejects.toThrow(/ran out of memory at 32 px\. Lower the image size \(try 16 px\)/);
    await expect(run).rejects.toBeInstanceOf(StyleTransferError);
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('explainStyleTransferError', () => {
  it('recognises memory and device errors and passes others through', () => {
    const oom = explainStyleTransferError(
      new Error('Requested texture size [9000x9000] greater than WebGL maximum'),
      1024,
    );
    expect(oom).toBeInstanceOf(StyleTransferError);
    expect((oom as StyleTransferError).reason).toBe('out-of-memory');
    expect((oom as Error).message).toMatch(/try 512 px/);
    const lost = explainStyleTransferError(new Error('Device was lost: reason unknown'), 256);
    expect((lost as StyleTransferError).reason).toBe('device-lost');
    const other = new Error('"conv9" is not a layer');
    expect(explainStyleTransferError(other, 256)).toBe(other);
  });
});
