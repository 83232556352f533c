import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import { useModels } from '../../state/models';
import { usePwa } from '../../state/pwa';
import { runtimeVerdict, useRuntime } from '../../state/runtime';
import { formatBytes } from '../format';

function BackendPill() {
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
      className={`pill ${tone}`}
      data-testid="status-backend"
      data-backend={info?.name ?? ''}
      data-speed={verdict?.speed ?? ''}
      title={error ?? verdict?.summary ?? 'Measuring which compute backend is fastest here'}
    >
      <span className="dot" aria-hidden="true" /> Backend: {label}
    </a>
  );
}

function ModelsPill() {
  const { manifest, models, loadManifest } = useModels(
    useShallow((s) => ({ manifest: s.manifest, models: s.models, loadManifest: s.loadManifest })),
  );
  useEffect(() => {
    void loadManifest();
  }, [loadManifest]);
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

export function StatusBar() {
  const online = usePwa((s) => s.online);
  const offlineReady = usePwa((s) => s.offlineReady);
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
      <span className={`pill ${online ? 'idle' : 'warn'}`} data-testid="status-network">
        {online ? (offlineReady ? 'Online · works offline' : 'Online') : 'Offline'}
      </span>
    </footer>
  );
}
