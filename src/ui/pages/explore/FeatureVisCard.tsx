import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useExplore } from '../../../state/explore';
import { useRuntime } from '../../../state/runtime';
import { BitmapView } from '../../components/BitmapView';
import { LivePlot, type PlotSeries } from '../../components/LivePlot';
import { NumberField } from '../../components/NumberField';

export function FeatureVisCard() {
  const { network, layer, visSettings, visStatus, visError, visRows, visPreview, patchStatus } = useExplore(
    useShallow((s) => ({
      network: s.network,
      layer: s.layer,
      visSettings: s.visSettings,
      visStatus: s.visStatus,
      visError: s.visError,
      visRows: s.visRows,
      visPreview: s.visPreview,
      patchStatus: s.patchStatus,
    })),
  );
  const setVisSettings = useExplore((s) => s.setVisSettings);
  const startFeatureVis = useExplore((s) => s.startFeatureVis);
  const stopFeatureVis = useExplore((s) => s.stopFeatureVis);
  const backend = useRuntime((s) => s.info?.name ?? null);
  const running = visStatus === 'running';
  const current = network.layers.find((l) => l.name === layer);
  const series: PlotSeries[] = useMemo(() => [{ label: 'activation', colour: '#6d5dfc' }], []);
  const plotRows = useMemo(() => visRows.map((r) => [r[0], r[1]]), [visRows]);
  const last = visRows[visRows.length - 1];
  return (
    <section className="card" aria-labelledby="explore-vis">
      <h2 id="explore-vis">Feature visualisation</h2>
      <p className="muted small">
        Start from grey noise and change the image by gradient ascent until the chosen channel fires as strongly as it
        can, with a total-variation penalty and random shifts (jitter) to keep it from filling with high-frequency
        noise.
      </p>
      {backend === 'wasm' && network.layers.some((l) => l.kind === 'depthwise') && (
        <p className="notice" role="status">
          The wasm backend has no gradients for this network&apos;s depthwise convolutions, so feature visualisation
          cannot run through it here: choose WebGPU, WebGL or CPU under Settings → Compute backend, or pick VGG or
          ResNet-50.
        </p>
      )}
      <fieldset className="fieldset knobs" disabled={running}>
        <NumberField
          label={`Channel${current ? ` (0–${current.channels - 1})` : ''}`}
          value={visSettings.channel}
          step={1}
          min={0}
          max={current ? current.channels - 1 : undefined}
          onChange={(v) => setVisSettings({ channel: Math.round(v) })}
          testId="vis-channel"
        />
        <label className="field">
          <span>Maximise</span>
          <select
            value={visSettings.target}
            onChange={(e) => setVisSettings({ target: e.target.value as 'channel' | 'centre' })}
          >
            <option value="channel">the whole channel (mean)</option>
            <option value="centre">its centre unit only</option>
          </select>
        </label>
        <NumberField
          label="Iterations"
          value={visSettings.iterations}
          step={1}
          min={1}
          onChange={(v) => setVisSettings({ iterations: Math.round(v) })}
          testId="vis-iterations"
        />
        {network.inputSize === null ? (
          <NumberField
            label="Size (px)"
            value={visSettings.size}
            step={16}
            min={16}
            max={512}
            onChange={(v) => setVisSettings({ size: Math.round(v) })}
            testId="vis-size"
          />
        ) : (
          <p className="small muted">Size: {network.inputSize} px, the model’s input.</p>
        )}
        <NumberField
          label="TV weight λ"
          value={visSettings.tvWeight}
          min={0}
          onChange={(v) => setVisSettings({ tvWeight: v })}
        />
        <NumberField
          label="Learning rate"
          value={visSettings.learningRate}
          min={0}
          onChange={(v) => setVisSettings({ learningRate: v })}
        />
        <NumberField
          label="Jitter (px)"
          value={visSettings.jitter}
          step={1}
          min={0}
          max={32}
          onChange={(v) => setVisSettings({ jitter: Math.round(v) })}
        />
        <NumberField
          label="Seed"
          value={visSettings.seed}
          step={1}
          min={0}
          onChange={(v) => setVisSettings({ seed: Math.round(v) })}
        />
      </fieldset>
      <div className="row wrap">
        {!running ? (
          <button
            type="button"
            className="btn primary"
            onClick={() => void startFeatureVis()}
            disabled={network.status !== 'ready' || patchStatus === 'running'}
            data-testid="vis-start"
          >
            Visualise channel {visSettings.channel}
          </button>
        ) : (
          <button type="button" className="btn" onClick={stopFeatureVis} data-testid="vis-stop">
            Stop
          </button>
        )}
      </div>
      <p className="small" role="status" data-testid="vis-status" data-status={visStatus}>
        {running &&
          `Iteration ${last?.[0] ?? 0} of ${visSettings.iterations}` +
            (last ? ` · activation ${last[1].toPrecision(3)} · ${last[3].toFixed(0)} ms per iteration` : '') +
            (!last ? ' · the first iteration compiles the shaders and can take a while' : '')}
        {visStatus === 'done' && last && `Done: activation ${last[1].toPrecision(3)} after ${last[0]} iterations.`}
        {visStatus === 'stopped' && `Stopped after ${last?.[0] ?? 0} iterations.`}
      </p>
      {visError && (
        <div className="alert" role="alert" data-testid="vis-error">
          {visError}
        </div>
      )}
      {visPreview && (
        <figure className="preview generated" data-testid="vis-preview">
          <BitmapView bitmap={visPreview} label={`The image that excites channel ${visSettings.channel}`} />
        </figure>
      )}
      {visRows.length > 0 && (
        <LivePlot title="Activation per iteration" series={series} rows={plotRows} height={160} testId="plot-vis" />
      )}
    </section>
  );
}
