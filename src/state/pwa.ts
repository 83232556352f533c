import { create } from 'zustand';

interface PwaState {
  needRefresh: boolean;
  /** A service worker controls the app, so it loads and runs offline. */
  offlineReady: boolean;
  /** Show the one-time "installed for offline use" notice. */
  offlineNotice: boolean;
  online: boolean;
  update: (() => Promise<void>) | null;
  set(partial: Partial<Omit<PwaState, 'set'>>): void;
}

export const usePwa = create<PwaState>()((set) => ({
  needRefresh: false,
  offlineReady: false,
  offlineNotice: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  update: null,
  set: (partial) => set(partial),
}));
