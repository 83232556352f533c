import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import { useModels } from '../../state/models';
import { usePwa } from '../../state/pwa';
import { runtimeVerdict, useRuntime } from '../../state/runtime';
import { useSettings } from '../../state/settings';
import { formatBytes } from '../format';

/** The backend in use; `compact` is the dot and its name, for the header when developer details are off. */
function BackendPill({ compact = false }: { compact?: boolean }) {
  const { status, info, error, measuring } = useRuntime(
    useShallow((s) => ({ status: s.status, info: s.info, error: s.error, measuring: s.probe.running })),
  );
  // The colour says fast or slow by the measured figures, not which backend it is.
  const verdict = useRuntime(useShallow(runtimeVerdict));
  const label =
    status === 'ready' && info
      ? info.name === 'webgpu' && info.gpu?.isFallbackAdapter
        ? 'webgpu (software)'
        : info.name
      : status === 'error'
        ? 'no backend'
        : measuring
          ? 'measuring…'
          : 'starting…';
  const tone =
    status === 'error' ? 'bad' : verdict?.speed === 'fast' ? 'good' : verdict?.speed === 'slow' ? 'warn' : 'idle';
  return (
    <a
      href="#/diagnostics"
      className={`pill ${tone}${compact ? ' compact' : ''}`}
      data-testid="status-backend"
      data-backend={info?.name ?? ''}
      data-speed={verdict?.speed ?? ''}
      title={error ?? verdict?.summary ?? 'Measuring which compute backend is fastest here'}
    >
      <span className="dot" aria-hidden="true" />{' '}
      {compact ? <span className="visually-hidden">Backend: </span> : 'Backend: '}
      {label}
    </a>
  );
}

function ModelsPill() {
  const { manifest, models } = useModels(useShallow((s) => ({ manifest: s.manifest, models: s.models })));
  const states = Object.values(models);
  const loading = states.filter((s) => s.status === 'loading');
  const ready = states.filter((s) => s.status === 'ready').length;
  const failed = states.filter((s) => s.status === 'error').length;
  let text = `Models: ${ready}/${manifest?.models.length ?? '…'} loaded`;
  if (loading.length > 0) {
    const loaded = loading.reduce((s, m) => s + (m.status === 'loading' ? m.loaded : 0), 0);
    const total = loading.reduce((s, m) => s + (m.status === 'loading' ? m.total : 0), 0);
    text = `Loading models ${formatBytes(loaded)} / ${formatBytes(total)}`;
  }
  if (failed > 0) text += ` · ${failed} failed`;
  return (
    <a href="#/diagnostics" className={`pill ${failed ? 'bad' : 'idle'}`} data-testid="status-models">
      {text}
    </a>
  );
}

/** Online or offline; `onlyOffline` shows nothing while online (the compact header). */
function NetworkPill({ onlyOffline = false }: { onlyOffline?: boolean }) {
  const online = usePwa((s) => s.online);
  const offlineReady = usePwa((s) => s.offlineReady);
  if (online && onlyOffline) return null;
  return (
    <span className={`pill ${online ? 'idle' : 'warn'}`} data-testid="status-network">
      {online ? (offlineReady ? 'Online · works offline' : 'Online') : 'Offline'}
    </span>
  );
}

/** The model list is read once at start: the status bar and Diagnostics show it. */
function useManifest() {
  const loadManifest = useModels((s) => s.loadManifest);
  useEffect(() => {
    void loadManifest();
  }, [loadManifest]);
}

/** The header's backend chip (and "Offline" when it is), while developer details are off. */
export function StatusChips() {
  useManifest();
  const details = useSettings((s) => s.devDetails);
  if (details) return null;
  return (
    <div className="status-chips" role="group" aria-label="Status">
      <BackendPill compact />
      <NetworkPill onlyOffline />
    </div>
  );
}

/** The developer status bar under every page (Settings → Show developer details). */
export function StatusBar() {
  const details = useSettings((s) => s.devDetails);
  return details ? <DeveloperStatus /> : null;
}

function DeveloperStatus() {
  const memory = useRuntime((s) => s.memory);
  const refreshMemory = useRuntime((s) => s.refreshMemory);
  useEffect(() => {
    const id = setInterval(refreshMemory, 2000);
    return () => clearInterval(id);
  }, [refreshMemory]);
  return (
    <footer className="statusbar" aria-label="Status">
      <BackendPill />
      <ModelsPill />
      <span className="pill idle" title="Live tensors (should stay flat while the app is idle)">
        Tensors: {memory.numTensors} · {formatBytes(memory.numBytes)}
      </span>
      <NetworkPill />
    </footer>
  );
}
