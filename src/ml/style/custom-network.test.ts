import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CustomModelError,
  customNetworkFromModel,
  LayerGraph,
  loadCustomNetwork,
  preprocessImages,
  SMOOTHING_SHARPNESS,
  softmaxSmoothing,
} from './custom-network';
import { receptiveField } from '../nets/geometry';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function save(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return saved!;
}

/** A small convnet with the usual mix: conv+relu, pooling, a linear conv with a separate activation, a strided conv, a head. */
function tinyConvnet(): tf.Sequential {
  return tf.sequential({
    name: 'tiny',
    layers: [
      tf.layers.conv2d({
        name: 'c1',
        inputShape: [12, 12, 3],
        filters: 4,
        kernelSize: 3,
        padding: 'same',
        activation: 'relu',
      }),
      tf.layers.maxPooling2d({ name: 'p1', poolSize: 2 }),
      tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 3 }),
      tf.layers.activation({ name: 'a2', activation: 'relu' }),
      tf.layers.conv2d({ name: 'c3', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'fc', units: 2, activation: 'softmax' }),
    ],
  });
}

/** model.json + one shard as the user would drop them. */
function asFiles(a: tf.io.ModelArtifacts, json: object = {}): File[] {
  const modelJson = {
    format: 'layers-model',
    modelTopology: a.modelTopology,
    weightsManifest: [{ paths: ['./group1-shard1of1.bin'], weights: a.weightSpecs }],
    ...json,
  };
  return [
    new File([JSON.stringify(modelJson)], 'model.json'),
    new File([a.weightData as ArrayBuffer], 'group1-shard1of1.bin'),
  ];
}

describe('preprocessImages and softmaxSmoothing', () => {
  it('maps 0..1 RGB to each input convention', async () => {
    const x = tf.tensor4d([0, 0.5, 1], [1, 1, 1, 3]);
    const read = async (mode: Parameters<typeof preprocessImages>[1]) => {
      const y = preprocessImages(x, mode);
      const v = Array.from(await y.data(), (n) => +n.toFixed(3));
      y.dispose();
      return v;
    };
    expect(await read('unit')).toEqual([0, 0.5, 1]);
    expect(await read('byte')).toEqual([0, 127.5, 255]);
    expect(await read('symmetric')).toEqual([-1, 0, 1]);
    // BGR: blue 255 − 103.939, green 127.5 − 116.779, red 0 − 123.68.
    expect(await read('caffe')).toEqual([151.061, 10.721, -123.68]);
    expect(await read('imagenet')).toEqual([-2.118, 0.196, 2.64]);
    x.dispose();
  });

  it('turns each image’s map into a distribution at a temperature set by its largest value', async () => {
    // max / 4: both maps become softmax([0, 4]) whatever their scale.
    const a = tf.tensor4d([0, 1, 0, 10], [2, 1, 1, 2]);
    const s = softmaxSmoothing(a);
    const low = 1 / (1 + Math.exp(SMOOTHING_SHARPNESS));
    expect(Array.from(await s.data(), (v) => +v.toFixed(5))).toEqual(
      [low, 1 - low, low, 1 - low].map((v) => +v.toFixed(5)),
    );
    tf.dispose([a, s]);
  });

  it('leaves a peaked map spread out rather than one-hot (ResNet-like: most values near 1, one of 40)', async () => {
    const values = Array.from({ length: 4096 }, (_, i) => (i === 7 ? 40 : 1 + ((i * 37) % 100) / 100));
    const a = tf.tensor4d(values, [1, 16, 16, 16]);
    const s = softmaxSmoothing(a);
    const p = Array.from(await s.data());
    // The share of values that carry weight, 1 / (N·Σp²): 1 would be uniform, 1/N one-hot.
    const share = 1 / (p.length * p.reduce((sum, v) => sum + v * v, 0));
    expect(share).toBeGreaterThan(0.3);
    expect(p.reduce((sum, v) => sum + v, 0)).toBeCloseTo(1, 4);
    tf.dispose([a, s]);
  });
});

