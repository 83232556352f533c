import { create } from 'zustand';
import type * as tf from '@tensorflow/tfjs';
import type { FacePresence } from '../ml/face/face-presence';
import type { FrameGrabber } from '../ml/runtime/frames';
import type { LoadProgress, ModelEntry, ModelManifest, WeightsModel } from '../ml/runtime/models';
import type { ModelRegistry } from '../ml/runtime/registry';
import { errorMessage } from '../ml/core/errors';

export type ModelStatus =
  | { status: 'idle' }
  | { status: 'loading'; loaded: number; total: number }
  | { status: 'ready'; ms: number }
  | { status: 'error'; message: string };

export interface FaceCheck extends FacePresence {
  model: string;
  backend: string;
  width: number;
  height: number;
  ms: number;
  faceFound: boolean;
}

interface ModelsState {
  manifest: ModelManifest | null;
  manifestError: string | null;
  models: Record<string, ModelStatus>;
  /** Which models the service worker has stored for offline use. */
  offline: Record<string, boolean>;
  check: { running: boolean; result: FaceCheck | null; error: string | null };
  loadManifest(): Promise<ModelManifest | null>;
  load(id: string): Promise<tf.GraphModel>;
  loadWeights(id: string): Promise<WeightsModel>;
  refreshOffline(): Promise<void>;
  checkFace(source: HTMLVideoElement | ImageBitmap, backend: string): Promise<FaceCheck | null>;
}

/** A detector score at or above which the Diagnostics face check counts a face as found. */
export const DETECTION_SCORE_THRESHOLD = 0.5;

let loaded: Promise<ModelRegistry> | null = null;

/** The registry, with tfjs, loaded on first use so that the app's first screen does not wait for it. */
function modelRegistry(): Promise<ModelRegistry> {
  loaded ??= import('../ml/runtime/registry').then(({ ModelRegistry }) => new ModelRegistry(import.meta.env.BASE_URL));
  return loaded;
}

/** What the models store loads through: the registry's loading calls. Tests pass a fake. */
export type ModelLoader = Pick<ModelRegistry, 'getManifest' | 'load' | 'loadWeights'>;

/** The app's one model registry (src/ml/runtime/registry.ts), behind the lazy load. */
export const registry: ModelLoader = {
  getManifest: () => modelRegistry().then((r) => r.getManifest()),
  load: (id: string, onProgress?: (p: LoadProgress) => void) => modelRegistry().then((r) => r.load(id, onProgress)),
  loadWeights: (id: string, onProgress?: (p: LoadProgress) => void) =>
    modelRegistry().then((r) => r.loadWeights(id, onProgress)),
};
let grabber: FrameGrabber | null = null;

async function isCachedOffline(entry: ModelEntry): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  for (const f of entry.files) {
    const url = new URL(`${import.meta.env.BASE_URL}models/${f.path}`, location.href).href;
    if (!(await caches.match(url, { ignoreSearch: true }))) return false;
  }
  return true;
}

/** The models store over `loader`: every load with its status and byte progress, for the screens. */
export function createModelsStore(loader: ModelLoader) {
  return create<ModelsState>()((set, get) => {
    /** Loads through the registry while keeping the model's status (and byte progress) in the store. */
    async function track<T>(id: string, load: (onProgress: (p: LoadProgress) => void) => Promise<T>): Promise<T> {
      const setStatus = (s: ModelStatus) => set({ models: { ...get().models, [id]: s } });
      const t0 = performance.now();
      if (get().models[id]?.status !== 'ready') setStatus({ status: 'loading', loaded: 0, total: 0 });
      try {
        // Progress updates are throttled to animation frames' worth of bytes to keep React calm.
        let last = 0;
        const model = await load(({ loaded, total }) => {
          if (loaded - last > 64 * 1024 || loaded === total) {
            last = loaded;
            setStatus({ status: 'loading', loaded, total });
          }
        });
        if (get().models[id]?.status !== 'ready') setStatus({ status: 'ready', ms: performance.now() - t0 });
        return model;
      } catch (e) {
        setStatus({ status: 'error', message: errorMessage(e) });
        throw e;
      }
    }

    return {
      manifest: null,
      manifestError: null,
      models: {},
      offline: {},
      check: { running: false, result: null, error: null },

      async loadManifest() {
        try {
          const manifest = await loader.getManifest();
          set({ manifest, manifestError: null });
          return manifest;
        } catch (e) {
          set({ manifestError: errorMessage(e) });
          return null;
        }
      },

      load: (id) => track(id, (onProgress) => loader.load(id, onProgress)),
      loadWeights: (id) => track(id, (onProgress) => loader.loadWeights(id, onProgress)),

      async refreshOffline() {
        const manifest = get().manifest ?? (await get().loadManifest());
        if (!manifest) return;
        const offline: Record<string, boolean> = {};
        for (const m of manifest.models) offline[m.id] = await isCachedOffline(m);
        set({ offline });
      },

      async checkFace(source, backend) {
        set({ check: { running: true, result: null, error: null } });
        try {
          const [model, { facePresence }, { FrameGrabber, pixelsToTensor }] = await Promise.all([
            get().load('blazeface'),
            import('../ml/face/face-presence'),
            import('../ml/runtime/frames'),
          ]);
          const t0 = performance.now();
          grabber ??= new FrameGrabber();
          const frame = source instanceof HTMLVideoElement ? grabber.toTensor(source) : pixelsToTensor(source);
          const [height, width] = frame.shape;
          try {
            const presence = await facePresence(model, frame);
            const result: FaceCheck = {
              ...presence,
              model: 'blazeface',
              backend,
              width,
              height,
              ms: performance.now() - t0,
              faceFound: presence.finite && presence.maxScore >= DETECTION_SCORE_THRESHOLD,
            };
            set({ check: { running: false, result, error: null } });
            return result;
          } finally {
            frame.dispose();
          }
        } catch (e) {
          set({ check: { running: false, result: null, error: errorMessage(e) } });
          return null;
        }
      },
    };
  });
}

export const useModels = createModelsStore(registry);
