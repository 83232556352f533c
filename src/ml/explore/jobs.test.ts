import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunControl } from '../runtime/run-control';
import { tinyNetwork } from '../style/tiny-network.testing';
import { createExploreJobs } from './jobs';
import {
  fedSize,
  liveUnitAt,
  type ExploreImage,
  type FeatureVisRow,
  type FeatureVisSettings,
  type LiveView,
} from './views';
import { describeLayers, type ExploreNetwork } from './networks';

// Node has no ImageBitmap: a fake one stands for each picture, remembering the pixels it was made
// from (encode) or the tensor it stands for (readImage).
interface FakeBitmap {
  width: number;
  height: number;
  closed: boolean;
  close(): void;
}

const pixelsOf = new WeakMap<object, tf.Tensor3D>();

function fakeBitmap(width: number, height: number): ImageBitmap & FakeBitmap {
  const b: FakeBitmap = {
    width,
    height,
    closed: false,
    close() {
      b.closed = true;
    },
  };
  return b as ImageBitmap & FakeBitmap;
}

function fakeImage(name: string, height: number, width: number, seed: number): ExploreImage {
  const bitmap = fakeBitmap(width, height);
  pixelsOf.set(bitmap, tf.randomUniform([height, width, 3], 0, 1, 'float32', seed) as tf.Tensor3D);
  return { name, bitmap, descriptor: { name: `test:${name}`, size: height * width } };
}

const options = {
  readImage: async (bitmap: ImageBitmap, size?: { width: number; height: number }) => {
    const t = pixelsOf.get(bitmap)!;
    return tf.tidy(() => (size ? tf.image.resizeBilinear(t, [size.height, size.width]) : t.clone()) as tf.Tensor3D);
  },
  encode: async (picture: tf.Tensor3D | tf.Tensor2D) => {
    const [height, width] = picture.shape;
    const values = await picture.data();
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThanOrEqual(1);
    return fakeBitmap(width, height);
  },
  backend: () => 'cpu',
};

let handle: ExploreNetwork;
let images: ExploreImage[];

beforeAll(async () => {
  await tf.setBackend('cpu');
  const net = tinyNetwork(3, [4, 6]);
  handle = { id: 'vgg19-random', label: net.label, layers: describeLayers(net), inputSize: null, net, close: () => {} };
  images = [fakeImage('a', 20, 16, 1), fakeImage('b', 12, 24, 2), fakeImage('c', 16, 16, 3)];
});

afterAll(() => {
  handle.net.dispose();
  images.forEach((i) => pixelsOf.get(i.bitmap)?.dispose());
});

const layer = (name: string) => handle.layers.find((l) => l.name === name)!;

