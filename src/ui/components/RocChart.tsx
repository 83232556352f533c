/** One ROC curve (TAR against FAR on a log axis from 1e-4 to 1), or several in their colours. */
export interface RocCurve {
  key: string;
  points: readonly { far: number; tar: number }[];
  /** Stroke colour; without one the theme's curve style is used. */
  colour?: string;
}

/** The false accept rates of the ticks, as a share of strangers. */
const TICK: Record<number, string> = { 1e-4: '1 in 10k', 1e-3: '1 in 1k', 1e-2: '1 %', 1e-1: '10 %', 1: '100 %' };

export function RocChart({ curves, label, testId }: { curves: RocCurve[]; label: string; testId: string }) {
  const w = 320;
  const h = 220;
  const pad = 34;
  const left = 52;
  const x = (far: number) => left + ((Math.log10(Math.max(far, 1e-4)) + 4) / 4) * (w - left - 20);
  const y = (tar: number) => h - pad - tar * (h - pad - 8);
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" aria-label={label} data-testid={testId}>
      {[1e-4, 1e-3, 1e-2, 1e-1, 1].map((f) => (
        <g key={f}>
          <line x1={x(f)} x2={x(f)} y1={8} y2={h - pad} className="grid-line" />
          <text x={x(f)} y={h - pad + 14} textAnchor="middle" className="axis">
            {TICK[f]}
          </text>
        </g>
      ))}
      {[0, 0.5, 1].map((t) => (
        <g key={t}>
          <line x1={left} x2={w - 20} y1={y(t)} y2={y(t)} className="grid-line" />
          <text x={left - 4} y={y(t) + 4} textAnchor="end" className="axis">
            {t * 100} %
          </text>
        </g>
      ))}
      {curves.map((c) => (
        <path
          key={c.key}
          d={c.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.far).toFixed(1)},${y(p.tar).toFixed(1)}`).join('')}
          className={c.colour ? undefined : 'curve'}
          {...(c.colour ? { fill: 'none', stroke: c.colour, strokeWidth: 2 } : {})}
        />
      ))}
      <text x={(w + left) / 2} y={h - 4} textAnchor="middle" className="axis">
        strangers let in (false accept rate, log)
      </text>
      <text x={10} y={(h - pad) / 2} textAnchor="middle" className="axis" transform={`rotate(-90 10 ${(h - pad) / 2})`}>
        right person accepted
      </text>
    </svg>
  );
}