describe('custom loss network from a layers model', () => {
  it('lists conv, pool and activation layers with geometry, and picks defaults by resolution', async () => {
    const model = tinyConvnet();
    const net = await loadCustomNetwork(tf.io.fromMemory(await save(model)), { preprocessing: 'byte' });
    expect(net.id).toBe('custom');
    expect(net.label).toBe('tiny');
    expect(net.layers.map((l) => [l.name, l.kind, l.channels])).toEqual([
      ['c1', 'conv', 4],
      ['p1', 'pool', 4],
      ['c2', 'conv', 6],
      ['a2', 'activation', 6],
      ['c3', 'conv', 8],
    ]);
    const c3 = net.layers.find((l) => l.name === 'c3')!;
    // 'same' with kernel 3, stride 2 pads 0 before (TF puts the odd pixel after).
    expect(c3.path).toEqual([
      { kernel: 3, stride: 1, padding: 1 },
      { kernel: 2, stride: 2, padding: 0 },
      { kernel: 3, stride: 1, padding: 0 },
      { kernel: 3, stride: 2, padding: 0 },
    ]);
    expect(receptiveField(c3.path).size).toBe(3 + 1 + 2 * 2 + 2 * 2);
    // One style layer per resolution (c2 is linear, so its ReLU a2 stands for stride 2).
    expect(net.defaults).toEqual({ content: 'a2', style: ['c1', 'a2', 'c3'] });
    net.dispose();
    model.dispose();
  });

  it('computes what the model computes, at its own size and at others, with the chosen preprocessing', async () => {
    const model = tinyConvnet();
    const before = tf.memory().numTensors;
    const net = await loadCustomNetwork(tf.io.fromMemory(await save(model)), { preprocessing: 'symmetric' });
    const weights = tf.memory().numTensors;
    const images = tf.randomUniform([2, 12, 12, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const reference = tf.tidy(() =>
      tf.model({ inputs: model.inputs, outputs: model.getLayer('a2').output }).predict(images.mul(2).sub(1)),
    ) as tf.Tensor;
    const [a2, c1] = net.activations(images, ['a2', 'c1']);
    expect(a2!.shape).toEqual([2, 4, 4, 6]);
    expect(c1!.shape).toEqual([2, 12, 12, 4]);
    const diff = tf.tidy(() => a2!.sub(reference).abs().max());
    expect((await diff.data())[0]).toBeLessThan(1e-5);
    tf.dispose([a2!, c1!, reference, diff]);

    const other = tf.ones([1, 20, 16, 3]) as tf.Tensor4D;
    const count = tf.memory().numTensors;
    const [c3] = net.activations(other, ['c3']);
    expect(c3!.shape).toEqual([1, 4, 3, 8]);
    c3!.dispose();
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([images, other]);
    expect(tf.memory().numTensors).toBe(weights);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('follows the deeper branch of a residual block and folds ZeroPadding2D into the next conv', async () => {
    const input = tf.input({ shape: [8, 8, 3], name: 'image' });
    const padded = tf.layers.zeroPadding2d({ name: 'pad', padding: 2 }).apply(input) as tf.SymbolicTensor;
    const branch = tf.layers.conv2d({ name: 'wide', filters: 4, kernelSize: 5, activation: 'relu' }).apply(padded);
    const shortcut = tf.layers.conv2d({ name: 'shortcut', filters: 4, kernelSize: 1 }).apply(input);
    const sum = tf.layers.add({ name: 'sum' }).apply([branch, shortcut] as tf.SymbolicTensor[]);
    const out = tf.layers.reLU({ name: 'out' }).apply(sum) as tf.SymbolicTensor;
    const dw = tf.layers
      .depthwiseConv2d({ name: 'dw', kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })
      .apply(out) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: dw, name: 'residual' });
    const net = customNetworkFromModel(model);
    const info = new Map(net.layers.map((l) => [l.name, l]));
    expect([...info.keys()]).toEqual(['wide', 'shortcut', 'sum', 'out', 'dw']);
    expect(info.get('shortcut')!.path).toEqual([]);
    expect(info.get('sum')!.path).toEqual([{ kernel: 5, stride: 1, padding: 2 }]);
    expect(info.get('out')).toMatchObject({ kind: 'activation', channels: 4 });
    expect(info.get('dw')!.path).toEqual([
      { kernel: 5, stride: 1, padding: 2 },
      { kernel: 3, stride: 2, padding: 0 },
    ]);

    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const [mine] = net.activations(x, ['dw']);
    const theirs = model.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => mine!.sub(theirs).abs().max());
    expect((await diff.data())[0]).toBeLessThan(1e-5);
    tf.dispose([x, mine!, theirs, diff]);
    net.dispose();
    model.dispose();
  });

  it('runs only what the asked layers need', () => {
    const model = tinyConvnet();
    const graph = new LayerGraph(model);
    const x = tf.zeros([1, 12, 12, 3]) as tf.Tensor4D;
    const calls: string[] = [];
    for (const l of model.layers) {
      const apply = l.apply.bind(l);
      l.apply = (...args: Parameters<typeof apply>) => (calls.push(l.name), apply(...args));
    }
    const [p1] = graph.run(x, ['p1']);
    expect(calls).toEqual(['p1']); // c1 runs as a plain conv2d, not through apply
    expect(p1!.shape).toEqual([1, 6, 6, 4]);
    tf.dispose([x, p1!]);
    model.dispose();
  });

  it('loads from dropped files, and says what is wrong with a bad drop', async () => {
    const model = tinyConvnet();
    const artifacts = await save(model);
    const files = asFiles(artifacts);
    const net = await loadCustomNetwork(files, { label: 'mine' });
    expect(net.label).toBe('mine');
    expect(net.layers).toHaveLength(5);
    net.dispose();

    await expect(loadCustomNetwork([files[0]!])).rejects.toThrow(/group1-shard1of1\.bin is missing/);
    await expect(loadCustomNetwork([files[1]!])).rejects.toThrow(/Drop the model\.json/);
    await expect(loadCustomNetwork([new File(['{oops'], 'model.json')])).rejects.toThrow(/not valid JSON/);
    const graphJson = new File([JSON.stringify({ format: 'graph-model', modelTopology: { node: [] } })], 'model.json');
    await expect(loadCustomNetwork([graphJson])).rejects.toThrow(/graph model/);
    const graphHandler: tf.io.IOHandler = {
      load: async () => ({ format: 'graph-model', modelTopology: { node: [] } }),
    };
    await expect(loadCustomNetwork(graphHandler)).rejects.toThrow(CustomModelError);
    model.dispose();
  });

  it('refuses a model without convolutions or one that does not take RGB images, and frees it', async () => {
    const dense = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.dense({ units: 2 })],
    });
    const vector = tf.sequential({ layers: [tf.layers.dense({ inputShape: [8], units: 2 })] });
    const before = tf.memory().numTensors;
    await expect(loadCustomNetwork(tf.io.fromMemory(await save(dense)))).rejects.toThrow(/no convolution layers/);
    await expect(loadCustomNetwork(tf.io.fromMemory(await save(vector)))).rejects.toThrow(/not one RGB image/);
    expect(tf.memory().numTensors).toBe(before);
    dense.dispose();
    vector.dispose();
  });
});
