import type { CSSProperties } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useExplore, type PatchResult, type PatchView } from '../../../state/explore';
import { NumberField } from '../../components/NumberField';
import { PixelCanvas } from './PixelCanvas';
import { RankProgress } from './RankProgress';

/** Patch side on screen: how much of the fed image the field covers, so deeper layers look larger. */
function patchCss(result: PatchResult): number {
  return Math.round(28 + 84 * Math.min(result.rf.size / result.fedSide, 1));
}

function Patch({ patch }: { patch: PatchView }) {
  return (
    <PixelCanvas
      bitmap={patch.bitmap}
      className="patch"
      testId="patch"
      label={`${patch.imageName}, unit (${patch.row}, ${patch.col}): activation ${patch.value.toPrecision(3)}`}
    />
  );
}

function PatchGrids({ result }: { result: PatchResult }) {
  const style = { '--patch': `${patchCss(result)}px` } as CSSProperties;
  return (
    <div className="patch-grids" style={style} data-testid="patch-grids" data-rf={result.rf.size}>
      {result.units.map((u) => (
        <figure
          key={u.channel}
          className="patch-grid"
          data-testid="patch-grid"
          data-channel={u.channel}
          data-rf={result.rf.size}
        >
          <div className="patch-cells">
            {u.patches.map((p, i) => (
              <Patch key={i} patch={p} />
            ))}
          </div>
          <figcaption className="small">
            <strong>Channel {u.channel}</strong>
            {Number.isFinite(u.mean) && <span className="muted"> · mean {u.mean.toPrecision(3)}</span>}
            {u.patches.length === 0 && <span className="muted"> · never active</span>}
          </figcaption>
        </figure>
      ))}
    </div>
  );
}

export function PatchesCard() {
  const {
    network,
    layer,
    channelMode,
    channelText,
    feedSize,
    patchStatus,
    patchRuns,
    patchProgress,
    patchError,
    patches,
    visStatus,
  } = useExplore(
    useShallow((s) => ({
      network: s.network,
      layer: s.layer,
      channelMode: s.channelMode,
      channelText: s.channelText,
      feedSize: s.feedSize,
      patchStatus: s.patchStatus,
      patchRuns: s.patchRuns,
      patchProgress: s.patchProgress,
      patchError: s.patchError,
      patches: s.patches,
      visStatus: s.visStatus,
    })),
  );
  const setPatchOptions = useExplore((s) => s.setPatchOptions);
  const computePatches = useExplore((s) => s.computePatches);
  const stopPatches = useExplore((s) => s.stopPatches);
  const running = patchStatus === 'running';
  const ready = network.status === 'ready' && !!layer;
  return (
    <section className="card span-all" aria-labelledby="explore-patches">
      <h2 id="explore-patches">Top-activating patches</h2>
      <p className="muted small">
        For nine units of the layer, the nine patches of the image set that excite each most. A patch is the unit’s
        whole receptive field, so deeper layers show larger patches; grey is padding outside the image. Patches from
        overlapping positions of one image are shown once.
      </p>
      <fieldset className="fieldset knobs" disabled={running}>
        <legend>Units</legend>
        <label className="check">
          <input
            type="radio"
            name="channel-mode"
            checked={channelMode === 'auto'}
            onChange={() => setPatchOptions({ channelMode: 'auto' })}
          />
          The nine channels with the highest mean activation over the set
        </label>
        <label className="check">
          <input
            type="radio"
            name="channel-mode"
            checked={channelMode === 'chosen'}
            onChange={() => setPatchOptions({ channelMode: 'chosen' })}
            data-testid="channel-mode-chosen"
          />
          These channels:
          <input
            type="text"
            value={channelText}
            onChange={(e) => setPatchOptions({ channelText: e.target.value, channelMode: 'chosen' })}
            aria-label="Channel numbers"
            placeholder="0, 1, 2, 10–15"
            data-testid="channels"
          />
        </label>
        {network.inputSize === null ? (
          <NumberField
            label="Image size (long side, px)"
            value={feedSize}
            step={16}
            min={32}
            max={1024}
            onChange={(v) => setPatchOptions({ feedSize: Math.round(v) })}
            hint="Fields are measured in pixels of the image at this size."
            testId="feed-size"
          />
        ) : (
          <p className="small muted">
            Images are fed at the model’s {network.inputSize}×{network.inputSize} input.
          </p>
        )}
      </fieldset>
      <div className="row wrap">
        {!running && (
          <button
            type="button"
            className="btn primary"
            onClick={() => void computePatches()}
            disabled={!ready || visStatus === 'running'}
            data-testid="patches-start"
          >
            Find top patches
          </button>
        )}
        {running && (
          <button type="button" className="btn" onClick={stopPatches} data-testid="patches-stop">
            Stop
          </button>
        )}
      </div>
      <div role="status" data-testid="patches-status" data-status={patchStatus} data-runs={patchRuns}>
        {running && patchProgress && <RankProgress {...patchProgress} item="Image" />}
        {patches && !running && (
          <p className="small" data-testid="patches-summary">
            {patches.layer} of {patches.network}: field {patches.rf.size}×{patches.rf.size} px of a {patches.fedSide}
            -px image, over {patches.images} images
            {patches.fromCache ? ' (from the cache)' : ` in ${(patches.ms / 1000).toFixed(1)} s`}.
            {patches.partial && ' Stopped early: these are the best patches of the images seen so far.'}
          </p>
        )}
      </div>
      {patchError && (
        <div className="alert" role="alert" data-testid="patches-error">
          {patchError}
        </div>
      )}
      {patches && <PatchGrids result={patches} />}
    </section>
  );
}
