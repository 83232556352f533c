// Test-only helpers for Node unit tests: load the shipped models and sample photos on the
// tfjs cpu backend, the same way the app does (manifest, sha256, fromMemory).
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { readFile } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { prepareModels } from '../../scripts/prepare-assets.mjs';
import { pixelsToTensor } from '../ml/runtime/frames';
import { loadGraphModel, type ModelManifest } from '../ml/runtime/models';

let manifestDir: Promise<{ dir: string; manifest: ModelManifest }> | null = null;

function generated() {
  manifestDir ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'facet-test-models-'));
    return { dir, manifest: (await prepareModels(dir)) as ModelManifest };
  })();
  return manifestDir;
}

/** Loads a shipped model (e.g. 'blazeface') for a Node test. The caller disposes it. */
export async function loadTestModel(id: string): Promise<tf.GraphModel> {
  const { dir, manifest } = await generated();
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new Error(`no model ${id}`);
  return loadGraphModel(entry, '/', undefined, async (url) => {
    const body = await readFile(join(dir, url.slice('/models/'.length)));
    return new Response(new Uint8Array(body));
  });
}

/** Sample photos shipped in @vladmandic/face-api (1920 px group photos). */
export const SAMPLE_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`);

/** Decodes a JPEG or PNG file to a [H, W, 3] float32 tensor in 0..1. */
export async function loadTestImage(path: string): Promise<tf.Tensor3D> {
  const bytes = await readFile(path);
  if (path.endsWith('.png')) {
    const png = PNG.sync.read(bytes);
    return pixelsToTensor({ data: new Uint8Array(png.data), width: png.width, height: png.height });
  }
  const img = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
  return pixelsToTensor({ data: img.data as unknown as Uint8Array, width: img.width, height: img.height });
}

/** The 128-D face descriptor's weights as shipped in @vladmandic/face-api. The caller disposes them. */
export async function loadDescriptorWeights(): Promise<tf.NamedTensorMap> {
  const dir = 'node_modules/@vladmandic/face-api/model';
  const manifest = JSON.parse(await readFile(`${dir}/face_recognition_model-weights_manifest.json`, 'utf8'));
  const bin = await readFile(`${dir}/face_recognition_model.bin`);
  return tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), manifest[0].weights);
}
