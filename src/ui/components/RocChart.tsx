/** One ROC curve (TAR against FAR on a log axis from 1e-4 to 1), or several in their colours. */
export interface RocCurve {
  key: string;
  points: readonly { far: number; tar: number }[];
  /** Stroke colour; without one the theme's curve style is used. */
  colour?: string;
}

export function RocChart({ curves, label, testId }: { curves: RocCurve[]; label: string; testId: string }) {
  const w = 320;
  const h = 220;
  const pad = 34;
  const x = (far: number) => pad + ((Math.log10(Math.max(far, 1e-4)) + 4) / 4) * (w - pad - 8);
  const y = (tar: number) => h - pad - tar * (h - pad - 8);
  return (
    <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" aria-label={label} data-testid={testId}>
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
      {curves.map((c) => (
        <path
          key={c.key}
          d={c.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.far).toFixed(1)},${y(p.tar).toFixed(1)}`).join('')}
          className={c.colour ? undefined : 'curve'}
          {...(c.colour ? { fill: 'none', stroke: c.colour, strokeWidth: 2 } : {})}
        />
      ))}
      <text x={(w + pad) / 2} y={h - 4} textAnchor="middle" className="axis">
        false accept rate (log)
      </text>
    </svg>
  );
}
