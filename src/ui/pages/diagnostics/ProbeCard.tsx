import { useShallow } from 'zustand/react/shallow';
import { formatProbeMs } from '../../../ml/runtime/backend-choice';
import { gradientChoice, useRuntime } from '../../../state/runtime';

const HOW = {
  measured: 'Measured just now.',
  stored: 'From the measurement kept for this device and browser.',
  pinned: 'Chosen in Settings; Automatic would use the fastest below.',
  chain: 'Nothing could be measured, so the first backend that started is used.',
} as const;

/** The backend probe's figures: ms per backend, which was chosen and why, and Measure again. */
export function ProbeCard() {
  const { info, probe, remeasure, better, benchRunning } = useRuntime(
    useShallow((s) => ({
      info: s.info,
      probe: s.probe,
      remeasure: s.remeasure,
      better: s.betterAfterReload,
      benchRunning: s.bench.running,
    })),
  );
  const plain = useRuntime(useShallow((s) => gradientChoice(s, false)));
  const depthwise = useRuntime(useShallow((s) => gradientChoice(s, true)));
  const record = info?.probe ?? null;
  return (
    <section className="card wide" data-testid="probe-card">
      <div className="row spread">
        <h2>Which backend is fastest here</h2>
        <button
          className="btn"
          onClick={() => void remeasure()}
          disabled={!info || probe.running || benchRunning}
          data-testid="probe-remeasure"
        >
          {probe.running ? 'Measuring…' : 'Measure again'}
        </button>
      </div>
      {probe.progress && (
        <p role="status" className="muted">
          {probe.progress}
        </p>
      )}
      {probe.error && (
        <div className="alert" role="alert">
          The measurement did not finish: {probe.error}
        </div>
      )}
      {info && (
        <p data-testid="probe-reason" data-chosen={info.name} data-chosen-by={info.chosenBy}>
          Running on <strong>{info.name}</strong>. {info.reason} {HOW[info.chosenBy]}
        </p>
      )}
      {better && (
        <p className="notice" data-testid="probe-better">
          The new measurement found {better.name} faster.{' '}
          <button className="btn small" onClick={() => location.reload()}>
            Reload
          </button>{' '}
          to use it.
        </p>
      )}
      {record ? (
        <div className="table-scroll">
          <table className="data" data-testid="probe-table">
            <thead>
              <tr>
                <th>Backend</th>
                <th>One small inference</th>
                <th>First run (compiles)</th>
                <th title="Which gradients tfjs has on this backend: plain and depthwise convolutions">Gradients</th>
              </tr>
            </thead>
            <tbody>
              {record.figures.map((f) => (
                <tr key={f.name} data-testid={`probe-${f.name}`} data-ms={f.ms ?? ''}>
                  <td>
                    {f.name}
                    {f.software && <span className="muted small"> (software adapter)</span>}
                  </td>
                  <td>{f.ms != null ? formatProbeMs(f.ms) : <span title={f.error}>did not start</span>}</td>
                  <td>{f.warmupMs != null ? formatProbeMs(f.warmupMs) : '—'}</td>
                  <td>{f.gradients.conv ? (f.gradients.depthwise ? 'all' : 'not depthwise') : 'none'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            A 64×64 picture through four convolutions (like a face detector's first layers), timed after one warm-up
            run, on {record.at.slice(0, 10)}; the whole measurement took {(record.totalMs / 1000).toFixed(1)} s. It runs
            again when the graphics adapter, the WebGL renderer or the browser changes.
          </p>
          <p className="muted small" data-testid="probe-gradients">
            One backend serves the whole app. Style Studio, feature visualisation and the Lab use it when it has the
            gradients their network needs; the fastest with plain convolution gradients here is {plain?.name ?? 'none'},
            and with depthwise ones (FaceRes, BlazeFace, FaceMesh) {depthwise?.name ?? 'none'}.
          </p>
        </div>
      ) : (
        info && <p className="muted">No measurement for this device yet.</p>
      )}
    </section>
  );
}
