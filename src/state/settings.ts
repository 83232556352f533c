import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { isBackendName, type BackendName } from '../ml/runtime/backend';
import { DEFAULT_LIVENESS_SETTINGS, type CueName, type LivenessSettings } from '../ml/liveness/fusion';

/** How a liveness cue takes part in an unlock: not at all, shown only, or must pass. */
export type CueMode = 'off' | 'advisory' | 'required';

export type Theme = 'system' | 'light' | 'dark';

export interface SettingsState {
  /** null means "best available" (webgpu → webgl → wasm → cpu). */
  backend: BackendName | null;
  theme: Theme;
  cameraId: string | null;
  resolution: number;
  /**
   * Cosine similarity at or above which a face matches a template (Unlock and Identify);
   * null uses the active embedding model's measured default.
   */
  faceThreshold: number | null;
  /** Failed unlock attempts in a row before the lockout, and its length. */
  unlockMaxFailures: number;
  unlockLockoutSeconds: number;
  /** Which liveness cues run and must pass, and how long an attempt may take. */
  liveness: LivenessSettings;
  /** The Siamese Lab model (studio record id) that Unlock and Identify match with; null: plain cosine. */
  adoptedLabModelId: string | null;
  setCueMode(cue: CueName, mode: CueMode): void;
  setLiveness(patch: Partial<LivenessSettings>): void;
  setFace(patch: Partial<Pick<SettingsState, 'faceThreshold' | 'unlockMaxFailures' | 'unlockLockoutSeconds'>>): void;
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
  faceThreshold: null,
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
      version: 1,
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
 * A `?backend=` query parameter overrides the chosen backend and is kept in settings, so
 * the choice survives reloads. `?backend=auto` clears it.
 */
export function applyBackendOverride(search: string): void {
  const value = new URLSearchParams(search).get('backend');
  if (value === 'auto') useSettings.getState().setBackend(null);
  else if (isBackendName(value)) useSettings.getState().setBackend(value);
}
