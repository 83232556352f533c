import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import type { BackendName } from '../../ml/runtime/backend';
import { useSettings } from '../../state/settings';
import { useModels } from '../../state/models';
import { usePwa } from '../../state/pwa';
import { useRuntime } from '../../state/runtime';
import { CameraPanel } from '../components/CameraPanel';
import { FaceCheckButton, FaceCheckResult } from '../components/FaceCheck';
import { formatBytes, formatMs } from '../format';
import { ProbeCard } from './diagnostics/ProbeCard';

const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxTextureDimension2D',
];

function BackendCard() {
  const { status, info, error } = useRuntime(useShallow((s) => ({ status: s.status, info: s.info, error: s.error })));
  const offlineReady = usePwa((s) => s.offlineReady);
  if (status === 'error') {
    return (
      <section className="card" data-testid="backend-card">
        <h2>Compute backend</h2>
        <div className="alert" role="alert">
          {error}
        </div>
      </section>
    );
  }
  if (!info) return <section className="card">Starting TensorFlow.js…</section>;
  return (
    <section className="card" data-testid="backend-card">
      <h2>Compute backend</h2>
      <p className="big" data-testid="backend-name" data-backend={info.name}>
        {info.name}
      </p>
      {info.preferredFailed && (
        <p className="notice">The backend chosen in Settings could not start; Facet fell back to {info.name}.</p>
      )}
      {info.webgpuNote && <p className="notice">{info.webgpuNote}</p>}
      <table className="kv">
        <tbody>
          <tr>
            <th>TensorFlow.js</th>
            <td>{info.tfjsVersion}</td>
          </tr>
          <tr>
            <th>Tried</th>
            <td data-testid="backend-attempts">
              {info.attempts.map((a) => (
                <span key={a.name} className={`chip ${a.ok ? 'good' : 'bad'}`} title={a.error}>
                  {a.name} {a.ok ? '✓' : '✗'} {formatMs(a.ms)}
                </span>
              ))}
            </td>
          </tr>
          <tr>
            <th>Service worker</th>
            <td>{offlineReady ? 'active — works offline' : 'not active yet'}</td>
          </tr>
          <tr>
            <th>Cross-origin isolated</th>
            <td>{String(globalThis.crossOriginIsolated ?? false)}</td>
          </tr>
        </tbody>
      </table>
    </section>
  );
}

