import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { LoadProgress, ModelManifest } from '../ml/runtime/models';
import { createModelsStore, type ModelLoader } from './models';

const manifest = { version: 1, generated: 'now', models: [] } as unknown as ModelManifest;

/** A loader whose loads report 1 MB in 64 KB steps, or fail with a sentence. */
function loader(fail: string | null = null): ModelLoader & { steps: number } {
  const fake = {
    steps: 0,
    getManifest: async () => manifest,
    async load(id: string, onProgress?: (p: LoadProgress) => void) {
      for (let loaded = 0; loaded <= 1 << 20; loaded += 1 << 16) {
        fake.steps++;
        onProgress?.({ loaded, total: 1 << 20 });
      }
      if (fail) throw new Error(fail);
      return { id } as unknown as tf.GraphModel;
    },
    loadWeights: async () => ({ weights: {}, dispose: () => undefined }),
  };
  return fake;
}

describe('the models store, on a fake loader', () => {
  it('keeps each model status with throttled byte progress, then ready', async () => {
    const fake = loader();
    const store = createModelsStore(fake);
    const seen: string[] = [];
    store.subscribe((s) => {
      const m = s.models['blazeface'];
      if (m) seen.push(m.status === 'loading' ? `loading ${m.loaded}` : m.status);
    });
    await store.getState().load('blazeface');
    expect(store.getState().models['blazeface']).toMatchObject({ status: 'ready' });
    // 17 progress reports, but only those more than 64 KB apart (and the last) reach the store.
    expect(fake.steps).toBe(17);
    expect(seen[0]).toBe('loading 0');
    expect(seen.at(-1)).toBe('ready');
    expect(seen.filter((s) => s.startsWith('loading')).length).toBeLessThan(fake.steps);
  });

  it('keeps the sentence of a failed load, and the manifest once read', async () => {
    const store = createModelsStore(loader('The FaceRes model is corrupt: reload the page.'));
    await expect(store.getState().load('faceres')).rejects.toThrow('corrupt');
    expect(store.getState().models['faceres']).toEqual({
      status: 'error',
      message: 'The FaceRes model is corrupt: reload the page.',
    });
    expect(await store.getState().loadManifest()).toBe(manifest);
    expect(store.getState().manifest).toBe(manifest);
  });
});
