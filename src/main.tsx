import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { App } from './ui/App';
import { installAutomation } from './state/automation';
import { usePwa } from './state/pwa';
import { useRuntime } from './state/runtime';
import { applyBackendOverride, useSettings } from './state/settings';
import './ui/styles.css';

applyBackendOverride(location.search);
void useRuntime.getState().start(useSettings.getState().backend);
installAutomation();

if ('serviceWorker' in navigator) {
  const update = registerSW({
    onNeedRefresh: () => usePwa.getState().set({ needRefresh: true }),
    onOfflineReady: () => usePwa.getState().set({ offlineReady: true, offlineNotice: true }),
  });
  usePwa.getState().set({ update: () => update(true) });
  void navigator.serviceWorker.ready.then(() => usePwa.getState().set({ offlineReady: true }));
}
addEventListener('online', () => usePwa.getState().set({ online: true }));
addEventListener('offline', () => usePwa.getState().set({ online: false }));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
