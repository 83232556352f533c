import { useMemo, useState } from 'react';
import {
  falseMatchRateAt,
  gallerySizeAtFalseMatchRate,
  openSetRates,
  predictedFalseMatchRate,
  type OpenSetPoint,
} from '../../../ml/face/evaluate';
import { type EvaluationReport, type RecognitionData } from '../../../state/evaluate';
import { faceThreshold, useFaces } from '../../../state/faces';
import { useSettings } from '../../../state/settings';
import { about, MAX_LOG_N, passes, people, rate, REFERENCE_GALLERY } from './format';

function GallerySizeChart({
  fmr1,
  bound,
  points,
}: {
  fmr1: number;
  /** Drawn dashed when no impostor pair matches: the curve for the smallest measurable FMR₁. */
  bound: number | null;
  points: OpenSetPoint[];
}) {
  const w = 480;
  const h = 250;
  const left = 40;
  const right = 14;
  const top = 10;
  const bottom = 36;
  const x = (n: number) => left + (Math.log10(Math.max(n, 1)) / MAX_LOG_N) * (w - left - right);
  const y = (r: number) => h - bottom - r * (h - bottom - top);
  const curve = (f: number) =>
    Array.from({ length: MAX_LOG_N * 40 + 1 }, (_, i) => {
      const n = 10 ** (i / 40);
      return `${i ? 'L' : 'M'}${x(n).toFixed(1)},${y(predictedFalseMatchRate(f, n)).toFixed(1)}`;
    }).join('');
  const crossings = [0.01, 0.5]
    .map((target) => ({ target, n: gallerySizeAtFalseMatchRate(fmr1, target) }))
    .filter((c) => c.n >= 1 && c.n <= 10 ** MAX_LOG_N);
  return (
    <svg
      viewBox={`0 0 ${w} ${h}`}
      className="chart recognition-chart"
      role="img"
      aria-label="Predicted and measured 1:N false match rate against gallery size"
      data-testid="recognition-chart"
    >
      {Array.from({ length: MAX_LOG_N + 1 }, (_, k) => (
        <g key={k}>
          <line x1={x(10 ** k)} x2={x(10 ** k)} y1={top} y2={h - bottom} className="grid-line" />
          <text x={x(10 ** k)} y={h - bottom + 14} textAnchor="middle" className="axis">
            {k === 0
              ? '1'
              : k < 4
                ? (10 ** k).toLocaleString('en-US')
                : k < 6
                  ? `${10 ** (k - 3)}k`
                  : `${10 ** (k - 6)}M`}
          </text>
        </g>
      ))}
      {[0, 0.25, 0.5, 0.75, 1].map((r) => (
        <g key={r}>
          <line x1={left} x2={w - right} y1={y(r)} y2={y(r)} className="grid-line" />
          <text x={left - 4} y={y(r) + 4} textAnchor="end" className="axis">
            {r * 100} %
          </text>
        </g>
      ))}
      {bound != null && <path d={curve(bound)} className="curve bound" />}
      <path d={curve(fmr1)} className="curve" data-testid="predicted-curve" />
      {crossings.map(({ target, n }) => {
        // A low crossing sits among the measured points: its label goes higher up, on the line.
        const labelY = target > 0.25 ? y(target) - 6 : y(0.12);
        return (
          <g key={target} className="crossing" data-testid="fmr-crossing" data-target={target} data-n={n}>
            <line x1={x(n)} x2={x(n)} y1={Math.min(y(target), labelY + 4)} y2={h - bottom} />
            <circle cx={x(n)} cy={y(target)} r={3.5} />
            <text x={x(n) + 5} y={labelY} className="axis">
              {target * 100} % at N ≈ {people(n)}
            </text>
          </g>
        );
      })}
      {Array.from({ length: MAX_LOG_N + 1 }, (_, k) => {
        const n = 10 ** k;
        const r = predictedFalseMatchRate(fmr1, n);
        return (
          <circle
            key={k}
            cx={x(n)}
            cy={y(r)}
            r={2}
            className="predicted-mark"
            data-testid="predicted-fmr"
            data-n={n}
            data-fmr={r}
          />
        );
      })}
      {points.map((p) =>
        p.identification_rate == null ? null : (
          <rect
            key={`id-${p.n}`}
            x={x(p.n) - 3.5}
            y={y(p.identification_rate) - 3.5}
            width={7}
            height={7}
            className="identified-point"
            data-testid="open-set-identified"
            data-n={p.n}
            data-rate={p.identification_rate}
          >
            <title>
              Gallery of {p.n + 1} with the probe&apos;s own identity: {rate(p.identification_rate)} identified
            </title>
          </rect>
        ),
      )}
      {points.map((p) => (
        <circle
          key={`fm-${p.n}`}
          cx={x(p.n)}
          cy={y(p.false_match_rate)}
          r={4.5}
          className="measured-point"
          data-testid="open-set-point"
          data-n={p.n}
          data-fmr={p.false_match_rate}
          data-predicted={predictedFalseMatchRate(fmr1, p.n)}
        >
          <title>
            Gallery of {p.n}: {rate(p.false_match_rate)} of strangers matched (measured)
          </title>
        </circle>
      ))}
      <text x={(w + left) / 2} y={h - 4} textAnchor="middle" className="axis">
        people enrolled (gallery size N, log)
      </text>
    </svg>
  );
}

