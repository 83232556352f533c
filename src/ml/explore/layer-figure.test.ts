import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PixelRect } from '../nets/geometry';
import { tinyNetwork } from '../style/tiny-network.testing';
import { createFigureJobs, figureLayers, figurePatchSide } from './layer-figure';
import { describeLayers, type ExploreLayer, type ExploreNetwork } from './networks';
import { buildPool } from './pool';
import type { ExploreImage } from './views';

// Node has no ImageBitmap: a fake stands for each picture and remembers its pixels.
const pixelsOf = new WeakMap<object, tf.Tensor3D>();
function fakeBitmap(width: number, height: number) {
  const b = { width, height, closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap & { closed: boolean };
}
function fakeImage(name: string, height: number, width: number, seed: number): ExploreImage {
  const bitmap = fakeBitmap(width, height);
  pixelsOf.set(bitmap, tf.randomUniform([height, width, 3], 0, 1, 'float32', seed) as tf.Tensor3D);
  return { name, bitmap, descriptor: { name: `test:${name}`, size: height * width } };
}
/** The largest value of each picture encoded, in order. */
const encodedMax: number[] = [];
const deps = {
  readImage: async (bitmap: ImageBitmap, size?: { width: number; height: number }, crop?: PixelRect) =>
    tf.tidy(() => {
      let t = pixelsOf.get(bitmap)!;
      if (crop) t = t.slice([crop.top, crop.left, 0], [crop.height, crop.width, 3]);
      return (size ? tf.image.resizeBilinear(t, [size.height, size.width]) : t.clone()) as tf.Tensor3D;
    }),
  encode: async (picture: tf.Tensor3D | tf.Tensor2D) => {
    const values = await picture.data();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    encodedMax.push(Math.max(...values));
    return fakeBitmap(picture.shape[1], picture.shape[0]);
  },
};

let handle: ExploreNetwork;
let pictures: ExploreImage[];
const layer = (name: string) => handle.layers.find((l) => l.name === name)!;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const net = tinyNetwork(5, [4, 6]);
  handle = { id: 'faceres', label: net.label, layers: describeLayers(net), inputSize: null, net, close: () => {} };
  pictures = [fakeImage('a', 24, 32, 1), fakeImage('b', 20, 20, 2)];
});
afterAll(() => {
  handle.net.dispose();
  pictures.forEach((p) => pixelsOf.get(p.bitmap)?.dispose());
});

const rf = (size: number): ExploreLayer['rf'] => ({ size, jump: 1, start: 0, offset: 0 });
const fakeLayer = (name: string, size: number, differentiable = true): ExploreLayer => ({
  name,
  kind: 'conv',
  channels: 8,
  rf: rf(size),
  differentiable,
});

describe('figureLayers', () => {
  it('spreads five layers whose fields strictly grow, skipping repeats and layers without gradients', () => {
    const layers = [
      fakeLayer('a', 3),
      fakeLayer('b', 3),
      fakeLayer('c', 7),
      fakeLayer('d', 11, false),
      fakeLayer('e', 15),
      fakeLayer('f', 31),
      fakeLayer('g', 63),
      fakeLayer('h', 99),
      fakeLayer('i', 140),
      fakeLayer('j', 200),
    ];
    const picked = figureLayers('faceres', layers);
    expect(picked.map((l) => l.name)).toEqual(['a', 'e', 'g', 'h', 'j']);
    // ResNet-50's stage ends, by name, where the network has them.
    const resnet = ['conv1', 'pool1', 'res2c', 'res3d', 'res4f', 'res5c'].map((n, i) => fakeLayer(n, 7 + 20 * i));
    expect(figureLayers('resnet50', resnet).map((l) => l.name)).toEqual(['conv1', 'res2c', 'res3d', 'res4f', 'res5c']);
  });

  it('draws deeper fields as larger patch bitmaps, within bounds', () => {
    expect(figurePatchSide(3)).toBe(8);
    expect(figurePatchSide(11)).toBe(22);
    expect(figurePatchSide(500)).toBe(112);
  });
});

