import { beforeEach, describe, expect, it } from 'vitest';
import { applyBackendOverride, migrateSettings, useSettings } from './settings';

describe('?backend= override', () => {
  beforeEach(() => useSettings.getState().reset());

  it('stores a valid backend, clears on auto, ignores nonsense', () => {
    applyBackendOverride('?backend=webgl');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?backend=cuda');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?other=1');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?backend=auto');
    expect(useSettings.getState().backend).toBeNull();
  });
});

describe('face thresholds', () => {
  beforeEach(() => useSettings.getState().reset());

  it('are kept per model and use, and cleared one at a time', () => {
    const { setThreshold } = useSettings.getState();
    setThreshold('facedescriptor', 'unlock', 0.95);
    setThreshold('facedescriptor', 'identify', 0.92);
    setThreshold('faceres', 'unlock', 0.7);
    setThreshold('facedescriptor', 'unlock', null);
    expect(useSettings.getState().faceThresholds).toEqual({
      facedescriptor: { identify: 0.92 },
      faceres: { unlock: 0.7 },
    });
  });
});

describe('migrateSettings (version 1 → 2)', () => {
  const store = new Map<string, string>();
  globalThis.localStorage ??= {
    getItem: (k: string) => store.get(k) ?? null,
    setItem: (k: string, v: string) => void store.set(k, v),
    removeItem: (k: string) => void store.delete(k),
    clear: () => store.clear(),
    key: () => null,
    length: 0,
  } as Storage;
  beforeEach(() => store.clear());

  it('moves the one threshold to FaceRes, the model it was set for, and to no other', () => {
    const v2 = migrateSettings({ faceThreshold: 0.62, theme: 'dark' }, 1) as Record<string, unknown>;
    expect(v2).toEqual({ theme: 'dark', faceThresholds: { faceres: { unlock: 0.62, identify: 0.62 } } });
  });

  it('drops a threshold set for a model that no longer ships, and a missing one stays missing', () => {
    store.set('facet.faces', JSON.stringify({ state: { embedderId: 'mobilefacenet' }, version: 1 }));
    expect(migrateSettings({ faceThreshold: 0.99 }, 1)).toEqual({ faceThresholds: {} });
    store.clear();
    expect(migrateSettings({ faceThreshold: null }, 1)).toEqual({ faceThresholds: {} });
  });
});
