import { beforeEach, describe, expect, it } from 'vitest';
import { EMBEDDERS } from '../ml/face/embedder-specs';
import { DEFAULT_LIVENESS_SETTINGS } from '../ml/liveness/fusion';
import {
  applyBackendOverride,
  createSettingsStore,
  migrateSettings,
  useSettings,
  type SettingsStorage,
  type Theme,
} from './settings';

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

/** A localStorage of our own: a second store over the same one is the page reloaded. */
function memoryStorage() {
  const items = new Map<string, string>();
  const storage: SettingsStorage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  };
  const stored = () => JSON.parse(items.get('s') ?? 'null') as { state: Record<string, unknown>; version: number };
  const write = (state: unknown, version = 2) => items.set('s', JSON.stringify({ state, version }));
  return { storage: () => storage, items, stored, write };
}

describe('threshold ranges (embedder-specs.ts)', () => {
  it('hold each calibrated default, never go above 1, and keep Unlock no looser than Identify', () => {
    for (const spec of Object.values(EMBEDDERS)) {
      for (const use of ['unlock', 'identify'] as const) {
        const { min, max } = spec.thresholdRange[use];
        expect(min).toBeGreaterThan(0);
        expect(max).toBeLessThanOrEqual(1);
        expect(spec[use].threshold).toBeGreaterThanOrEqual(min);
        expect(spec[use].threshold).toBeLessThanOrEqual(max);
      }
      // Unlock may be loosened to Identify's operating point and no further; Identify a little below its own.
      expect(spec.thresholdRange.unlock.min).toBe(spec.identify.threshold);
      expect(spec.thresholdRange.identify.min).toBeLessThan(spec.identify.threshold);
      // Half the impostor scores' spread, read off the two calibrated points as normal quantiles.
      const sigma = (spec.unlock.threshold - spec.identify.threshold) / (3.0902 - 2.3263);
      const margin = spec.identify.threshold - spec.thresholdRange.identify.min;
      expect(margin / sigma).toBeGreaterThan(0.45);
      expect(margin / sigma).toBeLessThan(0.55);
    }
  });
});

describe('settings loaded from storage are checked', () => {
  it('reset a tampered threshold and lockout to their defaults, say so once, and write the fix back', () => {
    const mem = memoryStorage();
    mem.write({
      theme: 'dark',
      faceThresholds: { facedescriptor: { unlock: -1, identify: -1 }, faceres: { unlock: 0.7 } },
      unlockMaxFailures: 1e9,
      unlockLockoutSeconds: 0,
    });
    const store = createSettingsStore({ name: 's', storage: mem.storage });
    const s = store.getState();
    expect(s.faceThresholds).toEqual({ faceres: { unlock: 0.7 } });
    expect(s.unlockMaxFailures).toBe(5);
    expect(s.unlockLockoutSeconds).toBe(30);
    expect(s.theme).toBe('dark');
    expect(s.settingsNotice).toMatch(/^Some settings were out of range and were reset: /);
    expect(s.settingsNotice).toContain(
      'the Unlock threshold of Face descriptor (ResNet, 128-D) (was -1; allowed 0.911–1',
    );
    expect(s.settingsNotice).toContain('the Identify threshold of Face descriptor (ResNet, 128-D) (was -1');
    expect(s.settingsNotice).toContain('attempts before lockout (was 1000000000; allowed 1–20, whole numbers)');
    expect(s.settingsNotice).toContain('the lockout length (seconds) (was 0; allowed 5–3600)');
    // The corrected settings are what storage holds now, so a reload finds nothing to reset.
    expect(mem.stored().state).toMatchObject({ faceThresholds: { faceres: { unlock: 0.7 } }, unlockMaxFailures: 5 });
    expect(mem.stored().state).not.toHaveProperty('settingsNotice');
    const reloaded = createSettingsStore({ name: 's', storage: mem.storage }).getState();
    expect(reloaded.settingsNotice).toBeNull();
    expect(reloaded.unlockMaxFailures).toBe(5);
    store.getState().dismissSettingsNotice();
    expect(store.getState().settingsNotice).toBeNull();
  });

  it('reset wrong types and out-of-range values everywhere, one notice line each, and keep the rest', () => {
    const mem = memoryStorage();
    mem.write({
      backend: 'cuda',
      theme: 42,
      resolution: 7,
      cameraId: 'usb-cam',
      unlockMaxFailures: 2.5,
      unlockLockoutSeconds: 120,
      adoptedLabModelId: { id: 'x' },
      faceThresholds: { facedescriptor: 'low', mobilefacenet: { unlock: 0.1 } },
      liveness: {
        required: { blink: 'yes', motion: false },
        maxMs: 1e12,
        passive: { antispoof: 0, liveness: null },
        challenge: { turnYaw: 0, minSteps: 3, maxSteps: 2, kinds: ['blink', 'fly'] },
      },
    });
    const s = createSettingsStore({ name: 's', storage: mem.storage }).getState();
    expect(s.backend).toBeNull();
    expect(s.theme).toBe('system');
    expect(s.resolution).toBe(0);
    expect(s.cameraId).toBe('usb-cam');
    expect(s.unlockMaxFailures).toBe(5);
    expect(s.unlockLockoutSeconds).toBe(120);
    expect(s.adoptedLabModelId).toBeNull();
    // A model this version does not ship takes its threshold with it, without a notice.
    expect(s.faceThresholds).toEqual({});
    expect(s.liveness.required.blink).toBe(DEFAULT_LIVENESS_SETTINGS.required.blink);
    expect(s.liveness.required.motion).toBe(false);
    expect(s.liveness.maxMs).toBe(DEFAULT_LIVENESS_SETTINGS.maxMs);
    expect(s.liveness.passive).toEqual({ ...DEFAULT_LIVENESS_SETTINGS.passive, liveness: null });
    expect(s.liveness.challenge).toEqual({ minSteps: 3 });
    for (const words of [
      'the backend (was "cuda")',
      'the theme (was 42)',
      'the camera resolution (was 7',
      'attempts before lockout (was 2.5',
      'the Lab model used for matching',
      'face thresholds of Face descriptor (ResNet, 128-D) (was "low")',
      'whether the blink cue must pass (was "yes")',
      'the time liveness has to decide (ms) (was 1000000000000',
      'the anti-spoof score needed (was 0)',
      "the liveness challenge's turnYaw (was 0)",
      "the liveness challenge's steps",
      "the liveness challenge's maxSteps (was 2, below minSteps 3)",
    ]) {
      expect(s.settingsNotice).toContain(words);
    }
    expect(s.settingsNotice).not.toContain('mobilefacenet');
  });

  it('take valid settings as they are, and give settings saved before they existed their defaults silently', () => {
    const mem = memoryStorage();
    mem.write({
      backend: 'wasm',
      unlockMaxFailures: 20,
      unlockLockoutSeconds: 3600,
      faceThresholds: { facedescriptor: { unlock: 1, identify: 0.895 } },
      liveness: { maxMs: 3000, required: { challenge: true } },
    });
    const s = createSettingsStore({ name: 's', storage: mem.storage }).getState();
    expect(s.settingsNotice).toBeNull();
    expect(s).toMatchObject({ backend: 'wasm', unlockMaxFailures: 20, unlockLockoutSeconds: 3600, theme: 'system' });
    expect(s.faceThresholds).toEqual({ facedescriptor: { unlock: 1, identify: 0.895 } });
    expect(s.liveness.maxMs).toBe(3000);
    expect(s.liveness.required).toEqual({ ...DEFAULT_LIVENESS_SETTINGS.required, challenge: true });
    expect(s.liveness.blink).toEqual(DEFAULT_LIVENESS_SETTINGS.blink);
  });

  it('check what the version 1 → 2 migration carries over, and recover from settings that are not JSON', () => {
    const mem = memoryStorage();
    mem.write({ faceThreshold: -1, unlockMaxFailures: 3 }, 1);
    const s = createSettingsStore({ name: 's', storage: mem.storage }).getState();
    // Version 1's one threshold went to FaceRes, out of its range: reset, and said.
    expect(s.faceThresholds).toEqual({});
    expect(s.unlockMaxFailures).toBe(3);
    expect(s.settingsNotice).toMatch(
      /^Some settings were out of range and were reset: the Unlock threshold of FaceRes/,
    );
    expect(s.settingsNotice).toContain('the Identify threshold of FaceRes (1024-D) (was -1');

    for (const text of ['{"state": {"unlockMaxFailures": 1e9', '"just a string"']) {
      mem.items.set('s', text);
      const broken = createSettingsStore({ name: 's', storage: mem.storage }).getState();
      expect(broken.unlockMaxFailures).toBe(5);
      expect(broken.settingsNotice).toMatch(/^The saved settings could not be read and were reset/);
      expect(mem.stored().state).toMatchObject({ unlockMaxFailures: 5 });
    }
  });
});

