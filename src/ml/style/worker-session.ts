// Style Studio's session as the app uses it: the run in a background worker (style-worker.ts),
// on the page's backend, with the in-page session as the fallback.
import * as tf from '@tensorflow/tfjs';
import { createStyleSession } from './session';
import { createStyleWorkerClient, type StyleWorkerSession } from './worker-client';
import type { ModelManifest } from '../runtime/models';
import type { LoadLossNetworkOptions } from './networks';

export interface AppStyleSessionOptions {
  /** The app's base URL (import.meta.env.BASE_URL). */
  baseUrl: string;
  manifest(): Promise<ModelManifest | null>;
  /** The page's running backend once it has started; null if it could not. */
  pageBackend(): Promise<string | null>;
}

export function createAppStyleSession(o: AppStyleSessionOptions): StyleWorkerSession {
  const absolute = (path: string) => new URL(path, document.baseURI).href;
  const base = o.baseUrl.replace(/\/?$/, '/');
  const networkOptions = async (): Promise<LoadLossNetworkOptions> => ({
    baseUrl: o.baseUrl,
    manifest: (await o.manifest()) ?? undefined,
  });
  return createStyleWorkerClient({
    async init() {
      const backend = await o.pageBackend();
      return backend ? { backend, baseUrl: absolute(base), wasmPath: absolute(`${base}wasm/`) } : null;
    },
    connect(onFailure) {
      if (typeof Worker === 'undefined') throw new Error('this browser has no Web Workers');
      const worker = new Worker(new URL('./style-worker.ts', import.meta.url), { type: 'module', name: 'facet-style' });
      worker.addEventListener('error', (e) => {
        e.preventDefault();
        onFailure(e.message || 'it could not be loaded');
      });
      worker.addEventListener('messageerror', () => onFailure('a message could not be read'));
      return worker;
    },
    manifest: o.manifest,
    fallback: () => createStyleSession({ networkOptions }),
    pageBackend: () => tf.getBackend(),
  });
}