describe('runLayerFigure', () => {
  it('ranks every layer over the pool in one pass, giving each unit its strongest patches, leaving no tensor', async () => {
    const jobs = createFigureJobs(deps);
    const pool = buildPool(pictures, 5);
    const layers = [layer('conv1'), layer('conv2')];
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await jobs.runLayerFigure(
      { network: handle, layers, images: pool, feedSize: 12 },
      { onProgress: (done) => progress.push(done) },
    );
    expect(tf.memory().numTensors).toBe(before);
    // 10 crops in batches of four.
    expect(progress).toEqual([4, 8, 10]);
    const r = result!;
    expect(r.images).toBe(10);
    expect(r.fedSide).toBe(12);
    expect(r.layers.map((l) => [l.layer, l.rf.size, l.patchSide])).toEqual([
      ['conv1', 3, 8],
      ['conv2', 5, 10],
    ]);
    expect(r.layers[0]!.units.map((u) => u.channel).sort()).toEqual([0, 1, 2, 3]);
    expect(r.layers[1]!.units).toHaveLength(6);
    for (const l of r.layers) {
      for (const u of l.units) {
        expect(u.patches).toHaveLength(9);
        for (const p of u.patches) {
          expect(p.bitmap.width).toBe(l.patchSide);
          expect(pool[p.source!]!.name).toBe(p.imageName);
        }
      }
    }
    // The first patch of a conv2 unit is that channel's largest activation over the whole pool, worked out directly.
    const unit = r.layers[1]!.units[0]!;
    let best = -Infinity;
    for (const image of pool) {
      const x = await deps.readImage(image.bitmap, { width: 12, height: 12 }, image.crop);
      const a = tf.tidy(() => handle.net.activations(x.expandDims(0) as tf.Tensor4D, ['conv2'])[0]!);
      const values = await a.data();
      for (let i = unit.channel; i < values.length; i += 6) best = Math.max(best, values[i]!);
      tf.dispose([x, a]);
    }
    expect(unit.patches[0]!.value).toBeCloseTo(best, 5);

    // A second run over the same pool is served from the cache, with the same units.
    const again = (await jobs.runLayerFigure({ network: handle, layers, images: pool, feedSize: 12 }))!;
    expect(again.fromCache).toBe(true);
    expect(again.layers[1]!.units.map((u) => u.channel)).toEqual(r.layers[1]!.units.map((u) => u.channel));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('stops early when asked, keeping what was seen', async () => {
    const jobs = createFigureJobs(deps);
    const controller = new AbortController();
    const r = await jobs.runLayerFigure(
      { network: handle, layers: [layer('conv2')], images: buildPool(pictures, 14), feedSize: 12 },
      { signal: controller.signal, onProgress: (done) => done >= 8 && controller.abort() },
    );
    expect(r!.partial).toBe(true);
    expect(r!.images).toBe(8);
  });
});

describe('runSaliency', () => {
  it('maps the gradient of one unit over its receptive field, all of it inside the field, leaving no tensor', async () => {
    const jobs = createFigureJobs(deps);
    const before = tf.memory().numTensors;
    const view = await jobs.runSaliency({
      network: handle,
      layer: layer('conv2'),
      // Odd sides: the tiny network's declared padding is TensorFlow's 'same' padding only there.
      image: pictures[1]!,
      channel: 2,
      row: 3,
      col: 4,
      feedSize: 15,
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(view.rf.size).toBe(5);
    // The unit sees only its 5 × 5 field, so every bit of its gradient lies there.
    expect(view.inside).toBeCloseTo(1, 5);
    expect([view.patch.width, view.map.width, view.overlay.width]).toEqual([128, 128, 128]);
    // Its activation, as the network gives it.
    const x = await deps.readImage(pictures[1]!.bitmap, { width: 15, height: 15 });
    const a = tf.tidy(() => handle.net.activations(x.expandDims(0) as tf.Tensor4D, ['conv2'])[0]!);
    const values = await a.data();
    tf.dispose([x, a]);
    const [, , w, c] = a.shape;
    expect(view.value).toBeCloseTo(values[(3 * w + 4) * c + 2]!, 5);
  });

  it('still finds the pixels of a unit that its best patch saturates, where the plain gradient is zero', async () => {
    // One unit: a clipped 3 × 3 sum of the red channel, at its ceiling (6) on a bright patch, like ReLU6.
    const kernel = tf.zeros([3, 3, 3, 1]).add(tf.oneHot([0], 3).reshape([1, 1, 3, 1])) as tf.Tensor4D;
    const net: ExploreNetwork['net'] = {
      id: 'custom',
      label: 'saturating',
      layers: [{ name: 'sat', kind: 'conv', channels: 1, path: [{ kernel: 3, stride: 1, padding: 1 }] }],
      defaults: { content: 'sat', style: ['sat'] },
      activations: (x, names) =>
        names.map(() => tf.tidy(() => tf.conv2d(x, kernel, 1, 'same').clipByValue(0, 6) as tf.Tensor4D)),
      dispose: () => kernel.dispose(),
    };
    const saturating: ExploreNetwork = { ...handle, net, layers: describeLayers(net) };
    const bright = fakeImage('bright', 9, 9, 4);
    const image = { ...bright, bitmap: fakeBitmap(9, 9) };
    pixelsOf.set(image.bitmap, tf.fill([9, 9, 3], 0.9) as tf.Tensor3D);
    const plain = tf.tidy(() =>
      tf.grad((x: tf.Tensor) =>
        net
          .activations(x as tf.Tensor4D, ['sat'])[0]!
          .slice([0, 4, 4, 0], [1, 1, 1, 1])
          .sum(),
      )(tf.fill([1, 9, 9, 3], 0.9)),
    );
    expect(await plain.abs().max().data()).toEqual(new Float32Array([0]));
    plain.dispose();
    encodedMax.length = 0;
    const view = await createFigureJobs(deps).runSaliency({
      network: saturating,
      layer: saturating.layers[0]!,
      image,
      channel: 0,
      row: 4,
      col: 4,
      feedSize: 9,
    });
    expect(view.value).toBeCloseTo(6, 5);
    // The map (second picture) is bright where the unit's field is.
    expect(encodedMax[1]).toBeGreaterThan(0.9);
    expect(view.inside).toBeCloseTo(1, 5);
    net.dispose();
    [bright, image].forEach((i) => pixelsOf.get(i.bitmap)?.dispose());
  });

  it('turns a missing gradient kernel on wasm into what to do', async () => {
    const jobs = createFigureJobs({ ...deps, backend: () => 'wasm' });
    const failing = {
      ...handle,
      net: {
        ...handle.net,
        activations: () => {
          throw new Error("Kernel 'DepthwiseConv2dNativeBackpropInput' not registered for backend 'wasm'");
        },
      },
    };
    const request = {
      network: failing,
      layer: layer('conv2'),
      image: pictures[1]!,
      channel: 0,
      row: 0,
      col: 0,
      feedSize: 15,
    };
    await expect(jobs.runSaliency(request)).rejects.toThrow(/wasm backend does not have.*Settings → Compute backend/);
  });

  it('says so when gradients cannot reach the layer', async () => {
    const jobs = createFigureJobs(deps);
    await expect(
      jobs.runSaliency({
        network: handle,
        layer: { ...layer('conv2'), differentiable: false },
        image: pictures[0]!,
        channel: 0,
        row: 0,
        col: 0,
        feedSize: 16,
      }),
    ).rejects.toThrow(/no gradient .* conv2/);
  });
});
