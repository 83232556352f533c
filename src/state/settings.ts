import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { isBackendName, type BackendName } from '../ml/runtime/backend';

export type Theme = 'system' | 'light' | 'dark';

export interface SettingsState {
  /** null means "best available" (webgpu → webgl → wasm → cpu). */
  backend: BackendName | null;
  theme: Theme;
  cameraId: string | null;
  resolution: number;
  setBackend(b: BackendName | null): void;
  setTheme(t: Theme): void;
  setCamera(id: string | null): void;
  setResolution(i: number): void;
  reset(): void;
}

const defaults = { backend: null, theme: 'system' as Theme, cameraId: null, resolution: 0 };

export const useSettings = create<SettingsState>()(
  persist(
    (set) => ({
      ...defaults,
      setBackend: (backend) => set({ backend }),
      setTheme: (theme) => set({ theme }),
      setCamera: (cameraId) => set({ cameraId }),
      setResolution: (resolution) => set({ resolution }),
      reset: () => set(defaults),
    }),
    {
      name: 'facet.settings',
      version: 1,
      partialize: ({ backend, theme, cameraId, resolution }) => ({ backend, theme, cameraId, resolution }),
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
