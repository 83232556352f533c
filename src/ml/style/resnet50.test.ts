import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModels } from '../../../scripts/prepare-assets.mjs';
import { loadTestImage } from '../../test/fixtures';
import { loadLayersModel, type ModelManifest } from '../runtime/models';
import { LayerGraph, preprocessImages, type InputPreprocessing } from './custom-network';
import { receptiveField } from '../nets/geometry';
import type { ConvNetwork } from '../nets/network';
import { createResNet50Network, loadResNet50Network, RESNET50_DEFAULTS } from './resnet50';

// Loading 100 MB of weights on the cpu backend takes seconds: load once, share across tests.
let dir: string;
let manifest: ModelManifest;
let net: ConvNetwork;
let model: tf.LayersModel;
let wineGlass: tf.Tensor4D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'facet-resnet-'));
  manifest = (await prepareModels(dir)) as ModelManifest;
  const entry = manifest.models.find((m) => m.id === 'resnet50')!;
  model = await loadLayersModel(entry, '/', undefined, async (url) => {
    return new Response(new Uint8Array(await readFile(join(dir, url.slice('/models/'.length)))));
  });
  net = createResNet50Network(model, { smoothing: false });
  // A glass of red wine in the hand of a guest in one of the sample party photos.
  const photo = await loadTestImage('node_modules/@vladmandic/face-api/demo/sample1.jpg');
  wineGlass = tf.tidy(() =>
    tf.image.resizeBilinear(photo.slice([1000, 220, 0], [280, 280, 3]).expandDims(0) as tf.Tensor4D, [96, 96], true),
  );
  photo.dispose();
}, 60_000);

