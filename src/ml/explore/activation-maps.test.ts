import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { activationGrid, firstChannels, gridLayout, gridUnitAt, normaliseRows } from './activation-maps';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** [1, 2, 2, 3]: channel 0 a ramp 0..3, channel 1 flat 10, channel 2 a falling ramp 4..−2. */
function threeChannels(): tf.Tensor4D {
  const c0 = [0, 1, 2, 3];
  const c1 = [10, 10, 10, 10];
  const c2 = [4, 2, 0, -2];
  return tf.tensor4d(
    c0.flatMap((v, i) => [v, c1[i] ?? 0, c2[i] ?? 0]),
    [1, 2, 2, 3],
  );
}

async function rounded(t: tf.Tensor2D): Promise<number[][]> {
  const out = (await t.array()).map((row) => row.map((v) => Math.round(v * 1e4) / 1e4));
  t.dispose();
  return out;
}

const third = Math.round(1e4 / 3) / 1e4;
const twoThirds = Math.round(2e4 / 3) / 1e4;

describe('activationGrid', () => {
  it('tiles min–max normalised channels left to right, top to bottom', async () => {
    const x = threeChannels();
    const start = tf.memory().numTensors;
    const grid = activationGrid(x, [0, 1, 2], { percentiles: [0, 100] });
    expect(grid.shape).toEqual([4, 4]);
    // Channel 1 is flat, so all 0; the fourth tile is empty (gap value 1).
    expect(await rounded(grid)).toEqual([
      [0, third, 0, 0],
      [twoThirds, 1, 0, 0],
      [1, twoThirds, 1, 1],
      [third, 0, 1, 1],
    ]);
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('puts gaps between tiles and follows the channel list', async () => {
    const x = threeChannels();
    const grid = activationGrid(x, [2, 0], { percentiles: [0, 100], gap: 1, gapValue: 0.5 });
    expect(await rounded(grid)).toEqual([
      [1, twoThirds, 0.5, 0, third],
      [third, 0, 0.5, twoThirds, 1],
    ]);
    const column = activationGrid(x, [2, 0], { percentiles: [0, 100], columns: 1 });
    expect(column.shape).toEqual([4, 2]);
    column.dispose();
    expect(() => activationGrid(x, [3])).toThrow(RangeError);
    const batch = tf.concat([x, x]) as tf.Tensor4D;
    expect(() => activationGrid(batch, [0])).toThrow(/one image/);
    batch.dispose();
    x.dispose();
  });
});

describe('normaliseRows', () => {
  it('stretches between percentiles so one hot unit does not darken the rest', async () => {
    // 0..98 and one outlier of 1000: the 1st percentile is 1 and the 99th is 98.
    const row = [...Array.from({ length: 99 }, (_, i) => i), 1000];
    const x = tf.tensor2d([row]);
    const start = tf.memory().numTensors;
    const [robust] = await rounded(normaliseRows(x));
    expect(robust?.[0]).toBe(0);
    expect(robust?.[50]).toBeCloseTo(49 / 97, 4);
    expect(robust?.[98]).toBe(1);
    expect(robust?.[99]).toBe(1);
    const [plain] = await rounded(normaliseRows(x, [0, 100]));
    expect(plain?.[50]).toBeCloseTo(50 / 1000, 4);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => normaliseRows(x, [60, 40])).toThrow(RangeError);
    x.dispose();
  });
});

describe('grid helpers', () => {
  it('lays out a near-square grid', () => {
    expect(gridLayout(10, 7, 5)).toEqual({
      rows: 3,
      columns: 4,
      tileHeight: 7,
      tileWidth: 5,
      gap: 0,
      height: 21,
      width: 20,
    });
    expect(gridLayout(3, 2, 2, { gap: 1 })).toMatchObject({ rows: 2, columns: 2, height: 5, width: 5 });
    expect(gridLayout(2, 4, 4, { columns: 8 })).toMatchObject({ rows: 1, columns: 2 });
  });

  it('maps a grid pixel back to its tile and unit', () => {
    const layout = gridLayout(3, 2, 2, { gap: 1 });
    expect(gridUnitAt(layout, 3, 0, 4)).toEqual({ tile: 1, row: 0, col: 1 });
    expect(gridUnitAt(layout, 3, 4.5, 1.2)).toEqual({ tile: 2, row: 1, col: 1 });
    expect(gridUnitAt(layout, 3, 2, 0)).toBeNull(); // gap row
    expect(gridUnitAt(layout, 3, 3, 3)).toBeNull(); // empty fourth tile
    expect(gridUnitAt(layout, 3, -1, 0)).toBeNull();
  });

  it('lists the first channels', () => {
    expect(firstChannels(3, 64)).toEqual([0, 1, 2]);
    expect(firstChannels(10, 4)).toEqual([0, 1, 2, 3]);
  });
});
