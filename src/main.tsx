import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { registerSW } from 'virtual:pwa-register';
import { App } from './ui/App';
import { usePwa } from './state/pwa';
import { useRuntime } from './state/runtime';
import { applyBackendOverride, useSettings } from './state/settings';
import './ui/styles.css';

applyBackendOverride(location.search);
void useRuntime.getState().start(useSettings.getState().backend);
// The automation hook (window.facet: benchmarks, evaluation, style CLI) is for the project's own
// command-line tools and e2e tests. It loads only when asked for with ?automation (kept for the
// tab's session, so in-app navigation keeps it), never in a default load.
if (new URLSearchParams(location.search).has('automation')) sessionStorage.setItem('facet.automation', '1');
if (sessionStorage.getItem('facet.automation') === '1') {
  void import('./state/automation').then((m) => m.installAutomation());
}

usePwa.getState().connect({
  worker:
    'serviceWorker' in navigator
      ? {
          register: ({ onNeedRefresh, onOfflineReady }) => {
            const update = registerSW({ onNeedRefresh, onOfflineReady });
            return () => update(true);
          },
          ready: navigator.serviceWorker.ready,
        }
      : null,
  online: () => navigator.onLine,
  onOnlineChange: (listener) => {
    addEventListener('online', listener);
    addEventListener('offline', listener);
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