afterAll(async () => {
  net?.dispose();
  model?.dispose();
  wineGlass?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function top1(images: tf.Tensor4D, mode: InputPreprocessing): Promise<{ index: number; p: number }> {
  const probs = tf.tidy(() => new LayerGraph(model).run(preprocessImages(images, mode), ['fc1000'])[0]!);
  const p = Array.from(await probs.data());
  probs.dispose();
  const index = p.indexOf(Math.max(...p));
  return { index, p: p[index]! };
}

describe('ResNet-50 loss network', () => {
  it('classifies a photo of a glass of red wine as "red wine" (ImageNet class 966) with Keras caffe input', async () => {
    const caffe = await top1(wineGlass, 'caffe');
    expect(caffe.index).toBe(966);
    expect(caffe.p).toBeGreaterThan(0.9);
    // With red and blue swapped it sees a goblet (572): the BGR order is what makes it work.
    const swapped = tf.reverse(wineGlass, -1) as tf.Tensor4D;
    expect((await top1(swapped, 'caffe')).index).not.toBe(966);
    swapped.dispose();
  });

  it('lists conv1, pool1 and the 16 bottleneck blocks with channels and receptive fields', () => {
    expect(net.layers.map((l) => l.name)).toEqual([
      'conv1',
      'pool1',
      ...['a', 'b', 'c'].map((b) => `res2${b}`),
      ...['a', 'b', 'c', 'd'].map((b) => `res3${b}`),
      ...['a', 'b', 'c', 'd', 'e', 'f'].map((b) => `res4${b}`),
      ...['a', 'b', 'c'].map((b) => `res5${b}`),
    ]);
    const byName = new Map(net.layers.map((l) => [l.name, l]));
    expect(byName.get('conv1')).toMatchObject({ channels: 64, path: [{ kernel: 7, stride: 2, padding: 3 }] });
    expect(byName.get('pool1')!.path).toEqual([
      { kernel: 7, stride: 2, padding: 3 },
      { kernel: 3, stride: 2, padding: 1 },
    ]);
    // Worked by hand: 7, +2·2 for pool1, then +2·jump for each block's 3×3 conv.
    const rf = (name: string) => receptiveField(byName.get(name)!.path).size;
    expect([rf('conv1'), rf('pool1'), rf('res2a'), rf('res2c'), rf('res3a'), rf('res4f'), rf('res5c')]).toEqual([
      7, 11, 19, 35, 51, 291, 483,
    ]);
    expect(['res2c', 'res3d', 'res4f', 'res5c'].map((n) => byName.get(n)!.channels)).toEqual([256, 512, 1024, 2048]);
    expect(net.defaults).toEqual({ content: RESNET50_DEFAULTS.content, style: [...RESNET50_DEFAULTS.style] });
  });

  it('takes sizes other than 224, returns the default layers in the order asked, and leaks nothing', async () => {
    const images = tf.randomUniform([1, 64, 48, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const asked = ['res5c', ...RESNET50_DEFAULTS.style, 'conv1'];
    const acts = net.activations(images, asked);
    expect(acts.map((a) => a.shape)).toEqual([
      [1, 2, 2, 2048],
      [1, 32, 24, 64],
      [1, 16, 12, 256],
      [1, 8, 6, 512],
      [1, 4, 3, 1024],
      [1, 2, 2, 2048],
      [1, 32, 24, 64],
    ]);
    expect(Array.from(await acts[0]!.data())).toEqual(Array.from(await acts[5]!.data()));
    expect(acts[0]).not.toBe(acts[5]);
    tf.dispose(acts);
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });

  it('smooths each image’s activation map into a distribution, and gradients flow through it', async () => {
    const smoothed = createResNet50Network(model, { smoothing: true });
    const images = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const [raw] = net.activations(images, ['res2c']);
    const [soft] = smoothed.activations(images, ['res2c']);
    const [sums, min, rawMax, softMax] = tf.tidy((): tf.Tensor[] => [
      soft!.sum([1, 2, 3]),
      soft!.min(),
      raw!.reshape([2, -1]).argMax(1),
      soft!.reshape([2, -1]).argMax(1),
    ]);
    expect(Array.from(await sums!.data(), (s) => s.toFixed(4))).toEqual(['1.0000', '1.0000']);
    expect((await min!.data())[0]).toBeGreaterThan(0);
    // Softmax keeps the order of activations: the largest raw unit is the largest smoothed one.
    expect(Array.from(await softMax!.data())).toEqual(Array.from(await rawMax!.data()));
    tf.dispose([raw!, soft!, sums!, min!, rawMax!, softMax!]);

    const grad = tf.grad((x: tf.Tensor) =>
      smoothed
        .activations(x as tf.Tensor4D, ['res3a'])[0]!
        .square()
        .sum(),
    )(images);
    const gMax = tf.tidy(() => grad.abs().max());
    const g = await gMax.data();
    gMax.dispose();
    expect(Number.isFinite(g[0])).toBe(true);
    expect(g[0]).toBeGreaterThan(0);
    grad.dispose();
    expect(tf.memory().numTensors).toBe(before);
    smoothed.dispose();
    images.dispose();
  });

  it('says so when the manifest has no ResNet-50, and leaves a model it does not own alone', async () => {
    const without = { ...manifest, models: manifest.models.filter((m) => m.id !== 'resnet50') };
    await expect(loadResNet50Network({ baseUrl: '/', manifest: without })).rejects.toThrow(/not shipped/);
    const other = createResNet50Network(model);
    other.dispose();
    const [a] = net.activations(wineGlass, ['conv1']);
    expect(a!.shape).toEqual([1, 48, 48, 64]);
    a!.dispose();
  });

  it('refuses unknown layers and images that are not RGB', () => {
    const x = tf.zeros([1, 8, 8, 1]) as tf.Tensor4D;
    expect(() => net.activations(x, ['conv1'])).toThrow(/RGB images \[N, H, W, 3\]/);
    x.dispose();
    const y = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
    expect(() => net.activations(y, ['fc1000'])).toThrow(/"fc1000" is not a layer of ResNet-50/);
    y.dispose();
  });
});
