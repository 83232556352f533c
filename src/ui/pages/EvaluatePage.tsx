import { useEvaluate } from '../../state/evaluate';
import { FileButton } from '../components/FileButton';
import { useSettings } from '../../state/settings';

const pct = (x: number) => `${(x * 100).toFixed(2)} %`;

/** ROC curve: TAR against FAR on a log axis from 1e-4 to 1. */
function Roc({ points }: { points: { far: number; tar: number }[] }) {
  const w = 320;
  const h = 220;
  const pad = 34;
  const x = (far: number) => pad + ((Math.log10(Math.max(far, 1e-4)) + 4) / 4) * (w - pad - 8);
  const y = (tar: number) => h - pad - tar * (h - pad - 8);
  const d = points.map((p, i) => `${i ? 'L' : 'M'}${x(p.far).toFixed(1)},${y(p.tar).toFixed(1)}`).join('');
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" aria-label="ROC curve" data-testid="roc">
      {[1e-4, 1e-3, 1e-2, 1e-1, 1].map((f) => (
        <g key={f}>
          <line x1={x(f)} x2={x(f)} y1={8} y2={h - pad} className="grid-line" />
          <text x={x(f)} y={h - pad + 14} textAnchor="middle" className="axis">
            {f >= 1 ? '1' : `1e${Math.log10(f)}`}
          </text>
        </g>
      ))}
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <line x1={pad} x2={w - 8} y1={y(t)} y2={y(t)} className="grid-line" />
          <text x={pad - 4} y={y(t) + 4} textAnchor="end" className="axis">
            {t}
          </text>
        </g>
      ))}
      <path d={d} className="curve" />
      <text x={(w + pad) / 2} y={h - 4} textAnchor="middle" className="axis">
        false accept rate (log)
      </text>
    </svg>
  );
}

export function EvaluatePage() {
  const { running, progress, report, error, run, adoptThreshold } = useEvaluate();
  const current = useSettings((s) => s.faceThreshold);
  return (
    <div className="grid two">
      <section className="card">
        <h1>Evaluate</h1>
        <p className="lead">
          How well does face matching work on your own pictures? Choose a folder with one subfolder of photos per
          person.
        </p>
        <FileButton
          className="btn primary"
          directory
          disabled={running}
          testId="evaluate-input"
          onFiles={(f) => void run(f)}
        >
          Choose a labelled folder…
        </FileButton>
        {progress && running && (
          <div role="status">
            <progress max={progress.total} value={progress.done} />
            <p className="small muted">
              {progress.done} of {progress.total} images
            </p>
          </div>
        )}
        {error && (
          <div className="alert" role="alert" data-testid="evaluate-error">
            {error}
          </div>
        )}
        <p className="muted small">
          Every pair of images of the same person is a genuine pair, every pair of different people an impostor pair.
          Images stay on this device.
        </p>
      </section>
      {report && (
        <section
          className="card"
          data-testid="evaluate-report"
          data-eer={report.eer}
          data-threshold={report.threshold_at_eer}
        >
          <h2>
            Results — {report.model} on {report.backend}
          </h2>
          <table className="kv">
            <tbody>
              <tr>
                <th>Images / faces found</th>
                <td>
                  {report.images} / {report.faces_found}
                </td>
              </tr>
              <tr>
                <th>Identities</th>
                <td>{report.identities}</td>
              </tr>
              <tr>
                <th>Genuine / impostor pairs</th>
                <td>
                  {report.genuine_pairs.toLocaleString()} / {report.impostor_pairs.toLocaleString()}
                </td>
              </tr>
              <tr>
                <th>Equal error rate</th>
                <td data-testid="evaluate-eer">{pct(report.eer)}</td>
              </tr>
              <tr>
                <th>TAR at FAR = 1e-3</th>
                <td>{pct(report.tar_at_far_1e3)}</td>
              </tr>
              <tr>
                <th>Rank-1 identification</th>
                <td>
                  {pct(report.rank1)} of {report.rank1_probes} probes
                </td>
              </tr>
              <tr>
                <th>Threshold at the EER</th>
                <td>{report.threshold_at_eer.toFixed(3)}</td>
              </tr>
            </tbody>
          </table>
          <Roc points={report.roc} />
          <div className="row wrap">
            <button className="btn" onClick={adoptThreshold} data-testid="adopt-threshold">
              Use {report.threshold_at_eer.toFixed(3)} as the match threshold
            </button>
            {current != null && <span className="muted small">Current threshold: {current.toFixed(3)}</span>}
          </div>
          {report.skipped.length > 0 && (
            <details>
              <summary>{report.skipped.length} images not used</summary>
              <ul className="small">
                {report.skipped.map((s) => (
                  <li key={s.file}>
                    {s.file}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      )}
    </div>
  );
}