describe('runTopPatches', () => {
  it('ranks channels by mean activation and gives each its strongest patches, leaving no tensor', async () => {
    const jobs = createExploreJobs(options);
    const conv2 = layer('conv2');
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    const result = await jobs.runTopPatches(
      { network: handle, layer: conv2, images, channels: null, feedSize: 16 },
      { onProgress: (done) => progress.push(done) },
    );
    expect(tf.memory().numTensors).toBe(before);
    expect(progress).toEqual([1, 2, 3]);
    expect(result).not.toBeNull();
    const r = result!;
    expect(r.fromCache).toBe(false);
    expect(r.partial).toBe(false);
    expect(r.images).toBe(3);
    expect(r.rf.size).toBe(5);
    expect(r.patchSide).toBe(5);
    expect(r.fedSide).toBe(16);
    // Six channels, fewer than UNITS_SHOWN: all of them, highest mean first.
    expect(r.units.map((u) => u.channel).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const means = r.units.map((u) => u.mean);
    expect([...means].sort((a, b) => b - a)).toEqual(means);

    // The first patch of each unit is the channel's largest activation over the set, worked out directly.
    for (const unit of r.units) {
      let best = -Infinity;
      for (const image of images) {
        const size = fedSize(image.bitmap.width, image.bitmap.height, null, 16);
        const x = await options.readImage(image.bitmap, size);
        const a = tf.tidy(() => handle.net.activations(x.expandDims(0) as tf.Tensor4D, ['conv2'])[0]!);
        const values = await a.data();
        for (let i = unit.channel; i < values.length; i += 6) best = Math.max(best, values[i]!);
        tf.dispose([x, a]);
      }
      expect(unit.patches[0]!.value).toBeCloseTo(best, 5);
      expect(unit.patches[0]!.bitmap.width).toBe(5);
      expect(unit.patches.length).toBeGreaterThan(0);
      expect(unit.patches.length).toBeLessThanOrEqual(9);
    }

    const again = await jobs.runTopPatches({ network: handle, layer: conv2, images, channels: [2, 0], feedSize: 16 });
    expect(again!.fromCache).toBe(true);
    expect(again!.units.map((u) => u.channel)).toEqual([2, 0]);
    expect(tf.memory().numTensors).toBe(before);
    jobs.close();
  });

  it('stops between images and reports what it saw; nothing when stopped before the first', async () => {
    const jobs = createExploreJobs(options);
    const controller = new AbortController();
    const result = await jobs.runTopPatches(
      { network: handle, layer: layer('conv1'), images, channels: null, feedSize: 16 },
      { signal: controller.signal, onProgress: (done) => done === 1 && controller.abort() },
    );
    expect(result!.partial).toBe(true);
    expect(result!.images).toBe(1);
    const none = await jobs.runTopPatches(
      { network: handle, layer: layer('conv1'), images, channels: null, feedSize: 16 },
      { signal: controller.signal },
    );
    expect(none).toBeNull();
  });
});

const vis: FeatureVisSettings = {
  channel: 1,
  target: 'channel',
  iterations: 8,
  size: 16,
  tvWeight: 0.1,
  learningRate: 0.05,
  jitter: 0,
  seed: 1,
};

describe('feature visualisation', () => {
  it('says why it cannot run: depthwise on wasm, no gradient, a channel the layer lacks', () => {
    const wasm = createExploreJobs({ ...options, backend: () => 'wasm' });
    // A network of plain convolutions has its gradients on wasm; one with depthwise convolutions does not.
    expect(wasm.featureVisProblem({ network: handle, layer: layer('conv1'), settings: vis })).toBeNull();
    const depthwise = { ...handle, net: { ...handle.net, depthwise: true } };
    expect(wasm.featureVisProblem({ network: depthwise, layer: layer('conv1'), settings: vis })).toMatch(
      /wasm backend/,
    );
    const jobs = createExploreJobs(options);
    const frozen = { ...layer('conv2'), differentiable: false };
    expect(jobs.featureVisProblem({ network: handle, layer: frozen, settings: vis })).toMatch(/no gradient/);
    expect(
      jobs.featureVisProblem({ network: handle, layer: layer('conv1'), settings: { ...vis, channel: 4 } }),
    ).toMatch(/channels 0 to 3/);
    expect(jobs.featureVisProblem({ network: handle, layer: layer('conv1'), settings: vis })).toBeNull();
  });

  it('raises the channel’s activation, one row per iteration, and frees its tensors', async () => {
    const jobs = createExploreJobs(options);
    const before = tf.memory().numTensors;
    const rows: FeatureVisRow[] = [];
    const previews: ImageBitmap[] = [];
    const result = await jobs.runFeatureVis(
      { network: handle, layer: layer('conv2'), settings: vis },
      { control: new RunControl(), onIteration: (r) => rows.push(r), onPreview: (b) => previews.push(b) },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(tf.memory().numTensors).toBe(before);
    expect(result.stoppedBy).toBe('done');
    expect(result.bitmap.width).toBe(16);
    expect(rows).toHaveLength(8);
    expect(rows[7]![1]).toBeGreaterThan(rows[0]![1]);
  });

  it('ends early when stopped', async () => {
    const jobs = createExploreJobs(options);
    const control = new RunControl();
    const rows: number[][] = [];
    const result = await jobs.runFeatureVis(
      { network: handle, layer: layer('conv1'), settings: { ...vis, iterations: 50 } },
      { control, onIteration: (r) => (rows.push(r), r[0] === 2 && control.stop()) },
    );
    expect(result.stoppedBy).toBe('stopped');
    expect(rows.length).toBeLessThan(50);
  });
});

describe('activation pictures', () => {
  it('tiles the chosen channels of one image into one picture', async () => {
    const jobs = createExploreJobs(options);
    const before = tf.memory().numTensors;
    const view = await jobs.runActivationPicture(
      { network: handle, layer: layer('conv1'), channels: [0, 1, 2, 3], feedSize: 16 },
      images[0]!.bitmap,
    );
    expect(tf.memory().numTensors).toBe(before);
    // 20×16 fed at 16 on the long side: 16×13 maps, two by two with a 1-px gap.
    expect(view.layout).toMatchObject({ rows: 2, columns: 2, tileHeight: 16, tileWidth: 13 });
    expect([view.bitmap.height, view.bitmap.width]).toEqual([33, 27]);
    expect(liveUnitAt(view, 17, 14)).toEqual({ channel: 3, row: 0, col: 0 });
    expect(liveUnitAt(view, 16, 0)).toBeNull();
  });

  it('runs a camera loop until stopped, each frame freed', async () => {
    const frame = pixelsOf.get(images[2]!.bitmap)!;
    const jobs = createExploreJobs({ ...options, grabFrame: () => frame.clone(), liveIntervalMs: 5 });
    const before = tf.memory().numTensors;
    const views: LiveView[] = [];
    const request = { network: handle, layer: layer('conv2'), channels: [0, 1], feedSize: 16 };
    const error = vi.fn();
    const loop = jobs.startCameraActivations({} as HTMLVideoElement, () => request, {
      view: (v) => views.push(v),
      error,
    });
    await vi.waitFor(() => expect(views.length).toBeGreaterThanOrEqual(3));
    loop.stop();
    const seen = views.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(views.length).toBeLessThanOrEqual(seen + 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(error).not.toHaveBeenCalled();
  });

  it('stops the loop and reports a frame that fails', async () => {
    const jobs = createExploreJobs({
      ...options,
      grabFrame: () => {
        throw new Error('The camera has not delivered a frame yet.');
      },
      liveIntervalMs: 5,
    });
    const error = vi.fn();
    const request = { network: handle, layer: layer('conv1'), channels: [0], feedSize: 16 };
    jobs.startCameraActivations({} as HTMLVideoElement, () => request, { view: () => {}, error });
    await vi.waitFor(() => expect(error).toHaveBeenCalledWith('The camera has not delivered a frame yet.'));
    await new Promise((r) => setTimeout(r, 30));
    expect(error).toHaveBeenCalledTimes(1);
  });
});
