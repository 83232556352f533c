import { create } from 'zustand';
import { persist, type PersistStorage, type StorageValue } from 'zustand/middleware';
import { isBackendName, type BackendName } from '../ml/runtime/backend';
import { clampThreshold, isEmbedderId, type MatchUse } from '../ml/face/embedder-specs';
import type { CueName, LivenessSettings } from '../ml/liveness/fusion';
import {
  clampLiveness,
  clampLockoutSetting,
  RANGES,
  resetNotice,
  sanitizeSettings,
  SETTINGS_DEFAULTS,
  THEMES,
  type StoredSettings,
  type Theme,
} from './settings-validate';

export { RANGES as SETTING_RANGES, type Theme };

/** How a liveness cue takes part in an unlock: not at all, shown only, or must pass. */
export type CueMode = 'off' | 'advisory' | 'required';

/** Unlock is 1:1 (or a small gallery) and must refuse strangers; Identify may be looser. */
export type ThresholdUse = MatchUse;

export interface SettingsState extends StoredSettings {
  /**
   * Set when loading found settings out of range or of the wrong type and reset them (they are
   * written back corrected, so the next load is clean): shown to the user once, until dismissed.
   */
  settingsNotice: string | null;
  dismissSettingsNotice(): void;
  setCueMode(cue: CueName, mode: CueMode): void;
  setLiveness(patch: Partial<LivenessSettings>): void;
  /** Values outside their range move to the nearest bound; a value that is not a number is ignored. */
  setFace(patch: Partial<Pick<SettingsState, 'unlockMaxFailures' | 'unlockLockoutSeconds'>>): void;
  /**
   * Sets (or with null, clears) the threshold for one model and use, kept inside the model's range
   * for that use (embedder-specs.ts). Unknown models and non-numbers are ignored.
   */
  setThreshold(modelId: string, use: ThresholdUse, value: number | null): void;
  setBackend(b: BackendName | null): void;
  setTheme(t: Theme): void;
  setDevDetails(on: boolean): void;
  setCamera(id: string | null): void;
  setResolution(i: number): void;
  reset(): void;
}

const defaults = SETTINGS_DEFAULTS;

/** The stored keys: exactly the settings, never the actions or the notice. */
const STORED_KEYS = Object.keys(defaults) as (keyof StoredSettings)[];

const UNREADABLE =
  'The saved settings could not be read and were reset to their defaults. Set them again on the Unlock or Settings page if you need other values.';

/** Where settings are kept: localStorage in the app, anything of the same shape in tests. */
export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** What `checkedStorage` reads from stored text that is not JSON of the right shape. */
const UNREADABLE_STATE = { unreadable: true } as const;

/** JSON in `storage`, where text that does not parse loads as UNREADABLE_STATE instead of failing the load. */
function checkedStorage(storage: () => SettingsStorage): PersistStorage<unknown> | undefined {
  let s: SettingsStorage;
  try {
    s = storage();
  } catch {
    return undefined; // no localStorage (Node, some sandboxes): settings live in memory only
  }
  return {
    getItem(name) {
      const text = s.getItem(name);
      if (text === null) return null;
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed === 'object' && parsed !== null && 'state' in parsed) return parsed as StorageValue<unknown>;
      } catch {
        // Falls through: the same as stored text of the wrong shape.
      }
      return { state: UNREADABLE_STATE, version: 2 };
    },
    setItem: (name, value) => s.setItem(name, JSON.stringify(value)),
    removeItem: (name) => s.removeItem(name),
  };
}

export function cueMode(settings: LivenessSettings, cue: CueName): CueMode {
  return settings.required[cue] ? 'required' : settings.enabled[cue] ? 'advisory' : 'off';
}

/**
 * The settings store, persisted under `name` in `storage` (localStorage in the app; tests pass
 * their own, and a second store over the same storage is a reload). Everything loaded is checked
 * by `sanitizeSettings` before the app sees it; every setter keeps its value in range.
 */
