import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { isBackendName, type BackendName } from '../ml/runtime/backend';
import { DEFAULT_LIVENESS_SETTINGS, type CueName, type LivenessSettings } from '../ml/liveness/fusion';

/** How a liveness cue takes part in an unlock: not at all, shown only, or must pass. */
export type CueMode = 'off' | 'advisory' | 'required';

export type Theme = 'system' | 'light' | 'dark';

/** Unlock is 1:1 (or a small gallery) and must refuse strangers; Identify may be looser. */
export type ThresholdUse = 'unlock' | 'identify';

export interface SettingsState {
  /** null means "best available" (webgpu → webgl → wasm → cpu). */
  backend: BackendName | null;
  theme: Theme;
  cameraId: string | null;
  resolution: number;
  /**
   * Thresholds set by hand (or adopted from Evaluate), per embedding model id and use: a face
   * matches a template at or above it. Missing entries use the model's calibrated default. A
   * threshold set for one model never applies to another: their scores are on different scales.
   */
  faceThresholds: Record<string, Partial<Record<ThresholdUse, number>>>;
  /** Failed unlock attempts in a row before the lockout, and its length. */
  unlockMaxFailures: number;
  unlockLockoutSeconds: number;
  /** Which liveness cues run and must pass, and how long an attempt may take. */
  liveness: LivenessSettings;
  /** The Siamese Lab model (studio record id) that Unlock and Identify match with; null: plain cosine. */
  adoptedLabModelId: string | null;
  setCueMode(cue: CueName, mode: CueMode): void;
  setLiveness(patch: Partial<LivenessSettings>): void;
  setFace(patch: Partial<Pick<SettingsState, 'unlockMaxFailures' | 'unlockLockoutSeconds'>>): void;
  /** Sets (or with null, clears) the threshold for one model and use. */
  setThreshold(modelId: string, use: ThresholdUse, value: number | null): void;
  setBackend(b: BackendName | null): void;
  setTheme(t: Theme): void;
  setCamera(id: string | null): void;
  setResolution(i: number): void;
  reset(): void;
}

const defaults = {
  backend: null,
  theme: 'system' as Theme,
  cameraId: null,
  resolution: 0,
  faceThresholds: {} as SettingsState['faceThresholds'],
  unlockMaxFailures: 5,
  unlockLockoutSeconds: 30,
  liveness: DEFAULT_LIVENESS_SETTINGS,
  adoptedLabModelId: null as string | null,
};

export function cueMode(settings: LivenessSettings, cue: CueName): CueMode {
  return settings.required[cue] ? 'required' : settings.enabled[cue] ? 'advisory' : 'off';
}

export const useSettings = create<SettingsState>()(
  persist(
    (set) => ({
      ...defaults,
      setBackend: (backend) => set({ backend }),
      setTheme: (theme) => set({ theme }),
      setCamera: (cameraId) => set({ cameraId }),
      setResolution: (resolution) => set({ resolution }),
      setFace: (patch) => set(patch),
      setThreshold: (modelId, use, value) =>
        set(({ faceThresholds }) => {
          const own = { ...faceThresholds[modelId] };
          if (value == null) delete own[use];
          else own[use] = value;
          return { faceThresholds: { ...faceThresholds, [modelId]: own } };
        }),
      setCueMode: (cue, mode) =>
        set(({ liveness }) => ({
          liveness: {
            ...liveness,
            enabled: { ...liveness.enabled, [cue]: mode !== 'off' },
            required: { ...liveness.required, [cue]: mode === 'required' },
          },
        })),
      setLiveness: (patch) => set(({ liveness }) => ({ liveness: { ...liveness, ...patch } })),
      reset: () => set(defaults),
    }),
    {
      name: 'facet.settings',
      version: 2,
      migrate: migrateSettings,
      // Persist exactly the settings (the keys of `defaults`), never the actions.
      partialize: (state) =>
        Object.fromEntries(Object.keys(defaults).map((k) => [k, state[k as keyof typeof defaults]])) as typeof defaults,
      // Settings saved before a field existed get that field's default, however deep it sits.
      merge: (persisted, current) => {
        const p = (persisted ?? {}) as Partial<typeof defaults>;
        const l = p.liveness;
        const d = DEFAULT_LIVENESS_SETTINGS;
        return {
          ...current,
          ...p,
          liveness: {
            ...d,
            ...l,
            enabled: { ...d.enabled, ...l?.enabled },
            required: { ...d.required, ...l?.required },
            blink: { ...d.blink, ...l?.blink },
            motion: { ...d.motion, ...l?.motion },
            passive: { ...d.passive, ...l?.passive },
            challenge: { ...d.challenge, ...l?.challenge },
          },
        };
      },
    },
  ),
);

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
