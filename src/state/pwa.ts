// The installed app's state: whether a service worker serves it offline, whether a new version
// is waiting, and whether the network is up. `connect` wires it to the service-worker
// registration and the browser's online events; a test passes fakes of both.
import { create } from 'zustand';

export interface PwaServices {
  /** The service worker, where the browser has one. */
  worker: {
    /** Registers it; returns the function that activates a waiting version and reloads. */
    register(callbacks: { onNeedRefresh(): void; onOfflineReady(): void }): () => Promise<void>;
    /** Resolves once a service worker controls the page (e.g. on a later visit). */
    ready: Promise<unknown>;
  } | null;
  online(): boolean;
  onOnlineChange(listener: () => void): void;
}

export interface PwaState {
  needRefresh: boolean;
  /** A service worker controls the app, so it loads and runs offline. */
  offlineReady: boolean;
  /** Show the one-time "installed for offline use" notice. */
  offlineNotice: boolean;
  online: boolean;
  /** Whether there is a service worker to update through. */
  canUpdate: boolean;
  connect(services: PwaServices): void;
  /** Activates the waiting version and reloads. */
  update(): Promise<void>;
  dismissUpdate(): void;
  dismissOfflineNotice(): void;
}

export function createPwaStore() {
  let activate: (() => Promise<void>) | null = null;
  return create<PwaState>()((set) => ({
    needRefresh: false,
    offlineReady: false,
    offlineNotice: false,
    online: true,
    canUpdate: false,
    connect(services) {
      set({ online: services.online() });
      services.onOnlineChange(() => set({ online: services.online() }));
      const worker = services.worker;
      if (!worker) return;
      activate = worker.register({
        onNeedRefresh: () => set({ needRefresh: true }),
        onOfflineReady: () => set({ offlineReady: true, offlineNotice: true }),
      });
      set({ canUpdate: true });
      void worker.ready.then(() => set({ offlineReady: true }));
    },
    update: () => activate?.() ?? Promise.resolve(),
    dismissUpdate: () => set({ needRefresh: false }),
    dismissOfflineNotice: () => set({ offlineNotice: false }),
  }));
}

export const usePwa = createPwaStore();
