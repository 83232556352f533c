import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestModel } from '../../test/fixtures';
import {
  FACE_GRAPH_NETWORKS,
  graphModelNetwork,
  representativeLayers,
  type GraphLayerInfo,
  type GraphNetwork,
} from './graph-network';
import { receptiveField, unitToInputRect } from '../nets/geometry';

const models = new Map<string, tf.GraphModel>();
const networks = new Map<string, GraphNetwork>();

beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const id of ['faceres', 'blazeface'] as const) {
    const model = await loadTestModel(id);
    models.set(id, model);
    networks.set(id, graphModelNetwork(model, FACE_GRAPH_NETWORKS[id]));
  }
});

afterAll(() => {
  for (const net of networks.values()) net.dispose();
  for (const model of models.values()) model.dispose();
});

const net = (id: string) => networks.get(id)!;
const layer = (id: string, name: string) => net(id).availableLayers.find((l) => l.name === name)!;

/** Rows (or columns) of the smallest box holding every non-zero of a [1, H, W, 3] gradient. */
async function support(grad: tf.Tensor4D): Promise<{ rows: [number, number]; cols: [number, number] } | null> {
  const [, h, w] = grad.shape;
  const massTensor = tf.tidy(() => grad.abs().sum([0, 3]) as tf.Tensor2D);
  const mass = await massTensor.array();
  massTensor.dispose();
  let rows: [number, number] | null = null;
  let cols: [number, number] | null = null;
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      if ((mass[r]?.[c] ?? 0) === 0) continue;
      rows = rows ? [Math.min(rows[0], r), Math.max(rows[1], r)] : [r, r];
      cols = cols ? [Math.min(cols[0], c), Math.max(cols[1], c)] : [c, c];
    }
  }
  return rows && cols ? { rows, cols } : null;
}

/** Gradient of the sum over channels of one unit's activation, against the 0..1 image. */
function unitGradient(network: GraphNetwork, name: string, image: tf.Tensor4D, row: number, col: number): tf.Tensor4D {
  return tf.tidy(
    () =>
      tf.grad((x) => {
        const [a] = network.activations(x as tf.Tensor4D, [name]);
        return a!.slice([0, row, col, 0], [1, 1, 1, -1]).sum();
      })(image) as tf.Tensor4D,
  );
}

