import { useMemo } from 'react';
import { useStyle, type CostRow } from '../../../state/style';
import { LivePlot, type PlotSeries } from '../../components/LivePlot';

const LAYER_COLOURS = ['#e4572e', '#29335c', '#f3a712', '#669bbc', '#a8c686', '#8e44ad', '#c0392b', '#16a085'];

const COST_SERIES: PlotSeries[] = [
  { label: 'total (J)', colour: '#6d5dfc' },
  { label: 'photo (α·J_content)', colour: '#2a9d8f' },
  { label: 'painting (β·J_style)', colour: '#e76f51' },
  { label: 'roughness (γ·J_TV)', colour: '#8d99ae', dash: true },
];
const TIME_SERIES: PlotSeries[] = [{ label: 'ms', colour: '#6c757d' }];

/** Each row's iteration number followed by the columns `pick` takes from it. */
function plotRows(rows: CostRow[], pick: (r: CostRow) => number[]): number[][] {
  return rows.map((r) => [r[0]!, ...pick(r)]);
}

/** The cost terms, each style layer's share and the time per iteration, live as the run goes. */
export function CostPlots() {
  const rows = useStyle((s) => s.rows);
  const styleLayerNames = useStyle((s) => s.styleLayerNames);
  const layerSeries: PlotSeries[] = useMemo(
    () => styleLayerNames.map((l, i) => ({ label: l, colour: LAYER_COLOURS[i % LAYER_COLOURS.length]! })),
    [styleLayerNames],
  );
  const costs = useMemo(() => plotRows(rows, (r) => [r[1]!, r[2]!, r[3]!, r[4]!]), [rows]);
  const layers = useMemo(() => plotRows(rows, (r) => r.slice(6)), [rows]);
  const times = useMemo(() => plotRows(rows, (r) => [r[5]!]), [rows]);
  if (rows.length === 0) return null;
  return (
    <div className="plots">
      <LivePlot
        title="Cost at each step, lower is closer (log scale)"
        series={COST_SERIES}
        rows={costs}
        logY
        testId="plot-costs"
      />
      <LivePlot
        title="Each layer's share of the painting's cost, β·λ·J_style (log scale)"
        series={layerSeries}
        rows={layers}
        logY
        testId="plot-layers"
      />
      <LivePlot title="Milliseconds per step" series={TIME_SERIES} rows={times} height={140} testId="plot-time" />
    </div>
  );
}
