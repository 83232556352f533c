import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropPatches, patchesForHits, scaleRect } from './patches';
import { receptiveField } from '../nets/geometry';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** An h × w one-channel image whose pixel (y, x) holds 10·y + x + base. */
function ramp(h: number, w: number, base = 0): tf.Tensor3D {
  return tf.tidy(() =>
    tf
      .range(0, h)
      .mul(10)
      .reshape([h, 1])
      .add(tf.range(0, w).reshape([1, w]))
      .add(base)
      .expandDims(2),
  ) as tf.Tensor3D;
}

/** The patches' first channel, rounded to 1e-4 (bilinear weights pass through float32). */
async function values(t: tf.Tensor): Promise<number[][][]> {
  const round = (v: number) => Math.round(v * 1e4) / 1e4;
  const out = ((await t.array()) as number[][][][]).map((p) => p.map((row) => row.map((px) => round(px[0] ?? NaN))));
  t.dispose();
  return out;
}

describe('cropPatches', () => {
  it('copies a rect of the output size pixel for pixel', async () => {
    const image = ramp(6, 6).expandDims(0) as tf.Tensor4D;
    const start = tf.memory().numTensors;
    const patches = cropPatches(image, [{ image: 0, rect: { top: 1, left: 2, height: 3, width: 3 } }], { size: 3 });
    expect(patches.shape).toEqual([1, 3, 3, 1]);
    const [p] = await values(patches);
    expect(p).toEqual([
      [12, 13, 14],
      [22, 23, 24],
      [32, 33, 34],
    ]);
    expect(tf.memory().numTensors).toBe(start);
    image.dispose();
  });

  it('fills what lies outside the image with grey', async () => {
    const image = ramp(4, 4).expandDims(0) as tf.Tensor4D;
    const [p] = await values(
      cropPatches(image, [{ image: 0, rect: { top: -1, left: 2, height: 3, width: 3 } }], { size: 3, fill: 0.5 }),
    );
    expect(p).toEqual([
      [0.5, 0.5, 0.5],
      [2, 3, 0.5],
      [12, 13, 0.5],
    ]);
    image.dispose();
  });

  it('samples each output pixel at the centre of its share of the rect', async () => {
    const image = ramp(8, 8).expandDims(0) as tf.Tensor4D;
    // A 4×4 rect to 2×2: each output pixel is the centre of a 2×2 block, rows 2.5 and 4.5,
    // columns 4.5 and 6.5, where bilinear sampling of a ramp gives 10·y + x exactly.
    const [p] = await values(
      cropPatches(image, [{ image: 0, rect: { top: 2, left: 4, height: 4, width: 4 } }], { size: 2 }),
    );
    expect(p?.flat()).toEqual([29.5, 31.5, 49.5, 51.5]);
    image.dispose();
  });

  it('cuts from images of different sizes and keeps the request order', async () => {
    const a = ramp(4, 5);
    const b = ramp(7, 3, 100);
    const start = tf.memory().numTensors;
    const requests = [
      { image: 1, rect: { top: 5, left: 1, height: 2, width: 2 } },
      { image: 0, rect: { top: 0, left: 3, height: 2, width: 2 } },
      { image: 1, rect: { top: 0, left: 0, height: 2, width: 2 } },
    ];
    const expected = [
      [
        [151, 152],
        [161, 162],
      ],
      [
        [3, 4],
        [13, 14],
      ],
      [
        [100, 101],
        [110, 111],
      ],
    ];
    expect(await values(cropPatches([a, b], requests, { size: 2 }))).toEqual(expected);
    expect(await values(cropPatches(new Map([[1, b]]), [requests[0]!], { size: 2 }))).toEqual([expected[0]]);
    const none = cropPatches([a, b], [], { size: 2 });
    expect(none.shape).toEqual([0, 2, 2, 1]);
    none.dispose();
    expect(() => cropPatches([a], [{ image: 3, rect: requests[0]!.rect }])).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(start);
    a.dispose();
    b.dispose();
  });
});

describe('scaleRect and patchesForHits', () => {
  it('scales rect edges with the image', () => {
    expect(
      scaleRect({ top: 1, left: 2, height: 3, width: 4 }, { height: 10, width: 10 }, { height: 20, width: 5 }),
    ).toEqual({
      top: 2,
      left: 1,
      height: 6,
      width: 2,
    });
  });

  it('cuts each hit’s receptive field, from the network input or a larger original', async () => {
    // One 3×3 same conv: unit (r, c) sees rows r − 1 .. r + 1.
    const rf = receptiveField([{ kernel: 3, stride: 1, padding: 1 }]);
    const input = ramp(6, 6);
    const hits = [
      { value: 1, image: 0, row: 2, col: 3 },
      { value: 0.5, image: 0, row: 0, col: 5 },
    ];
    const [inner, corner] = await values(patchesForHits([input], hits, rf, { size: 3 }));
    expect(inner).toEqual([
      [12, 13, 14],
      [22, 23, 24],
      [32, 33, 34],
    ]);
    expect(corner).toEqual([
      [0.5, 0.5, 0.5],
      [4, 5, 0.5],
      [14, 15, 0.5],
    ]);
    // The same hits cut from a 12×12 original: the 3×3 field becomes 6×6, sampled down to 3×3.
    const original = tf.tidy(() => tf.image.resizeNearestNeighbor(input, [12, 12]));
    const [big] = await values(
      patchesForHits([original], hits.slice(0, 1), rf, { size: 3, inputSize: { height: 6, width: 6 } }),
    );
    expect(big).toEqual(inner);
    tf.dispose([input, original]);
  });
});
