import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface PlotSeries {
  label: string;
  /** CSS colour. */
  colour: string;
  /** Dashed lines for secondary terms. */
  dash?: boolean;
}

/** Tick spacings for a count: 1, 2, 5, 10, 20, 50, … */
const WHOLE_STEPS = Array.from({ length: 8 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

/** The x range widened to whole numbers, and to at least 1..2, so one point still gets whole ticks. */
function wholeRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  const lo = Math.floor(min ?? 0);
  return [lo, Math.max(lo + 1, Math.ceil(max ?? lo + 1))];
}

/**
 * A line plot of several series against the iteration number, on uPlot's canvas so that
 * redrawing hundreds of points every iteration costs well under a millisecond. `rows[i]`
 * holds the x value followed by one value per series. The plot keeps its instance between
 * renders and only swaps the data, so a running optimisation never rebuilds the chart.
 */
export function LivePlot({
  title,
  series,
  rows,
  logY = false,
  height = 220,
  testId,
}: {
  title: string;
  series: PlotSeries[];
  rows: readonly (readonly number[])[];
  logY?: boolean;
  height?: number;
  testId?: string;
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const key = series.map((s) => s.label).join('|') + String(logY);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height,
      scales: { x: { time: false, range: wholeRange }, y: logY ? { distr: 3 } : {} },
      axes: [
        // x counts steps, iterations or epochs: ticks on whole numbers only, never 1.5.
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, incrs: WHOLE_STEPS },
        { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.2)' }, size: 60 },
      ],
      legend: { live: false },
      series: [
        { label: 'iteration' },
        ...series.map((s) => ({ label: s.label, stroke: s.colour, width: 2, dash: s.dash ? [6, 4] : undefined })),
      ],
    };
    const chart = new uPlot(opts, [[], ...series.map(() => [])], el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(240, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The series list is captured by `key`; rebuilding on every new array identity would reset the plot.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, height]);

  useEffect(() => {
    const chart = plot.current;
    if (!chart) return;
    const columns: number[][] = [[], ...series.map(() => [])];
    for (const row of rows) {
      // A log axis cannot show zero or negative values; drop them rather than break the scale.
      for (let c = 0; c < columns.length; c++) {
        const v = row[c] ?? NaN;
        columns[c]!.push(logY && c > 0 && !(v > 0) ? NaN : v);
      }
    }
    chart.setData(columns as uPlot.AlignedData);
  }, [rows, series, logY]);

  return (
    <figure className="live-plot" data-testid={testId} data-points={rows.length}>
      <figcaption className="small muted">{title}</figcaption>
      <div ref={host} />
    </figure>
  );
}
