// The Style worker: a module Web Worker that runs Style Studio's optimisation off the page's main
// thread. It starts the same tfjs backend the page uses (WebGL on an OffscreenCanvas, WebGPU,
// wasm from the page's wasm/ folder, or cpu), builds or loads the loss network itself and
// answers the page through worker-host.ts. Made by worker-session.ts.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { pixelsToTensor } from '../runtime/frames';
import { setUpWasm } from '../runtime/wasm-setup';
import { createStyleSession } from './session';
import { serveStyleSession } from './worker-host';
import type { StylePort, WorkerInit } from './worker-protocol';

async function start(init: WorkerInit): Promise<string> {
  setUpWasm(init.wasmPath);
  // setBackend answers false (or throws) when the backend cannot start here, e.g. no WebGL on an OffscreenCanvas.
  const ok = await tf.setBackend(init.backend);
  await tf.ready();
  if (!ok || tf.getBackend() !== init.backend) throw new Error(`${init.backend} is not available in a worker here`);
  // As on the page (tf-runtime.ts): pictures reach tfjs as pixels, never as external textures.
  if (init.backend === 'webgpu') tf.env().set('WEBGPU_IMPORT_EXTERNAL_TEXTURE', false);
  return tf.getBackend();
}

/** The bitmap's pixels through a 2D OffscreenCanvas, a path every backend takes in a worker. */
function readImage(bitmap: ImageBitmap): tf.Tensor3D {
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser could not make a 2D canvas in the Style worker.');
  ctx.drawImage(bitmap, 0, 0);
  return pixelsToTensor(ctx.getImageData(0, 0, bitmap.width, bitmap.height));
}

const scope = self as unknown as StylePort & { close(): void };

serveStyleSession(scope, {
  start,
  createSession: (init, manifest) =>
    createStyleSession({
      networkOptions: async () => ({ baseUrl: init.baseUrl, manifest: manifest() }),
      readImage,
    }),
  numTensors: () => tf.memory().numTensors,
  exit: () => scope.close(),
});