describe('settings set in the app stay in range', () => {
  it('move lockout settings and thresholds to the nearest bound, and ignore what is not a number', () => {
    const store = createSettingsStore({ name: 's', storage: memoryStorage().storage });
    const { setFace, setThreshold, setLiveness, setTheme, setResolution } = store.getState();
    setFace({ unlockMaxFailures: 1e9, unlockLockoutSeconds: 1 });
    expect(store.getState()).toMatchObject({ unlockMaxFailures: 20, unlockLockoutSeconds: 5 });
    setFace({ unlockMaxFailures: 0, unlockLockoutSeconds: 1e9 });
    expect(store.getState()).toMatchObject({ unlockMaxFailures: 1, unlockLockoutSeconds: 3600 });
    setFace({ unlockMaxFailures: Number.NaN, unlockLockoutSeconds: '60' as unknown as number });
    expect(store.getState()).toMatchObject({ unlockMaxFailures: 1, unlockLockoutSeconds: 3600 });

    setThreshold('facedescriptor', 'unlock', -1);
    setThreshold('facedescriptor', 'identify', 2);
    setThreshold('faceres', 'unlock', Number.NaN);
    setThreshold('mobilefacenet', 'unlock', 0.5);
    expect(store.getState().faceThresholds).toEqual({ facedescriptor: { unlock: 0.911, identify: 1 } });

    setLiveness({ maxMs: 1e9 });
    expect(store.getState().liveness.maxMs).toBe(60_000);
    setTheme('neon' as Theme);
    setResolution(99);
    expect(store.getState()).toMatchObject({ theme: 'system', resolution: 0 });
  });
});

describe('developer details', () => {
  it('are off by default, kept across a reload when turned on, and a stored non-boolean is reset with a notice', () => {
    const mem = memoryStorage();
    const store = createSettingsStore({ name: 's', storage: mem.storage });
    expect(store.getState().devDetails).toBe(false);
    store.getState().setDevDetails(true);
    store.getState().setDevDetails('yes' as unknown as boolean);
    expect(createSettingsStore({ name: 's', storage: mem.storage }).getState().devDetails).toBe(true);

    const tampered = memoryStorage();
    tampered.write({ devDetails: 'on' });
    const s = createSettingsStore({ name: 's', storage: tampered.storage }).getState();
    expect(s.devDetails).toBe(false);
    expect(s.settingsNotice).toContain('whether developer details show (was "on")');
  });
});
