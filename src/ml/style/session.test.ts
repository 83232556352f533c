import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvNetwork } from '../nets/network';
import type { LossNetworkId } from './networks';
import type { LoadLossNetworkOptions } from './networks';
import { createStyleSession, type CostRow } from './session';
import { tinyNetwork } from './tiny-network.testing';
import { DEFAULT_STYLE_SETTINGS } from './transfer';

// The session on cpu with a tiny network; pictures are tensors in, fake bitmaps out, so nothing
// here needs a DOM. What is checked: what it loads when, what it returns, and that it frees its tensors.

interface FakeBitmap {
  width: number;
  height: number;
  closed: boolean;
  close(): void;
}

const fakeBitmap = async (image: tf.Tensor3D): Promise<ImageBitmap> => {
  const b = { width: image.shape[1], height: image.shape[0], closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap;
};

function setup(backend = 'cpu', depthwise = false) {
  const loads: { id: LossNetworkId; options: LoadLossNetworkOptions }[] = [];
  const networks: ConvNetwork[] = [];
  const previews: ImageBitmap[] = [];
  const session = createStyleSession<tf.Tensor3D>({
    async loadNetwork(id, options) {
      loads.push({ id, options });
      const net = tinyNetwork(loads.length);
      let disposed = false;
      const tracked = {
        ...net,
        depthwise,
        dispose: () => ((disposed = true), net.dispose()),
        isDisposed: () => disposed,
      };
      networks.push(tracked);
      return tracked;
    },
    networkOptions: async () => ({ baseUrl: '/base/' }),
    backend: () => backend,
    readImage: (image) => image.clone(),
    toBitmap: fakeBitmap,
    toPng: async () => new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
  });
  return { session, loads, networks, previews };
}

const request = { id: 'vgg19-random' as const, seed: 1, smoothing: null, preprocessing: 'caffe' as const };
const settings = { ...DEFAULT_STYLE_SETTINGS, size: 16, iterations: 3, optimiser: 'adam' as const, previewEvery: 1 };

let content: tf.Tensor3D;
let style: tf.Tensor3D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  content = tf.randomUniform([20, 16, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
  style = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
});

describe('createStyleSession', () => {
  it('loads a network once per set of options and frees the one it replaces', async () => {
    const { session, loads, networks } = setup();
    const info = await session.loadNetwork(request);
    expect(info.layers.map((l) => l.name)).toEqual(['conv1', 'conv2']);
    expect(info.defaults).toEqual({ content: 'conv2', style: ['conv1', 'conv2'] });
    await session.loadNetwork(request);
    expect(loads).toHaveLength(1);
    expect(loads[0]!.options.baseUrl).toBe('/base/');
    await session.loadNetwork({ ...request, seed: 2 });
    expect(loads).toHaveLength(2);
    expect(loads[1]!.options.seed).toBe(2);
    expect((networks[0] as unknown as { isDisposed(): boolean }).isDisposed()).toBe(true);
    session.close();
    await new Promise((r) => setTimeout(r, 0));
    expect((networks[1] as unknown as { isDisposed(): boolean }).isDisposed()).toBe(true);
  });

  it('runs a transfer to plain data and leaves no tensor behind', async () => {
    const { session } = setup();
    await session.loadNetwork(request);
    const before = tf.memory().numTensors;
    const rows: CostRow[] = [];
    const previews: ImageBitmap[] = [];
    const outcome = await session.run(
      { content, styles: [{ image: style, weight: 1 }], settings },
      { onIteration: (row) => rows.push(row), onPreview: (b) => previews.push(b) },
    );
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
    // J, its three terms, ms, then one β·λ·J_style per style layer.
    expect(rows[0]).toHaveLength(6 + 2);
    expect(rows.every((r) => r.every(Number.isFinite))).toBe(true);
    expect(outcome).toMatchObject({ width: 13, height: 16, iterations: 3, stopped: false });
    expect(outcome.png.type).toBe('image/png');
    expect(outcome.bitmap.width).toBe(13);
    expect(previews.length).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    // A second run on the same network does not grow the count either.
    await session.run({ content, styles: [{ image: style, weight: 1 }], settings });
    expect(tf.memory().numTensors).toBe(before);
    session.close();
  });

  it('pauses, resumes and stops with the result so far', async () => {
    const { session } = setup();
    await session.loadNetwork(request);
    const before = tf.memory().numTensors;
    let seen = 0;
    const outcome = session.run(
      { content, styles: [{ image: style, weight: 1 }], settings: { ...settings, iterations: 50 } },
      {
        onIteration: (row) => {
          seen = row[0]!;
          if (seen === 2) {
            session.pause();
            setTimeout(() => {
              expect(seen).toBe(2);
              session.resume();
            }, 30);
          }
          if (seen === 4) session.stop();
        },
      },
    );
    const done = await outcome;
    expect(done.stopped).toBe(true);
    expect(done.iterations).toBe(4);
    (done.bitmap as unknown as FakeBitmap).close();
    expect(tf.memory().numTensors).toBe(before);
    session.close();
  });

  it('refuses to run on wasm through depthwise convolutions, without a network or without a weighted style', async () => {
    // Plain convolutions (VGG, ResNet-50) have their gradients on wasm; depthwise ones do not.
    const plain = setup('wasm').session;
    await plain.loadNetwork(request);
    expect(plain.runProblem()).toBeNull();
    plain.close();
    const wasm = setup('wasm', true).session;
    await wasm.loadNetwork(request);
    expect(wasm.runProblem()).toMatch(/depthwise convolutions, which the wasm backend does not have/);
    await expect(wasm.run({ content, styles: [{ image: style, weight: 1 }], settings })).rejects.toThrow(/Settings/);
    wasm.close();
    const { session } = setup();
    expect(session.runProblem()).toBeNull();
    await expect(session.run({ content, styles: [{ image: style, weight: 1 }], settings })).rejects.toThrow(
      /loss network/,
    );
    await session.loadNetwork(request);
    await expect(session.run({ content, styles: [{ image: style, weight: 0 }], settings })).rejects.toThrow(
      /weight above zero/,
    );
    session.close();
    expect(() => session.loadNetwork(request)).toThrow(/closed/);
  });
});
