import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStyleSession, type CostRow, type StyleRunRequest, type StyleSession } from './session';
import { tinyNetwork } from './tiny-network.testing';
import { DEFAULT_STYLE_SETTINGS } from './transfer';
import { createStyleWorkerClient, type WorkerConnection } from './worker-client';
import { serveStyleSession } from './worker-host';
import { asFromWorker, asToWorker, transferOf, type StylePort } from './worker-protocol';

// The page's client and the worker's host joined by a fake port (messages delivered on a later
// task, as a real worker's are), with the real session on cpu behind the host and a tiny network.

type Listener = (event: { data: unknown }) => void;

function portPair(): [StylePort, StylePort, { sent: string[] }] {
  const listeners: [Listener[], Listener[]] = [[], []];
  const log = { sent: [] as string[] };
  const end = (mine: 0 | 1): StylePort => ({
    postMessage(data) {
      log.sent.push((data as { type: string }).type);
      setTimeout(() => listeners[1 - mine]!.forEach((l) => l({ data })), 0);
    },
    addEventListener: (_type, l) => void listeners[mine].push(l),
  });
  return [end(0), end(1), log];
}

const fakeBitmap = async (image: tf.Tensor3D): Promise<ImageBitmap> => {
  const b = { width: image.shape[1], height: image.shape[0], close: () => undefined };
  return b as unknown as ImageBitmap;
};

/** Every tiny network loaded, and whether it has been freed. */
const loaded: { disposed: boolean }[] = [];

function tinySession(): StyleSession {
  const session = createStyleSession<tf.Tensor3D>({
    async loadNetwork() {
      const net = tinyNetwork(1);
      const record = { disposed: false };
      loaded.push(record);
      return { ...net, dispose: () => ((record.disposed = true), net.dispose()) };
    },
    backend: () => tf.getBackend(),
    readImage: (image) => image.clone(),
    toBitmap: fakeBitmap,
    toPng: async () => new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
  });
  return session as unknown as StyleSession;
}

interface Setup {
  startError?: string;
  connectError?: string;
}

function setup(o: Setup = {}) {
  const workers: { terminated: boolean; ended: Promise<void>; fail(why: string): void; log: { sent: string[] } }[] = [];
  let fallbacks = 0;
  const client = createStyleWorkerClient({
    init: async () => ({ backend: 'cpu', baseUrl: 'http://app/', wasmPath: 'http://app/wasm/' }),
    connect(onFailure) {
      if (o.connectError) throw new Error(o.connectError);
      const [page, worker, log] = portPair();
      let end = () => {};
      const ended = new Promise<void>((r) => (end = r));
      const record = { terminated: false, ended, fail: onFailure, log };
      workers.push(record);
      serveStyleSession(worker, {
        start: async (init) => {
          if (o.startError) throw new Error(o.startError);
          return init.backend;
        },
        createSession: () => tinySession(),
        numTensors: () => tf.memory().numTensors,
      });
      return { ...page, terminate: () => ((record.terminated = true), end()) } satisfies WorkerConnection;
    },
    manifest: async () => null,
    fallback: () => (fallbacks++, tinySession()),
    pageBackend: () => 'cpu',
  });
  return { client, workers, fallbacks: () => fallbacks };
}

const request = { id: 'vgg19-random' as const, seed: 1, smoothing: null, preprocessing: 'caffe' as const };
const settings = { ...DEFAULT_STYLE_SETTINGS, size: 16, iterations: 3, optimiser: 'adam' as const, previewEvery: 1 };
let run: StyleRunRequest;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const content = tf.randomUniform([20, 16, 3], 0, 1, 'float32', 3);
  const style = tf.randomUniform([16, 16, 3], 0, 1, 'float32', 4);
  run = { content, styles: [{ image: style, weight: 1 }], settings } as unknown as StyleRunRequest;
});

