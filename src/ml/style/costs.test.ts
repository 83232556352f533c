import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  blendGrams,
  contentCost,
  contentNormaliser,
  gramMatrix,
  meanGram,
  styleLayerCost,
  styleNormaliser,
  totalCost,
  totalVariationCost,
  unpackCostTerms,
} from './costs';
import { tinyNetwork } from './tiny-network.testing';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

// A 1×2×2×2 activation, positions in row-major order: (0,0) [1,2], (0,1) [3,0], (1,0) [0,1], (1,1) [2,2].
const A = () => tf.tensor4d([1, 2, 3, 0, 0, 1, 2, 2], [1, 2, 2, 2]);
// The same with a few changes: differences 1, 0 | 0, −1 | 0, 0 | 0, −2.
const B = () => tf.tensor4d([0, 2, 3, 1, 0, 1, 2, 4], [1, 2, 2, 2]);

async function value(t: tf.Tensor): Promise<number> {
  const v = (await t.data())[0] as number;
  t.dispose();
  return v;
}

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('contentCost', () => {
  it('matches the hand-worked value', async () => {
    const start = tf.memory().numTensors;
    const [a, b] = [A(), B()];
    // Σ (a − b)² = 1 + 1 + 4 = 6; 4·n_H·n_W·n_C = 32.
    expect(await value(contentCost(a, b))).toBeCloseTo(6 / 32, 7);
    expect(await value(contentCost(a, a))).toBe(0);
    // Σ a² = 1+4+9+0+0+1+4+4 = 23, so the relative error is 6/23.
    const scale = contentNormaliser(a);
    expect(await value(tf.tidy(() => contentCost(a, b).mul(scale)))).toBeCloseTo(6 / 23, 6);
    tf.dispose([a, b, scale]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('refuses different shapes and batches', () => {
    const a = A();
    const c = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
    const batch = tf.zeros([2, 2, 2, 2]) as tf.Tensor4D;
    expect(() => contentCost(a, c)).toThrow(/shapes differ/);
    expect(() => contentCost(batch, batch)).toThrow(/one image/);
    tf.dispose([a, c, batch]);
  });
});

describe('gramMatrix', () => {
  it('matches the hand-worked Gram matrix', async () => {
    const a = A();
    // Features rows [1,2] [3,0] [0,1] [2,2]: G00 = 1+9+0+4, G01 = 2+0+0+4, G11 = 4+0+1+4.
    expect(await values(gramMatrix(a))).toEqual([14, 6, 6, 9]);
    expect(await values(meanGram(a))).toEqual([3.5, 1.5, 1.5, 2.25]);
    a.dispose();
  });

  it('is symmetric and keeps the channel count for a wider layer', async () => {
    const a = tf.randomUniform([1, 3, 4, 5], -1, 1, 'float32', 7) as tf.Tensor4D;
    const g = gramMatrix(a);
    expect(g.shape).toEqual([5, 5]);
    const asym = await value(tf.sub(g, g.transpose()).abs().max());
    expect(asym).toBe(0);
    tf.dispose([a, g]);
  });
});

describe('styleLayerCost', () => {
  it('matches the textbook formula for same-size images', async () => {
    const [a, b] = [A(), B()];
    // Gram(B) = [[13, 11], [11, 22]]; difference from Gram(A) [[−1, 5], [5, 13]], squares sum to 220.
    // 1/(4·n_C²·(n_H·n_W)²) = 1/(4·4·16) = 1/256.
    const target = meanGram(a);
    expect(await value(styleLayerCost(target, b))).toBeCloseTo(220 / 256, 6);
    expect(await value(styleLayerCost(target, a))).toBe(0);
    // Normalised: Σ ΔG² / Σ G(S)² = 220 / (196 + 36 + 36 + 81).
    const scale = styleNormaliser(target);
    expect(await value(tf.tidy(() => styleLayerCost(target, b).mul(scale)))).toBeCloseTo(220 / 349, 6);
    tf.dispose([a, b, target, scale]);
  });

  it('compares a style image of another size by its mean Gram', async () => {
    // Tiling A 2×2 gives the same statistics at four times the area: the cost against A is 0.
    const a = A();
    const tiled = tf.tile(a, [1, 2, 2, 1]) as tf.Tensor4D;
    const target = meanGram(tiled);
    expect(await value(styleLayerCost(target, a))).toBeCloseTo(0, 6);
    tf.dispose([a, tiled, target]);
  });

  it('is unchanged by scaling a layer once normalised', async () => {
    const [a, b] = [A(), B()];
    const run = (k: number) =>
      tf.tidy(() => {
        const t = meanGram(a.mul(k) as tf.Tensor4D);
        return styleLayerCost(t, b.mul(k) as tf.Tensor4D).mul(styleNormaliser(t));
      });
    const small = await value(run(1));
    const large = await value(run(1000));
    expect(large).toBeCloseTo(small, 5);
    tf.dispose([a, b]);
  });

  it('refuses a target with the wrong channel count', () => {
    const a = A();
    const t = tf.eye(3) as tf.Tensor2D;
    expect(() => styleLayerCost(t, a)).toThrow(/3,3/);
    tf.dispose([a, t]);
  });
});

describe('blendGrams', () => {
  it('takes the weighted mean', async () => {
    const i = tf.eye(2) as tf.Tensor2D;
    const b = tf.tensor2d([3, 2, 2, 3], [2, 2]);
    // (1·I + 3·B) / 4.
    expect(await values(blendGrams([i, b], [1, 3]))).toEqual([2.5, 1.5, 1.5, 2.5]);
    expect(await values(blendGrams([b], [0.2]))).toEqual([3, 2, 2, 3]);
    expect(() => blendGrams([i, b], [0, 0])).toThrow(/positive/);
    expect(() => blendGrams([i, b], [1, -1])).toThrow(/negative/);
    expect(() => blendGrams([i], [1, 1])).toThrow(/one weight/);
    tf.dispose([i, b]);
  });
});

describe('totalVariationCost', () => {
  it('matches the hand-worked value', async () => {
    // [[1, 2], [4, 8]]: vertical 3² + 6², horizontal 1² + 4², over 4 pixels.
    const x = tf.tensor4d([1, 2, 4, 8], [1, 2, 2, 1]);
    expect(await value(totalVariationCost(x))).toBeCloseTo(62 / 4, 6);
    // Channels add up: two channels of the same picture give twice the cost.
    const two = tf.concat([x, x], 3) as tf.Tensor4D;
    expect(await value(totalVariationCost(two))).toBeCloseTo(62 / 2, 6);
    const flat = tf.fill([1, 3, 3, 3], 0.4) as tf.Tensor4D;
    expect(await value(totalVariationCost(flat))).toBe(0);
    tf.dispose([x, two, flat]);
  });
});

describe('totalCost', () => {
  it('weights and stacks every term', async () => {
    const start = tf.memory().numTensors;
    const [a, b] = [A(), B()];
    const target = meanGram(a);
    const image = tf.tensor4d([1, 2, 4, 8], [1, 2, 2, 1]);
    const { loss, terms } = totalCost({
      image,
      contentActivation: b,
      contentTarget: a,
      styleActivations: [b, a],
      styleTargets: [
        { gram: target, weight: 0.25 },
        { gram: target, weight: 0.75, scale: 10 },
      ],
      alpha: 2,
      beta: 3,
      tvWeight: 0.5,
    });
    const r = unpackCostTerms(await terms.data(), 2);
    expect(r.content).toBeCloseTo(2 * (6 / 32), 6);
    expect(r.styleLayers[0]).toBeCloseTo(3 * 0.25 * (220 / 256), 6);
    expect(r.styleLayers[1]).toBe(0);
    expect(r.style).toBeCloseTo(3 * 0.25 * (220 / 256), 6);
    expect(r.tv).toBeCloseTo(0.5 * 15.5, 5);
    expect(r.total).toBeCloseTo(r.content + r.style + r.tv, 5);
    expect(await value(loss)).toBeCloseTo(r.total, 6);
    tf.dispose([a, b, target, image, terms]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('leaves out the content term when there is no content target', async () => {
    const a = A();
    const target = meanGram(a);
    const { loss, terms } = totalCost({
      image: a,
      contentActivation: null,
      contentTarget: null,
      styleActivations: [a],
      styleTargets: [{ gram: target, weight: 1 }],
      alpha: 1,
      beta: 1,
      tvWeight: 0,
    });
    expect(await values(terms)).toEqual([0, 0, 0, 0, 0]);
    tf.dispose([a, target, loss]);
  });
});

describe('gradient of J with respect to G', () => {
  it('agrees with central differences through a tiny conv net', async () => {
    const net = tinyNetwork(11);
    const content = tf.randomUniform([1, 6, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const style = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const g0 = tf.randomUniform([1, 6, 6, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const [contentTarget] = net.activations(content, ['conv2']) as [tf.Tensor4D];
    const styleActs = net.activations(style, ['conv1', 'conv2']);
    const grams = styleActs.map(meanGram);
    const scales = grams.map(styleNormaliser);
    const contentScale = contentNormaliser(contentTarget);
    const J = (x: tf.Tensor) =>
      tf.tidy(() => {
        const [c1, c2] = net.activations(x as tf.Tensor4D, ['conv1', 'conv2']) as [tf.Tensor4D, tf.Tensor4D];
        return totalCost({
          image: x as tf.Tensor4D,
          contentActivation: c2,
          contentTarget,
          contentScale,
          styleActivations: [c1, c2],
          styleTargets: grams.map((gram, i) => ({ gram, weight: 0.5, scale: scales[i] as tf.Scalar })),
          alpha: 1,
          beta: 2,
          tvWeight: 0.1,
        }).loss;
      });
    const start = tf.memory().numTensors;
    const analytic = await values(tf.grad(J)(g0));
    const base = await g0.data();
    // Central differences in float32 agree to about 5e-5 of the largest gradient here.
    const h = 1e-2;
    const coords = [0, 5, 17, 40, 63, 88, 101, 107];
    const maxGrad = Math.max(...analytic.map(Math.abs));
    expect(maxGrad).toBeGreaterThan(1e-3);
    for (const k of coords) {
      const shifted = async (delta: number) => {
        const v = Float32Array.from(base);
        v[k] = (v[k] as number) + delta;
        const x = tf.tensor4d(v, g0.shape);
        const j = await value(J(x));
        x.dispose();
        return j;
      };
      const numeric = ((await shifted(h)) - (await shifted(-h))) / (2 * h);
      expect(Math.abs(numeric - (analytic[k] as number))).toBeLessThan(1e-3 * maxGrad);
    }
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([content, style, g0, contentTarget, ...styleActs, ...grams, ...scales, contentScale]);
    net.dispose();
  });
});
