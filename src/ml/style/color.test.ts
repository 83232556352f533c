import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { preserveContentColors, rgbToYiq, yiqToRgb } from './color';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function values(t: tf.Tensor): Promise<number[]> {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
}

describe('YIQ', () => {
  it('puts luminance in Y and nothing in I, Q for greys', async () => {
    const rgb = tf.tensor2d([1, 1, 1, 0.5, 0.5, 0.5, 1, 0, 0], [3, 3]);
    const yiq = await values(rgbToYiq(rgb));
    // White: Y = 0.299 + 0.587 + 0.114 = 1; grey: Y = 0.5; red: Y = 0.299, I = 0.5959, Q = 0.2115.
    const expected = [1, 0, 0, 0.5, 0, 0, 0.299, 0.5959, 0.2115];
    yiq.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 4));
    rgb.dispose();
  });

  it('round-trips', async () => {
    const rgb = tf.randomUniform([1, 4, 5, 3], 0, 1, 'float32', 3);
    const back = tf.tidy(() => yiqToRgb(rgbToYiq(rgb)));
    const err = await values(tf.tidy(() => tf.sub(back, rgb).abs().max()));
    expect(err[0]).toBeLessThan(1e-5);
    tf.dispose([rgb, back]);
  });
});

describe('preserveContentColors', () => {
  it("keeps G's luminance and C's chrominance", async () => {
    const start = tf.memory().numTensors;
    const g = tf.tensor3d([0.5, 0.5, 0.5, 0.2, 0.2, 0.2], [1, 2, 3]);
    const c = tf.tensor3d([0.8, 0.3, 0.3, 0.3, 0.3, 0.8], [1, 2, 3]);
    const out = preserveContentColors(g, c);
    const yiqOut = await values(rgbToYiq(out));
    const yiqG = await values(rgbToYiq(g));
    const yiqC = await values(rgbToYiq(c));
    for (let p = 0; p < 2; p++) {
      expect(yiqOut[3 * p]).toBeCloseTo(yiqG[3 * p] as number, 4);
      expect(yiqOut[3 * p + 1]).toBeCloseTo(yiqC[3 * p + 1] as number, 4);
      expect(yiqOut[3 * p + 2]).toBeCloseTo(yiqC[3 * p + 2] as number, 4);
    }
    const other = tf.zeros([2, 2, 3]);
    expect(() => preserveContentColors(g, other)).toThrow(/sizes differ/);
    tf.dispose([g, c, out, other]);
    expect(tf.memory().numTensors).toBe(start);
  });
});