export function createSettingsStore(options: { name?: string; storage?: () => SettingsStorage } = {}) {
  // The persisting `set`, kept for writing corrected settings back once they are loaded.
  let save: ((partial: Partial<SettingsState>) => void) | null = null;
  return create<SettingsState>()(
    persist(
      (set) => {
        save = set;
        return {
          ...defaults,
          settingsNotice: null,
          dismissSettingsNotice: () => set({ settingsNotice: null }),
          setBackend: (backend) => {
            if (backend === null || isBackendName(backend)) set({ backend });
          },
          setTheme: (theme) => {
            if (THEMES.includes(theme)) set({ theme });
          },
          setDevDetails: (devDetails) => {
            if (typeof devDetails === 'boolean') set({ devDetails });
          },
          setCamera: (cameraId) => {
            if (cameraId === null || typeof cameraId === 'string') set({ cameraId });
          },
          setResolution: (resolution) => {
            if (
              Number.isInteger(resolution) &&
              resolution >= RANGES.resolution.min &&
              resolution <= RANGES.resolution.max
            )
              set({ resolution });
          },
          setFace: (patch) => {
            const next: Partial<StoredSettings> = {};
            for (const key of ['unlockMaxFailures', 'unlockLockoutSeconds'] as const) {
              const v = key in patch ? clampLockoutSetting(key, patch[key]) : undefined;
              if (v !== undefined) next[key] = v;
            }
            set(next);
          },
          setThreshold: (modelId, use, value) => {
            if (!isEmbedderId(modelId) || (use !== 'unlock' && use !== 'identify')) return;
            if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) return;
            set(({ faceThresholds }) => {
              const own = { ...faceThresholds[modelId] };
              if (value == null) delete own[use];
              else own[use] = clampThreshold(modelId, use, value);
              return { faceThresholds: { ...faceThresholds, [modelId]: own } };
            });
          },
          setCueMode: (cue, mode) =>
            set(({ liveness }) => ({
              liveness: clampLiveness(liveness, {
                enabled: { ...liveness.enabled, [cue]: mode !== 'off' },
                required: { ...liveness.required, [cue]: mode === 'required' },
              }),
            })),
          setLiveness: (patch) => set(({ liveness }) => ({ liveness: clampLiveness(liveness, patch) })),
          reset: () => set({ ...defaults, settingsNotice: null }),
        };
      },
      {
        name: options.name ?? 'facet.settings',
        version: 2,
        storage: checkedStorage(options.storage ?? (() => window.localStorage)),
        migrate: migrateSettings,
        partialize: (state) => Object.fromEntries(STORED_KEYS.map((k) => [k, state[k]])) as unknown as SettingsState,
        // Nothing stored is trusted: wrong types and out-of-range values become defaults, named in the notice.
        merge: (persisted, current) => {
          if ((persisted as unknown) === UNREADABLE_STATE)
            return { ...current, ...defaults, settingsNotice: UNREADABLE };
          const { settings, reset } = sanitizeSettings(persisted);
          return { ...current, ...settings, settingsNotice: resetNotice(reset) };
        },
        // Write corrected settings back at once, so the notice shows after one load, not after every one.
        onRehydrateStorage: () => (state) => {
          if (state?.settingsNotice) save?.({});
        },
      },
    ),
  );
}

export const useSettings = createSettingsStore();

/**
 * Version 1 kept one `faceThreshold` for whichever model was active; it was set for that model's
 * scores, so it moves to that model (FaceRes unless the faces store says otherwise) and applies
 * to no other. A model that no longer ships takes its threshold with it.
 */
export function migrateSettings(persisted: unknown, version: number): unknown {
  if (version >= 2 || !persisted || typeof persisted !== 'object') return persisted;
  const { faceThreshold, ...rest } = persisted as { faceThreshold?: unknown };
  let activeModel = 'faceres';
  try {
    const faces = JSON.parse(globalThis.localStorage?.getItem('facet.faces') ?? 'null') as {
      state?: { embedderId?: unknown };
    } | null;
    if (typeof faces?.state?.embedderId === 'string') activeModel = faces.state.embedderId;
  } catch {
    // Unreadable: keep FaceRes, the only model whose thresholds version 1 users could tune usefully.
  }
  const faceThresholds =
    typeof faceThreshold === 'number' && Number.isFinite(faceThreshold) && activeModel === 'faceres'
      ? { faceres: { unlock: faceThreshold, identify: faceThreshold } }
      : {};
  return { ...rest, faceThresholds };
}

/**
 * A `?backend=` query parameter overrides the chosen backend and is kept in settings, so
 * the choice survives reloads. `?backend=auto` clears it.
 */
export function applyBackendOverride(search: string): void {
  const value = new URLSearchParams(search).get('backend');
  if (value === 'auto') useSettings.getState().setBackend(null);
  else if (isBackendName(value)) useSettings.getState().setBackend(value);
}
