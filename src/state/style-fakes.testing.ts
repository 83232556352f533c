// The Style Studio store's fakes: a session that runs nothing until a test finishes its run, and
// services with no tfjs, DOM or IndexedDB, so the store's tests are about what the store decides
// (when it calls the session, what it keeps, which bitmaps it closes).
import type { StyleWork } from '../db/studio';
import type { DecodedImage } from '../ml/runtime/image-file';
import type {
  NetworkInfo,
  NetworkRequest,
  StyleRunCallbacks,
  StyleRunOutcome,
  StyleRunRequest,
  StyleSession,
} from '../ml/style/session';
import { createStyleStore } from './style-store';
import type { StyleServices } from './style-types';

interface FakeBitmap {
  width: number;
  height: number;
  closed: boolean;
  close(): void;
}

export function bitmap(width = 8, height = 8): ImageBitmap {
  const b = { width, height, closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap;
}

export const closed = (b: ImageBitmap | null | undefined) => (b as unknown as FakeBitmap | null)?.closed;

export const file = (name: string) => new File([new Uint8Array([1, 2, 3])], name);

export function decoded(name: string, notice: string | null = null): DecodedImage {
  return { bitmap: bitmap(), name, width: 8, height: 8, originalWidth: 8, originalHeight: 8, notice };
}

export const info: NetworkInfo = {
  id: 'vgg19-random',
  label: 'VGG-19 (random)',
  layers: [
    { name: 'conv1_1', kind: 'conv', channels: 64, path: [] },
    { name: 'conv2_1', kind: 'conv', channels: 128, path: [] },
    { name: 'conv4_2', kind: 'conv', channels: 512, path: [] },
  ],
  defaults: { content: 'conv4_2', style: ['conv1_1', 'conv2_1'] },
};

export class FakeSession implements StyleSession {
  loads: NetworkRequest[] = [];
  runs: { request: StyleRunRequest; callbacks: StyleRunCallbacks; finish(o: Partial<StyleRunOutcome>): void }[] = [];
  problem: string | null = null;
  loadError: Error | null = null;
  calls: string[] = [];
  async loadNetwork(request: NetworkRequest, onProgress?: (f: number | null) => void) {
    this.loads.push(request);
    onProgress?.(0.5);
    if (this.loadError) throw this.loadError;
    return { ...info, id: request.id };
  }
  runProblem() {
    return this.problem;
  }
  run(request: StyleRunRequest, callbacks: StyleRunCallbacks = {}) {
    return new Promise<StyleRunOutcome>((resolve) => {
      this.runs.push({
        request,
        callbacks,
        finish: (o) =>
          resolve({
            bitmap: bitmap(16, 12),
            png: new Blob(['png'], { type: 'image/png' }),
            width: 16,
            height: 12,
            iterations: 3,
            stopped: false,
            ...o,
          }),
      });
    });
  }
  pause() {
    this.calls.push('pause');
  }
  resume() {
    this.calls.push('resume');
  }
  stop() {
    this.calls.push('stop');
  }
  close() {}
}

export function memoryStorage() {
  const data = new Map<string, string>();
  return {
    getItem: (k: string) => data.get(k) ?? null,
    setItem: (k: string, v: string) => void data.set(k, v),
    removeItem: (k: string) => void data.delete(k),
  };
}

export function setup(overrides: Partial<StyleServices> = {}) {
  const session = new FakeSession();
  const saved: StyleWork[] = [];
  const revoked: string[] = [];
  let urls = 0;
  const storage = memoryStorage();
  const services: StyleServices = {
    session,
    async decodeImage(f) {
      if (f.name.endsWith('.txt')) throw new Error(`"${f.name}" is a text file.`);
      return decoded(f.name, f.name.startsWith('big') ? `"${f.name}" was downscaled.` : null);
    },
    sampleFiles: async (styleId) => ({ content: file('portrait.jpg'), style: file(`${styleId}.jpg`) }),
    snapshot: async () => bitmap(640, 480),
    works: {
      list: async () => saved.slice(),
      save: async (w) => void saved.push(w),
      delete: async (id) =>
        void saved.splice(
          saved.findIndex((w) => w.id === id),
          1,
        ),
    },
    newId: () => `work-${saved.length + 1}`,
    objectUrl: { create: () => `blob:${++urls}`, revoke: (u) => void revoked.push(u) },
    now: () => 1000,
    storage: () => storage,
    ...overrides,
  };
  const store = createStyleStore(services);
  return { store, session, saved, revoked, storage };
}

export async function withInputs(store: ReturnType<typeof setup>['store']) {
  await store.getState().setContent(file('face.png'));
  await store.getState().addStyles([file('swirls.png')]);
}

export const tick = () => new Promise((r) => setTimeout(r, 0));
