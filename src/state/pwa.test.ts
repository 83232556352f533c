import { describe, expect, it } from 'vitest';
import { createPwaStore, type PwaServices } from './pwa';

function fakeServices() {
  let callbacks: { onNeedRefresh(): void; onOfflineReady(): void } | null = null;
  let resolveReady: () => void = () => {};
  let online = true;
  const listeners: (() => void)[] = [];
  let updates = 0;
  const worker = {
    register(cb: Parameters<NonNullable<PwaServices['worker']>['register']>[0]) {
      callbacks = cb;
      return async () => {
        updates++;
      };
    },
    ready: new Promise<void>((r) => (resolveReady = r)),
  };
  const services: PwaServices = {
    worker,
    online: () => online,
    onOnlineChange: (l) => listeners.push(l),
  };
  return {
    services,
    needRefresh: () => callbacks!.onNeedRefresh(),
    offlineReady: () => callbacks!.onOfflineReady(),
    controlled: () => resolveReady(),
    goOffline: () => {
      online = false;
      listeners.forEach((l) => l());
    },
    updates: () => updates,
  };
}

const worker = (sw: ReturnType<typeof fakeServices>) => sw.services.worker!;

describe('pwa store', () => {
  it('shows the offline notice once, on the first install, and dismisses it', () => {
    const store = createPwaStore();
    const sw = fakeServices();
    store.getState().connect(sw.services);
    expect(store.getState()).toMatchObject({ offlineReady: false, offlineNotice: false, canUpdate: true });
    sw.offlineReady();
    expect(store.getState()).toMatchObject({ offlineReady: true, offlineNotice: true });
    store.getState().dismissOfflineNotice();
    expect(store.getState()).toMatchObject({ offlineReady: true, offlineNotice: false });
  });

  it('is offline-ready without a notice when a worker already controls the page', async () => {
    const store = createPwaStore();
    const sw = fakeServices();
    store.getState().connect(sw.services);
    sw.controlled();
    await worker(sw).ready;
    expect(store.getState()).toMatchObject({ offlineReady: true, offlineNotice: false });
  });

  it('offers a waiting version and activates it only when asked', async () => {
    const store = createPwaStore();
    const sw = fakeServices();
    await store.getState().update(); // before connecting there is nothing to update
    store.getState().connect(sw.services);
    sw.needRefresh();
    expect(store.getState().needRefresh).toBe(true);
    expect(sw.updates()).toBe(0);
    store.getState().dismissUpdate();
    expect(store.getState().needRefresh).toBe(false);
    await store.getState().update();
    expect(sw.updates()).toBe(1);
  });

  it('follows the network going away, with or without a service worker', () => {
    const store = createPwaStore();
    const sw = fakeServices();
    store.getState().connect({ ...sw.services, worker: null });
    expect(store.getState().canUpdate).toBe(false);
    expect(store.getState().online).toBe(true);
    sw.goOffline();
    expect(store.getState().online).toBe(false);
  });
});
