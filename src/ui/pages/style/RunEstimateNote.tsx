import { useShallow } from 'zustand/react/shallow';
import { formatBytes } from '../../../ml/style/run-estimate';
import { useRuntime } from '../../../state/runtime';
import { selectBusy, selectRunEstimate, useStyle } from '../../../state/style';

const formatMs = (ms: number) => {
  const s = ms / 1000;
  if (s < 60) return `about ${Math.max(1, Math.round(s))} s`;
  const min = Math.round(s / 60);
  return min < 90 ? `about ${min} min` : `about ${(min / 60).toFixed(1)} h`;
};

/** Before Start: how the run will go (sizes, tiles), the memory it needs and, after a first run here, its time. */
export function RunEstimateNote() {
  const backend = useRuntime((s) => s.info?.name);
  const busy = useStyle(selectBusy);
  const inputs = useStyle(
    useShallow((s) => ({
      content: s.content,
      settings: s.settings,
      network: s.network,
      networkId: s.networkId,
      pace: s.pace,
    })),
  );
  if (busy) return null;
  const e = selectRunEstimate(inputs, backend);
  if (!e) return null;
  const last = e.stages[e.stages.length - 1]!;
  const plan = e.tiled
    ? `${last.width}×${last.height} px as one picture, then ${e.tiled.width}×${e.tiled.height} px in ` +
      `${e.tiled.tiles} overlapping tiles of ${e.tiled.tileSize} px (${e.tiled.iterationsPerTile} steps each)`
    : `${last.width}×${last.height} px${e.stages.length > 1 ? ` (half size first)` : ''}`;
  return (
    <p
      className="small muted"
      data-testid="style-estimate"
      data-tiles={e.tiled?.tiles ?? 0}
      data-peak-bytes={e.peakBytes}
      title="Memory: the loss network's activations and their gradients for the largest piece, not counting its weights. Time: from the pace of your last run with this network here."
    >
      Next run: {plan}; {e.iterations} steps in all; needs {formatBytes(e.peakBytes)} of memory
      {e.ms !== null ? `; takes ${formatMs(e.ms)}` : '; the time left shows after the first step'}.
    </p>
  );
}
