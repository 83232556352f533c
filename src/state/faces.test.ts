import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { EmbedderId } from '../ml/face/embedder-specs';
import type { FaceEngine } from '../ml/face/engine';
import { createFacesStore, DEFAULT_EMBEDDER, thresholdFor } from './faces';
import { useSettings } from './settings';

// zustand's persist reads and writes window.localStorage; Node has neither, so give it a plain one.
const storage = new Map<string, string>();
const localStorage = {
  getItem: (k: string) => storage.get(k) ?? null,
  setItem: (k: string, v: string) => void storage.set(k, v),
  removeItem: (k: string) => void storage.delete(k),
  clear: () => storage.clear(),
  key: () => null,
  length: 0,
} as Storage;
(globalThis as { window?: unknown }).window ??= { localStorage };

const fakeEngine = (id: EmbedderId) =>
  ({
    embedderId: id,
    analyse: vi.fn(async () => ({ faces: [], width: 1, height: 1, ms: 1, extra: undefined })),
    analyseWithThumbnails: vi.fn(async () => ({ faces: [], width: 1, height: 1, ms: 1, thumbnails: [] })),
  }) as unknown as FaceEngine;

let name = 0;
beforeEach(() => {
  storage.clear();
  useSettings.getState().reset();
});

describe('the faces store, on a fake engine factory', () => {
  it('builds one engine per model, when first asked, and a new one after a switch', async () => {
    const create = vi.fn(async (id: EmbedderId) => fakeEngine(id));
    const store = createFacesStore(create, `t${name++}`);
    expect(store.getState().embedderId).toBe(DEFAULT_EMBEDDER);
    expect(create).not.toHaveBeenCalled();
    const [a, b] = await Promise.all([store.getState().engine(), store.getState().engine()]);
    expect(a).toBe(b);
    expect(store.getState().status).toBe('ready');
    await store.getState().analyse({} as ImageBitmap);
    expect(a.analyse).toHaveBeenCalledTimes(1);
    store.getState().setEmbedder('faceres');
    expect((await store.getState().engine()).embedderId).toBe('faceres');
    store.getState().setEmbedder('mobilefacenet' as EmbedderId); // no longer ships: ignored
    expect(store.getState().embedderId).toBe('faceres');
    expect(create.mock.calls.map(([id]) => id)).toEqual(['facedescriptor', 'faceres']);
  });

  it('says why an engine could not be built, and tries again next time', async () => {
    let fail = true;
    const store = createFacesStore(async (id) => {
      if (fail) throw new Error('The Face descriptor model could not be downloaded.');
      return fakeEngine(id);
    }, `t${name++}`);
    await expect(store.getState().engine()).rejects.toThrow('could not be downloaded');
    expect(store.getState()).toMatchObject({
      status: 'error',
      error: 'The Face descriptor model could not be downloaded.',
    });
    fail = false;
    await expect(store.getState().engine()).resolves.toBeDefined();
    expect(store.getState().status).toBe('ready');
  });

  it('moves a version 1 choice to the descriptor with a re-embedding to do, and keeps a version 2 one', () => {
    storage.set('v1', JSON.stringify({ state: { embedderId: 'faceres' }, version: 1 }));
    const upgraded = createFacesStore(async (id) => fakeEngine(id), 'v1');
    expect(upgraded.getState()).toMatchObject({ embedderId: 'facedescriptor', upgradePending: true });
    upgraded.getState().clearUpgrade();
    expect(JSON.parse(storage.get('v1')!).state).toEqual({ embedderId: 'facedescriptor', upgradePending: false });
    storage.set('v2', JSON.stringify({ state: { embedderId: 'faceres', upgradePending: false }, version: 2 }));
    expect(createFacesStore(async (id) => fakeEngine(id), 'v2').getState().embedderId).toBe('faceres');
  });

  it("uses a model's calibrated thresholds unless the user set one for that model and use", () => {
    expect(thresholdFor('facedescriptor', 'unlock')).toBe(0.935);
    expect(thresholdFor('facedescriptor', 'identify')).toBe(0.911);
    useSettings.getState().setThreshold('faceres', 'unlock', 0.7);
    expect(thresholdFor('faceres', 'unlock')).toBe(0.7);
    expect(thresholdFor('facedescriptor', 'unlock')).toBe(0.935);
  });
});