describe('the Style worker protocol', () => {
  it('loads and runs in the worker, reports progress and previews, and keeps the tensor count flat', async () => {
    const { client, workers, fallbacks } = setup();
    const info = await client.loadNetwork(request);
    expect(info.layers.map((l) => l.name)).toEqual(['conv1', 'conv2']);
    expect(client.place()).toMatchObject({ backend: 'cpu', inWorker: true, note: null });
    const afterLoad = client.place()!.numTensors!;
    const rows: CostRow[] = [];
    let previews = 0;
    const outcome = await client.run(run, { onIteration: (row) => rows.push(row), onPreview: () => previews++ });
    expect(rows.map((r) => r[0])).toEqual([1, 2, 3]);
    expect(previews).toBeGreaterThan(0);
    expect(outcome).toMatchObject({ width: 13, height: 16, iterations: 3, stopped: false });
    expect(client.place()!.numTensors).toBe(afterLoad);
    await client.run(run);
    expect(client.place()!.numTensors).toBe(afterLoad);
    expect(workers).toHaveLength(1);
    expect(fallbacks()).toBe(0);
    client.close();
  });

  it('stops a run by message with the result so far', async () => {
    const { client } = setup();
    await client.loadNetwork(request);
    const outcome = await client.run(
      { ...run, settings: { ...settings, iterations: 50 } },
      { onIteration: (row) => row[0] === 2 && client.stop() },
    );
    expect(outcome.stopped).toBe(true);
    expect(outcome.iterations).toBeLessThan(50);
    client.close();
  });

  it('runs on the page and says why when the backend cannot start in the worker', async () => {
    const { client, workers, fallbacks } = setup({ startError: 'no OffscreenCanvas WebGL' });
    await client.loadNetwork(request);
    expect(fallbacks()).toBe(1);
    expect(workers[0]!.terminated).toBe(true);
    expect(client.place()).toMatchObject({ backend: 'cpu', inWorker: false });
    expect(client.place()!.note).toMatch(
      /cpu backend could not start in a background worker \(no OffscreenCanvas WebGL\)/,
    );
    expect((await client.run(run)).iterations).toBe(3);
    client.close();
  });

  it('runs on the page when no worker can be made', async () => {
    const { client, fallbacks } = setup({ connectError: 'Workers are blocked' });
    await client.loadNetwork(request);
    expect(fallbacks()).toBe(1);
    expect(client.place()!.note).toMatch(/could not be made here \(Workers are blocked\)/);
    client.close();
  });

  it('fails the run in plain words when the worker dies, and starts a fresh one next time', async () => {
    const { client, workers } = setup();
    await client.loadNetwork(request);
    const running = client.run(
      { ...run, settings: { ...settings, iterations: 50 } },
      { onIteration: (row) => row[0] === 1 && workers[0]!.fail('out of memory') },
    );
    await expect(running).rejects.toThrow('The background Style worker stopped (out of memory). Start again.');
    await client.loadNetwork(request);
    expect(workers).toHaveLength(2);
    client.close();
  });

  it('closes by message: the worker frees its network, answers, and is then ended', async () => {
    const { client, workers } = setup();
    await client.loadNetwork(request);
    const network = loaded[loaded.length - 1]!;
    expect(network.disposed).toBe(false);
    client.close();
    await workers[0]!.ended;
    expect(workers[0]!.log.sent).toContain('closed');
    expect(workers[0]!.terminated).toBe(true);
    expect(network.disposed).toBe(true);
    await expect(client.loadNetwork(request)).rejects.toThrow(/closed/);
  });

  it('ignores stray messages and transfers only the bitmaps it made', () => {
    expect(asToWorker({ type: 'run', id: 1 })).not.toBeNull();
    expect(asToWorker({ type: 'hello' })).toBeNull();
    expect(asToWorker('run')).toBeNull();
    expect(asFromWorker({ type: 'result' })).not.toBeNull();
    expect(asFromWorker(null)).toBeNull();
    const bitmap = {} as ImageBitmap;
    expect(transferOf({ type: 'preview', id: 1, bitmap })).toEqual([bitmap]);
    expect(transferOf({ type: 'failed', id: 1, message: 'x' })).toEqual([]);
  });
});