/**
 * Verification versus recognition: how the 1:1 false match rate at one threshold becomes the
 * 1:N rate of a gallery of N people, predicted from the impostor scores and measured on the set.
 */
export function RecognitionPanel({ report, recognition }: { report: EvaluationReport; recognition: RecognitionData }) {
  // Subscribed so the adopted threshold re-renders here; faceThreshold() reads both.
  useSettings((s) => s.faceThresholds);
  useFaces((s) => s.embedderId);
  const adopted = faceThreshold('identify');
  const [tried, setTried] = useState<number | null>(null);
  const threshold = tried ?? adopted;
  const { impostor, trials } = recognition;
  const fmr1 = useMemo(() => falseMatchRateAt(impostor, threshold), [impostor, threshold]);
  const points = useMemo(() => openSetRates(trials, threshold), [trials, threshold]);
  const pairs = impostor.length;
  const accepted = Math.round(fmr1 * pairs);
  const resolution = 1 / pairs;
  const atReference = predictedFalseMatchRate(fmr1, REFERENCE_GALLERY);
  const low = Math.min(Math.floor(Math.min(report.impostor_scores_summary.min, adopted) * 20) / 20, 0.95);
  const t = threshold.toFixed(3);
  const ref = REFERENCE_GALLERY.toLocaleString('en-US');

  let explanation: string;
  if (fmr1 === 0) {
    explanation = `At threshold ${t} none of the ${pairs.toLocaleString('en-US')} pairs of two different people in this set match, so comparing one face with one other (1:1) lets in strangers less often than about ${rate(resolution)}; were it that, a gallery of ${ref} people would falsely match ${about(predictedFalseMatchRate(resolution, REFERENCE_GALLERY))} of strangers (dashed curve) — only a larger set can say how far below it lies.`;
  } else if (fmr1 === 1) {
    explanation = `At threshold ${t} every pair of two different people matches, so Identify would name an enrolled person for every stranger.`;
  } else {
    explanation = `At threshold ${t}, comparing one face with one other (1:1) takes ${rate(fmr1)} of the pairs of two different people for the same person (${accepted.toLocaleString('en-US')} of ${pairs.toLocaleString('en-US')}), yet searched against a gallery of ${ref} people the same threshold would take ${about(atReference)} of strangers for someone enrolled, because a stranger only has to resemble one of them.`;
  }

  return (
    <section
      className="card span-all recognition"
      data-testid="recognition-panel"
      data-threshold={threshold}
      data-fmr1={fmr1}
      data-impostor-pairs={pairs}
    >
      <h2>Verification versus recognition</h2>
      <p className="lead" data-testid="recognition-explanation">
        {explanation}
      </p>
      <div className="recognition-body">
        <div>
          <label className="field">
            <span>
              Threshold: {t} {tried == null ? '(the threshold in use)' : `(trying; in use: ${adopted.toFixed(3)})`}
            </span>
            <input
              type="range"
              min={low}
              max={1}
              step={0.005}
              value={threshold}
              onChange={(e) => setTried(Number(e.target.value))}
              data-testid="recognition-threshold"
            />
          </label>
          {tried != null && (
            <button className="btn" onClick={() => setTried(null)}>
              Back to {adopted.toFixed(3)}
            </button>
          )}
          <GallerySizeChart fmr1={fmr1} bound={fmr1 === 0 ? resolution : null} points={points} />
          <ul className="legend small">
            <li>
              <span className="key curve-key" /> predicted 1 − (1 − FMR₁)<sup>N</sup> with FMR₁ = {rate(fmr1)}
              {fmr1 > 0 && fmr1 < 1 && (
                <>
                  {' '}
                  — {passes(fmr1, 0.01)} and {passes(fmr1, 0.5)}
                </>
              )}
            </li>
            <li>
              <span className="key measured-key" /> measured: strangers matched by a gallery of N people of this set
            </li>
            <li>
              <span className="key identified-key" /> measured: enrolled people identified (own photo plus N others)
            </li>
          </ul>
        </div>
        <div>
          <table className="data small" data-testid="open-set-table">
            <thead>
              <tr>
                <th title="Gallery size N">People enrolled</th>
                <th>Strangers taken for someone</th>
                <th>Predicted</th>
                <th title="Rank-1: the best match is the right person">Right person first</th>
                <th title={`Identification rate at threshold ${t}`}>Right person named at {t}</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.n}>
                  <td>{p.n}</td>
                  <td>{rate(p.false_match_rate)}</td>
                  <td>{rate(predictedFalseMatchRate(fmr1, p.n))}</td>
                  <td>{p.rank1 == null ? '—' : rate(p.rank1)}</td>
                  <td>{p.identification_rate == null ? '—' : rate(p.identification_rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">
            Each person of the set in turn is the stranger, searched against random galleries of N of the others (
            {trials.draws} per person and size, one random photo each as the template), and — with one of their own
            photos enrolled too — the probe that should be found. The set has {report.identities} people, so measured
            galleries stop at {report.identities - 1}; the prediction assumes that comparisons with different people are
            independent.
          </p>
        </div>
      </div>
    </section>
  );
}