function AdapterCard() {
  const gpu = useRuntime((s) => s.info?.gpu);
  if (!gpu) {
    return (
      <section className="card">
        <h2>GPU adapter</h2>
        <p className="muted">Not running on WebGPU, so no adapter is in use.</p>
      </section>
    );
  }
  return (
    <section className="card" data-testid="adapter-card">
      <h2>GPU adapter</h2>
      <table className="kv">
        <tbody>
          <tr>
            <th>Vendor</th>
            <td data-testid="adapter-vendor">{gpu.vendor}</td>
          </tr>
          <tr>
            <th>Architecture</th>
            <td data-testid="adapter-architecture">{gpu.architecture}</td>
          </tr>
          {gpu.device && (
            <tr>
              <th>Device</th>
              <td>{gpu.device}</td>
            </tr>
          )}
          {gpu.description && (
            <tr>
              <th>Description</th>
              <td>{gpu.description}</td>
            </tr>
          )}
          <tr>
            <th>Fallback (software) adapter</th>
            <td data-testid="adapter-fallback">
              {gpu.isFallbackAdapter == null ? 'unknown' : gpu.isFallbackAdapter ? 'yes — expect low speed' : 'no'}
            </td>
          </tr>
          <tr>
            <th>Features</th>
            <td className="small">{gpu.features.join(', ') || 'none'}</td>
          </tr>
        </tbody>
      </table>
      <details>
        <summary>Limits</summary>
        <table className="kv small" data-testid="adapter-limits">
          <tbody>
            {Object.entries(gpu.limits)
              .sort(
                ([a], [b]) => Number(!KEY_LIMITS.includes(a)) - Number(!KEY_LIMITS.includes(b)) || a.localeCompare(b),
              )
              .map(([k, v]) => (
                <tr key={k}>
                  <th>{k}</th>
                  <td>
                    {/Size$/.test(k) && v >= 1024 ? `${v.toLocaleString()} (${formatBytes(v)})` : v.toLocaleString()}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

function ModelsCard() {
  const { manifest, manifestError, models, offline, load, refreshOffline } = useModels(
    useShallow((s) => ({
      manifest: s.manifest,
      manifestError: s.manifestError,
      models: s.models,
      offline: s.offline,
      load: s.load,
      refreshOffline: s.refreshOffline,
    })),
  );
  const swReady = usePwa((s) => s.offlineReady);
  useEffect(() => {
    void refreshOffline();
  }, [refreshOffline, swReady]);
  return (
    <section className="card wide" data-testid="models-card">
      <h2>Models</h2>
      {manifestError && (
        <div className="alert" role="alert">
          {manifestError}
        </div>
      )}
      <div className="table-scroll">
        <table className="data">
          <thead>
            <tr>
              <th>Model</th>
              <th>Task</th>
              <th>Input</th>
              <th>Size</th>
              <th>Source</th>
              <th>Offline</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {manifest?.models.map((m) => {
              const s = models[m.id] ?? { status: 'idle' };
              return (
                <tr key={m.id} data-testid={`model-${m.id}`} data-status={s.status}>
                  <td>
                    <strong>{m.name}</strong>
                    <div
                      className="muted small mono"
                      title={m.files.map((f) => `${f.path} sha256 ${f.sha256}`).join('\n')}
                    >
                      {m.id} · sha256 {m.files.at(-1)?.sha256.slice(0, 10)}…
                    </div>
                  </td>
                  <td>{m.task}</td>
                  <td className="mono small">{m.inputShape.map((d) => (d < 0 ? 'N' : d)).join('×')}</td>
                  <td>{formatBytes(m.bytes)}</td>
                  <td className="small">
                    {m.source.package}@{m.source.version}
                    <div className="muted">{m.licence}</div>
                  </td>
                  <td>{offline[m.id] ? '✓ cached' : '—'}</td>
                  <td className="state">
                    {s.status === 'idle' && (
                      <button className="btn small" onClick={() => void load(m.id).catch(() => {})}>
                        Load
                      </button>
                    )}
                    {s.status === 'loading' && (
                      <div>
                        <progress max={s.total || 1} value={s.loaded} aria-label={`Loading ${m.name}`} />
                        <div className="small mono">
                          {formatBytes(s.loaded)} / {formatBytes(s.total)}
                        </div>
                      </div>
                    )}
                    {s.status === 'ready' && <span className="chip good">loaded · {formatMs(s.ms)}</span>}
                    {s.status === 'error' && (
                      <div className="alert small" role="alert" data-testid={`model-error-${m.id}`}>
                        {s.message}
                        <button className="btn small" onClick={() => void load(m.id).catch(() => {})}>
                          Retry
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {manifest && (
        <p className="muted small">
          {manifest.models.length} models, {formatBytes(manifest.models.reduce((s, m) => s + m.bytes, 0))} in all,
          verified against their sha256 when loaded. Served from this app only; nothing is downloaded from elsewhere.
        </p>
      )}
    </section>
  );
}

function BenchCard() {
  const { bench, runBench, status, info } = useRuntime(
    useShallow((s) => ({ bench: s.bench, runBench: s.runBench, status: s.status, info: s.info })),
  );
  const setBackend = useSettings((s) => s.setBackend);
  const r = bench.result;
  const best = r?.fastest;
  return (
    <section className="card wide" data-testid="bench-card">
      <div className="row spread">
        <h2>Backend benchmark</h2>
        <button className="btn primary" onClick={() => void runBench()} disabled={bench.running || status !== 'ready'}>
          {bench.running ? 'Running…' : 'Run benchmark'}
        </button>
      </div>
      <p className="muted small">
        Times a 256×256 matrix product and a 3×3 convolution on every backend this browser can start, against the cpu
        backend measured in the same run. Slow backends (software WebGPU) take a while.
      </p>
      {bench.progress && (
        <p role="status" className="muted">
          {bench.progress}
        </p>
      )}
      {bench.error && (
        <div className="alert" role="alert">
          {bench.error}
        </div>
      )}
      {r && (
        <div className="table-scroll">
          <table className="data" data-testid="bench-table">
            <thead>
              <tr>
                <th>Benchmark</th>
                <th>Backend</th>
                <th>Median</th>
                <th>p90</th>
                <th>GFLOP/s</th>
                <th>vs cpu</th>
              </tr>
            </thead>
            <tbody>
              {r.entries.map((e) => (
                <tr key={`${e.name}-${e.backend}`}>
                  <td>{e.name}</td>
                  <td>{e.backend}</td>
                  <td>{formatMs(e.median_ms)}</td>
                  <td>{formatMs(e.p90_ms)}</td>
                  <td>{e.gflops.toFixed(2)}</td>
                  <td>{e.speedup_vs_baseline == null ? '—' : `${e.speedup_vs_baseline.toFixed(2)}×`}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {best && info && best.backend !== info.name && (
            <p className="notice" data-testid="bench-suggestion">
              On this device <strong>{best.backend}</strong> is fastest ({best.speedup.toFixed(1)}× the cpu baseline
              overall), faster than {info.name} now in use.{' '}
              <button
                className="btn small"
                onClick={() => {
                  setBackend(best.backend as BackendName);
                  location.reload();
                }}
              >
                Use {best.backend}
              </button>
            </p>
          )}
          {r.skipped.length > 0 && (
            <p className="muted small">
              Not available here: {r.skipped.map((s) => `${s.backend} (${s.reason})`).join('; ')}
            </p>
          )}
        </div>
      )}
    </section>
  );
}

export function DiagnosticsPage() {
  return (
    <div className="grid two">
      <h1 className="span-all">Diagnostics</h1>
      <BackendCard />
      <AdapterCard />
      <ProbeCard />
      <ModelsCard />
      <BenchCard />
      <section className="card wide">
        <h2>Camera and face detector check</h2>
        <CameraPanel
          actions={(video) => <FaceCheckButton source={() => video} />}
          imageActions={(bitmap) => <FaceCheckButton source={() => bitmap} />}
        />
        <FaceCheckResult />
      </section>
    </div>
  );
}
