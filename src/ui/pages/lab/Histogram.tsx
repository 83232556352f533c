import type { PairHistogram } from '../../../ml/siamese/compare';
import { GENUINE, IMPOSTOR } from './shared';

/** Genuine and impostor pairs as overlaid bars, each normalised to its own count. */
export function Histogram({
  hist,
  title,
  axis,
  threshold,
  testId,
}: {
  hist: PairHistogram;
  title: string;
  axis: string;
  threshold?: number | null;
  testId?: string;
}) {
  const w = 320;
  const h = 150;
  const pad = { l: 30, r: 8, t: 8, b: 30 };
  const lo = hist.edges[0]!;
  const hi = hist.edges[hist.edges.length - 1]!;
  const top = Math.max(1e-9, ...hist.genuineFraction, ...hist.impostorFraction);
  const x = (v: number) => pad.l + ((v - lo) / (hi - lo)) * (w - pad.l - pad.r);
  const y = (f: number) => h - pad.b - (f / top) * (h - pad.t - pad.b);
  const bars = (fractions: number[], colour: string) =>
    fractions.map((f, i) =>
      f > 0 ? (
        <rect
          key={i}
          x={x(hist.edges[i]!)}
          width={Math.max(0.5, x(hist.edges[i + 1]!) - x(hist.edges[i]!) - 0.5)}
          y={y(f)}
          height={h - pad.b - y(f)}
          fill={colour}
          fillOpacity={0.55}
        />
      ) : null,
    );
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  return (
    <figure className="lab-hist" data-testid={testId}>
      <figcaption className="small muted">{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={pad.t} y2={h - pad.b} className="grid-line" />
            <text x={x(t)} y={h - pad.b + 12} textAnchor="middle" className="axis">
              {Number(t.toFixed(2))}
            </text>
          </g>
        ))}
        <line x1={pad.l} x2={w - pad.r} y1={h - pad.b} y2={h - pad.b} className="grid-line" />
        {bars(hist.impostorFraction, IMPOSTOR)}
        {bars(hist.genuineFraction, GENUINE)}
        {threshold != null && (
          <line
            x1={x(threshold)}
            x2={x(threshold)}
            y1={pad.t}
            y2={h - pad.b}
            className="lab-threshold"
            strokeDasharray="4 3"
          />
        )}
        <text x={(w + pad.l) / 2} y={h - 4} textAnchor="middle" className="axis">
          {axis}
        </text>
      </svg>
    </figure>
  );
}

export function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul className="lab-legend small">
      {items.map(([label, colour]) => (
        <li key={label}>
          <span className="lab-swatch" style={{ background: colour }} aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}
