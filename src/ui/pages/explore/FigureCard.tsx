// The course's figure: five layers side by side, shallow to deep, each with nine units and the nine
// patches that excite each most, drawn larger as the field grows. A click on a patch asks which of
// its pixels drive the unit (the saliency panel below).
import type { CSSProperties } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { POOL_LEVELS, useExplore, type FigureLayer, type FigureResult, type PoolLevel } from '../../../state/explore';
import { PixelCanvas } from './PixelCanvas';
import { RankProgress } from './RankProgress';
import { SaliencyPanel } from './SaliencyPanel';

const POOL_LABELS: Record<PoolLevel, string> = {
  1: '1 per picture (whole pictures, quickest)',
  5: '5 per picture',
  14: '14 per picture',
  30: '30 per picture (several hundred patches)',
};

/** Patch side on screen: grows with the share of the image the unit sees, so depth reads at a glance. */
function patchCss(layer: FigureLayer, fedSide: number): number {
  return Math.round(12 + 15 * Math.sqrt(Math.min(layer.rf.size / fedSide, 1)));
}

function LayerColumn({ layer, index, result }: { layer: FigureLayer; index: number; result: FigureResult }) {
  const explainPatch = useExplore((s) => s.explainPatch);
  const target = useExplore((s) => s.saliencyTarget);
  const style = { '--patch': `${patchCss(layer, result.fedSide)}px` } as CSSProperties;
  return (
    <figure
      className="figure-layer"
      style={style}
      data-testid="figure-layer"
      data-layer={layer.layer}
      data-rf={layer.rf.size}
    >
      <h3 className="small">
        Layer {index + 1} <span className="muted">· {layer.layer}</span>
      </h3>
      <div className="figure-units">
        {layer.units.map((u, ui) => (
          <div key={u.channel} className="figure-unit" data-testid="figure-unit" data-channel={u.channel}>
            <div className="patch-cells">
              {u.patches.map((p, pi) => {
                const chosen = target?.layer === index && target.unit === ui && target.patch === pi;
                return (
                  <button
                    key={pi}
                    type="button"
                    className={`figure-patch${chosen ? ' chosen' : ''}`}
                    onClick={() => void explainPatch({ layer: index, unit: ui, patch: pi })}
                    aria-label={`Why did unit ${u.channel} of ${layer.layer} fire on this patch of ${p.imageName}?`}
                    data-testid="figure-patch"
                  >
                    <PixelCanvas
                      bitmap={p.bitmap}
                      className="patch"
                      label={`${p.imageName}: activation ${p.value.toPrecision(3)}`}
                    />
                  </button>
                );
              })}
            </div>
            <p className="small muted figure-caption">
              unit {u.channel}
              {u.classes && u.classes.length > 0 && (
                <span
                  className="figure-classes"
                  data-testid="unit-classes"
                  title="The ImageNet classes this unit most supports"
                >
                  {' '}
                  → {u.classes.join(', ')}
                </span>
              )}
            </p>
          </div>
        ))}
      </div>
      <figcaption className="small" data-testid="figure-rf">
        A unit sees {layer.rf.size}×{layer.rf.size} px of the {result.fedSide}-px picture
      </figcaption>
    </figure>
  );
}

export function FigureCard() {
  const { network, poolLevel, status, runs, progress, error, figure, poolSize, otherBusy } = useExplore(
    useShallow((s) => ({
      network: s.network,
      poolLevel: s.poolLevel,
      status: s.figureStatus,
      runs: s.figureRuns,
      progress: s.figureProgress,
      error: s.figureError,
      figure: s.figure,
      poolSize: s.poolSize,
      otherBusy: s.patchStatus === 'running' || s.visStatus === 'running',
    })),
  );
  const { setPoolLevel, computeFigure, stopFigure } = useExplore(
    useShallow((s) => ({ setPoolLevel: s.setPoolLevel, computeFigure: s.computeFigure, stopFigure: s.stopFigure })),
  );
  const running = status === 'running';
  return (
    <section className="card span-all" aria-labelledby="explore-figure">
      <h2 id="explore-figure">What each layer has learned, shallow to deep</h2>
      <p className="muted small">
        Five layers of {network.label}, from the first to the last. For each, nine of its units and the nine patches of
        the pictures that excite each unit most. A unit of a deeper layer sees more of the picture, so its patches are
        larger: edges and colours first, then textures, then parts of things. Click a patch to see which of its pixels
        made the unit fire.
      </p>
      <div className="row wrap">
        <label className="field">
          <span>Patches from the pictures</span>
          <select
            value={poolLevel}
            onChange={(e) => setPoolLevel(Number(e.target.value) as PoolLevel)}
            disabled={running}
            data-testid="pool-level"
          >
            {POOL_LEVELS.map((l) => (
              <option key={l} value={l}>
                {POOL_LABELS[l]}
              </option>
            ))}
          </select>
          <small className="muted">
            Crops at several sizes and places; face networks also get a crop around each face.
          </small>
        </label>
        {!running ? (
          <button
            type="button"
            className="btn primary"
            onClick={() => void computeFigure()}
            disabled={network.status !== 'ready' || otherBusy}
            data-testid="figure-start"
          >
            {figure ? 'Run again' : 'Show the layers'}
          </button>
        ) : (
          <button type="button" className="btn" onClick={stopFigure} data-testid="figure-stop">
            Stop
          </button>
        )}
      </div>
      <div role="status" data-testid="figure-status" data-status={status} data-runs={runs}>
        {running && progress && <RankProgress {...progress} item="Picture crop" />}
        {running && !progress && <p className="small muted">Preparing the pictures…</p>}
        {figure && !running && (
          <p className="small" data-testid="figure-summary">
            {figure.network}, over {figure.images} of {poolSize} picture crops
            {figure.fromCache ? ' (from the cache)' : ` in ${(figure.ms / 1000).toFixed(1)} s`}.
            {figure.partial && ' Stopped early: these are the best patches of the crops seen so far.'}
          </p>
        )}
      </div>
      {error && (
        <div className="alert" role="alert" data-testid="figure-error">
          {error}
        </div>
      )}
      {figure && (
        <div className="figure-layers" data-testid="figure">
          {figure.layers.map((l, i) => (
            <LayerColumn key={l.layer} layer={l} index={i} result={figure} />
          ))}
        </div>
      )}
      {figure && <SaliencyPanel />}
    </section>
  );
}