describe.each(['faceres', 'blazeface'])('%s as a graph network', (id) => {
  it('lists units shallow to deep with channels, sizes and a growing receptive field', () => {
    const n = net(id);
    expect(n.availableLayers.length).toBeGreaterThan(20);
    expect(n.layers.length).toBeGreaterThanOrEqual(8);
    expect(n.layers.length).toBeLessThanOrEqual(20);
    expect(new Set(n.availableLayers.map((l) => l.name)).size).toBe(n.availableLayers.length);
    for (const l of n.layers) expect(n.availableLayers).toContain(l);
    expect(n.layers.some((l) => l.head)).toBe(false);
    // Both are MobileNet-style: wasm has no gradient through them (runtime/gradients.ts asks this).
    expect(n.depthwise).toBe(true);

    // Along the offered layers the field never shrinks and the grid never gets finer.
    const fields = n.layers.map((l) => receptiveField(l.path));
    for (let i = 1; i < fields.length; i++) {
      expect(fields[i]!.size).toBeGreaterThanOrEqual(fields[i - 1]!.size);
      expect(fields[i]!.jump).toBeGreaterThanOrEqual(fields[i - 1]!.jump);
    }
    const last = fields.at(-1)!;
    expect(last.size).toBeGreaterThan(n.inputSize); // the deepest units see the whole face
    expect(last.jump * n.layers.at(-1)!.size).toBeGreaterThanOrEqual(n.inputSize);
    expect(n.differentiable).toBe(true);
    expect(n.layers.map((l) => l.name)).toContain(n.defaults.content);
    for (const s of n.defaults.style) expect(n.layers.map((l) => l.name)).toContain(s);
  });

  it('gives every offered layer as [1, size, size, channels] and leaks nothing', () => {
    const n = net(id);
    const image = tf.randomUniform([1, n.inputSize, n.inputSize, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
    const start = tf.memory().numTensors;
    const acts = n.activations(
      image,
      n.layers.map((l) => l.name),
    );
    expect(acts.map((a) => a.shape)).toEqual(n.layers.map((l) => [1, l.size, l.size, l.channels]));
    tf.dispose(acts);
    expect(tf.memory().numTensors).toBe(start);
    image.dispose();
  });

  it('refuses a name that is not one of its layers', () => {
    const x = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => net(id).activations(x, ['no-such-layer'])).toThrow(/not a layer/);
    x.dispose();
  });
});

describe('batches', () => {
  it('resizes, runs BlazeFace (whose graph takes one image) image by image, and copies repeated layers', async () => {
    const n = net('blazeface');
    const images = tf.randomUniform([2, 64, 80, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    const start = tf.memory().numTensors;
    const [a, again] = n.activations(images, ['conv2d', 'conv2d']);
    const firstImage = images.slice(0, 1);
    const [first] = n.activations(firstImage, ['conv2d']);
    expect(a!.shape).toEqual([2, 128, 128, 24]);
    expect(again).not.toBe(a);
    const [sameTwice, firstAlone, imagesDiffer] = tf.tidy(() => {
      const [x, y] = tf.split(a!, 2);
      return [a!.sub(again!).abs().max(), x!.sub(first!).abs().max(), x!.sub(y!).abs().max()];
    });
    expect((await sameTwice!.data())[0]).toBe(0);
    expect((await firstAlone!.data())[0]).toBe(0);
    expect((await imagesDiffer!.data())[0]).toBeGreaterThan(0);
    tf.dispose([a!, again!, first!, sameTwice!, firstAlone!, imagesDiffer!, firstImage]);
    expect(tf.memory().numTensors).toBe(start);
    images.dispose();
  });
});

describe('geometry checked against gradients', () => {
  // A unit's gradient with respect to the image is zero outside its receptive field, and its
  // field's edges are reached through some path unless every unit on it is dead or saturated.
  it.each([
    // BlazeFace's first conv: 5×5, stride 2, 'SAME' at 256 puts 1 pixel of padding before.
    ['blazeface', 'conv2d', 10, 11],
    // FaceRes conv_dw_1: 3×3 s2 on 224 ('SAME' pads 0 before, 1 after), then 3×3 s1.
    ['faceres', 'conv_dw_1', 7, 6],
  ] as const)('%s %s: the gradient of unit (%i, %i) fills exactly its field', async (id, name, row, col) => {
    const n = net(id);
    const info: GraphLayerInfo = layer(id, name);
    expect(info.differentiable).toBe(true);
    const image = tf.randomUniform([1, n.inputSize, n.inputSize, 3], 0.3, 0.7, 'float32', 5) as tf.Tensor4D;
    const start = tf.memory().numTensors;
    const grad = unitGradient(n, name, image, row, col);
    const box = await support(grad);
    grad.dispose();
    expect(tf.memory().numTensors).toBe(start);
    image.dispose();
    const { clipped } = unitToInputRect(receptiveField(info.path), row, col, n.inputSize, n.inputSize);
    expect(box).toEqual({
      rows: [clipped.top, clipped.top + clipped.height - 1],
      cols: [clipped.left, clipped.left + clipped.width - 1],
    });
  });
});

describe('layer choice', () => {
  it('spells out the first layers of FaceRes and BlazeFace', () => {
    const conv1 = layer('faceres', 'conv1');
    expect(conv1).toMatchObject({
      kind: 'conv',
      channels: 32,
      size: 112,
      path: [{ kernel: 3, stride: 2, padding: 0 }],
    });
    expect(layer('faceres', 'conv_pw_13')).toMatchObject({ channels: 1024, size: 7 });
    expect(layer('blazeface', 'conv2d')).toMatchObject({
      channels: 24,
      size: 128,
      path: [{ kernel: 5, stride: 2, padding: 1 }],
    });
    // A pooled shortcut whose channels are zero-padded: the sum follows the conv branch.
    const sum = layer('blazeface', 'add_15');
    expect(sum).toMatchObject({ kind: 'add', channels: 48, size: 32 });
    expect(receptiveField(sum.path).size).toBe(receptiveField(layer('blazeface', 'conv2d_16').path).size);
  });

  it('offers every unit on request, and about as many as asked otherwise', () => {
    const all = net('faceres').availableLayers;
    expect(representativeLayers(all, 6).length).toBeLessThanOrEqual(8);
    const many = representativeLayers(all, 100);
    expect(many.length).toBeGreaterThan(net('faceres').layers.length);
    expect(many.length).toBeLessThan(all.length); // still no depthwise convs where full ones exist
    const everything = graphModelNetwork(models.get('faceres')!, { ...FACE_GRAPH_NETWORKS.faceres, layers: 'all' });
    expect(everything.layers).toHaveLength(all.length);
    everything.dispose();
  });

  it('refuses an input size the model does not take', () => {
    expect(() => graphModelNetwork(models.get('faceres')!, { ...FACE_GRAPH_NETWORKS.faceres, inputSize: 160 })).toThrow(
      /224×224/,
    );
  });
});
