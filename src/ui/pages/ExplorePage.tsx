import { useEffect, useMemo, useRef, useState, type CSSProperties } from 'react';
import { NumberField } from '../components/NumberField';
import {
  EXPLORE_NETWORKS,
  liveUnitAt,
  useExplore,
  type ExploreLayer,
  type ExploreNetworkId,
  type LiveView,
  type PatchResult,
  type PatchView,
  type SetImage,
} from '../../state/explore';
import { useRuntime } from '../../state/runtime';
import { BitmapView } from '../components/BitmapView';
import { CameraPanel } from '../components/CameraPanel';
import { ImagePicker } from '../components/ImagePicker';
import { LivePlot, type PlotSeries } from '../components/LivePlot';

/** A bitmap drawn at its own resolution; CSS decides how large it shows. */
function PixelCanvas({
  bitmap,
  label,
  className,
  testId,
  onPointer,
}: {
  bitmap: ImageBitmap;
  label: string;
  className?: string;
  testId?: string;
  onPointer?(y: number, x: number): void;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    c.width = bitmap.width;
    c.height = bitmap.height;
    c.getContext('2d')?.drawImage(bitmap, 0, 0);
  }, [bitmap]);
  return (
    <canvas
      ref={canvas}
      role="img"
      aria-label={label}
      title={label}
      className={className}
      data-testid={testId}
      onMouseMove={
        onPointer &&
        ((e) => {
          const r = e.currentTarget.getBoundingClientRect();
          onPointer(
            ((e.clientY - r.top) * bitmap.height) / Math.max(r.height, 1),
            ((e.clientX - r.left) * bitmap.width) / Math.max(r.width, 1),
          );
        })
      }
    />
  );
}

const rfText = (l: ExploreLayer) => `${l.rf.size}×${l.rf.size} px`;

function NetworkCard({ busy }: { busy: boolean }) {
  const { networkId, network, layer, chooseNetwork, setLayer } = useExplore();
  const choice = EXPLORE_NETWORKS.find((n) => n.id === networkId);
  const current = network.layers.find((l) => l.name === layer);
  return (
    <section className="card" aria-labelledby="explore-network">
      <h2 id="explore-network">Network and layer</h2>
      <fieldset className="fieldset" disabled={busy}>
        <label className="field">
          <span>Network</span>
          <select
            value={networkId}
            data-testid="explore-network"
            onChange={(e) => void chooseNetwork(e.target.value as ExploreNetworkId)}
          >
            {EXPLORE_NETWORKS.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label}
              </option>
            ))}
          </select>
          {choice && <small className="muted">{choice.description}</small>}
        </label>
        <p className="small muted" role="status" data-testid="explore-network-status" data-status={network.status}>
          {network.status === 'loading' &&
            `Loading ${network.label}${network.progress !== null ? ` (${Math.round(network.progress * 100)} %)` : ''}…`}
          {network.status === 'ready' &&
            `${network.label}: ${network.layers.length} layers` +
              (network.inputSize ? `, ${network.inputSize}×${network.inputSize} input.` : '.')}
        </p>
        {network.status === 'loading' && network.progress !== null && (
          <progress max={1} value={network.progress} aria-label="Download progress" />
        )}
        {network.status === 'ready' && (
          <label className="field">
            <span>Layer</span>
            <select value={layer ?? ''} onChange={(e) => setLayer(e.target.value)} data-testid="explore-layer">
              {network.layers.map((l) => (
                <option key={l.name} value={l.name} data-rf={l.rf.size}>
                  {l.name} · {l.channels} ch · field {rfText(l)}
                </option>
              ))}
            </select>
            {current && (
              <small className="muted" data-testid="explore-layer-info" data-rf={current.rf.size}>
                Each unit of {current.name} sees a {rfText(current)} patch of the input; neighbouring units are{' '}
                {current.rf.jump} px apart.
                {!current.differentiable && ' TensorFlow.js cannot take gradients through this layer.'}
              </small>
            )}
          </label>
        )}
        {network.error && (
          <div className="alert" role="alert" data-testid="explore-network-error">
            {network.error}{' '}
            <button type="button" className="btn small" onClick={() => void chooseNetwork(networkId)}>
              Try again
            </button>
          </div>
        )}
      </fieldset>
    </section>
  );
}

function ImageStrip({ images, onRemove }: { images: SetImage[]; onRemove?(id: string): void }) {
  const shown = images.slice(0, 48);
  return (
    <ul className="explore-strip">
      {shown.map((i) => (
        <li key={i.id} data-testid="set-image">
          <BitmapView bitmap={i.bitmap} label={i.name} />
          {onRemove && (
            <button
              type="button"
              className="btn small ghost"
              onClick={() => onRemove(i.id)}
              aria-label={`Remove ${i.name}`}
            >
              ×
            </button>
          )}
        </li>
      ))}
      {images.length > shown.length && <li className="muted small">+{images.length - shown.length} more</li>}
    </ul>
  );
}

function ImageSetCard({ busy }: { busy: boolean }) {
  const {
    samples,
    galleryImages,
    dropped,
    useSamples,
    useGalleryFaces,
    samplesStatus,
    galleryStatus,
    imageError,
    imageNotice,
    setUseSamples,
    setUseGalleryFaces,
    addImages,
    removeImage,
    clearDropped,
  } = useExplore();
  const total = (useSamples ? samples.length : 0) + (useGalleryFaces ? galleryImages.length : 0) + dropped.length;
  return (
    <section className="card" aria-labelledby="explore-images">
      <h2 id="explore-images">Image set</h2>
      <p className="muted small">
        Units are ranked over these images. <span data-testid="set-count">{total}</span> images in the set.
      </p>
      <fieldset className="fieldset" disabled={busy}>
        <label className="check">
          <input
            type="checkbox"
            checked={useSamples}
            onChange={(e) => void setUseSamples(e.target.checked)}
            data-testid="use-samples"
          />
          Built-in samples{' '}
          <span className="muted small">
            ({samplesStatus === 'loading' ? 'loading…' : `${samples.length} paintings and photos`})
          </span>
        </label>
        {useSamples && samples.length > 0 && <ImageStrip images={samples} />}
        <label className="check">
          <input
            type="checkbox"
            checked={useGalleryFaces}
            onChange={(e) => void setUseGalleryFaces(e.target.checked)}
            data-testid="use-gallery"
          />
          Face thumbnails from your gallery{' '}
          <span className="muted small">
            ({galleryStatus === 'loading' ? 'reading…' : `${galleryImages.length} faces`})
          </span>
        </label>
        {useGalleryFaces && galleryImages.length > 0 && <ImageStrip images={galleryImages} />}
        <div data-testid="explore-drop">
          <ImagePicker
            label="Your own images"
            hint="Drop several images here or choose files; they stay on this device."
            onFile={(f) => void addImages([f])}
            onFiles={(f) => void addImages(f)}
            compact
          />
        </div>
        {dropped.length > 0 && (
          <>
            <ImageStrip images={dropped} onRemove={removeImage} />
            <button type="button" className="btn small" onClick={clearDropped}>
              Remove your images
            </button>
          </>
        )}
      </fieldset>
      {imageNotice && (
        <p className="notice" role="status">
          {imageNotice}
        </p>
      )}
      {imageError && (
        <div className="alert" role="alert" data-testid="explore-image-error">
          {imageError}
        </div>
      )}
    </section>
  );
}

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

function PatchesCard() {
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
    setPatchOptions,
    computePatches,
    stopPatches,
  } = useExplore();
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
        {running && patchProgress && (
          <>
            <progress max={patchProgress.total} value={patchProgress.done} />
            <p className="small muted">
              {patchProgress.done < patchProgress.total
                ? `Image ${patchProgress.done + 1} of ${patchProgress.total}…`
                : 'Cutting out the patches…'}
            </p>
          </>
        )}
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

function FeatureVisCard() {
  const { network, layer, visSettings, visStatus, visError, visRows, visPreview, patchStatus } = useExplore();
  const { setVisSettings, startFeatureVis, stopFeatureVis } = useExplore();
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
      {backend === 'wasm' && (
        <p className="notice" role="status">
          The wasm backend has no gradients for convolutions, so feature visualisation cannot run on it: choose WebGPU,
          WebGL or CPU under Settings → Backend.
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

function LivePicture({ view }: { view: LiveView }) {
  const [hover, setHover] = useState<{ channel: number; row: number; col: number } | null>(null);
  return (
    <figure className="preview live-maps" data-testid="live-maps" data-channels={view.channels.length}>
      <PixelCanvas
        bitmap={view.bitmap}
        label={`Activation maps of ${view.layer}, channels ${view.channels.join(', ')}`}
        className="bitmap"
        onPointer={(y, x) => setHover(liveUnitAt(view, y, x))}
      />
      <figcaption className="small muted">
        {view.layer}: {view.channels.length} channels, each {view.layout.tileHeight}×{view.layout.tileWidth}, scaled on
        its own (white: its strongest response) · {view.ms.toFixed(0)} ms
        {hover && ` · channel ${hover.channel}, unit (${hover.row}, ${hover.col})`}
      </figcaption>
    </figure>
  );
}

function LiveCard() {
  const {
    network,
    samples,
    galleryImages,
    dropped,
    useSamples,
    useGalleryFaces,
    liveSource,
    liveCount,
    liveUnits,
    liveRunning,
    liveError,
    live,
    patches,
    chooseLiveSource,
    startCameraActivations,
    stopLive,
    setLiveOptions,
  } = useExplore();
  const images = [...(useSamples ? samples : []), ...(useGalleryFaces ? galleryImages : []), ...dropped];
  const value = liveSource?.kind === 'camera' ? 'camera' : liveSource?.kind === 'image' ? liveSource.id : '';
  return (
    <section className="card" aria-labelledby="explore-live">
      <h2 id="explore-live">Activation maps</h2>
      <p className="muted small">
        What the layer’s channels respond to in one image, or live in the camera’s picture (refreshed about every second
        while on).
      </p>
      <div className="row wrap">
        <label className="field">
          <span>Image</span>
          <select
            value={value}
            disabled={network.status !== 'ready'}
            data-testid="live-source"
            onChange={(e) => {
              const v = e.target.value;
              void chooseLiveSource(v === 'camera' ? { kind: 'camera' } : v ? { kind: 'image', id: v } : null);
            }}
          >
            <option value="">Choose…</option>
            <option value="camera">The camera (live)</option>
            {images.map((i) => (
              <option key={i.id} value={i.id}>
                {i.name}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Channels</span>
          <select
            value={liveCount}
            disabled={liveUnits && !!patches}
            onChange={(e) => setLiveOptions({ liveCount: Number(e.target.value) })}
          >
            {[9, 16, 36, 64].map((n) => (
              <option key={n} value={n}>
                first {n}
              </option>
            ))}
          </select>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={liveUnits}
            onChange={(e) => setLiveOptions({ liveUnits: e.target.checked })}
          />
          the units shown in the patches
        </label>
      </div>
      {liveSource?.kind === 'camera' && (
        <CameraPanel
          actions={(video) =>
            video &&
            (liveRunning ? (
              <button type="button" className="btn" onClick={stopLive} data-testid="live-stop">
                Stop the live maps
              </button>
            ) : (
              <button
                type="button"
                className="btn primary"
                onClick={() => startCameraActivations(video)}
                data-testid="live-start"
              >
                Show live maps
              </button>
            ))
          }
        />
      )}
      {liveError && (
        <div className="alert" role="alert" data-testid="live-error">
          {liveError}
        </div>
      )}
      {live && liveSource && <LivePicture view={live} />}
    </section>
  );
}

export function ExplorePage() {
  const patchStatus = useExplore((s) => s.patchStatus);
  const visStatus = useExplore((s) => s.visStatus);
  const busy = patchStatus === 'running' || visStatus === 'running';
  useEffect(() => {
    const s = useExplore.getState();
    if (s.network.status === 'idle') void s.chooseNetwork(s.networkId);
    if (s.useSamples) void s.loadSamples();
    // The camera loop belongs to this page: it stops when the page goes away.
    return () => useExplore.getState().stopLive();
  }, []);
  return (
    <div className="explore-page">
      <header>
        <h1>Explorer</h1>
        <p className="lead">
          What have the convnets inside Facet learned? Pick a network and a layer, then see which image patches excite
          its units most, what image a unit would like to see, and how its channels light up on a picture or the camera.
          Everything runs on this device.
        </p>
      </header>
      <div className="grid two">
        <NetworkCard busy={busy} />
        <ImageSetCard busy={busy} />
        <PatchesCard />
        <FeatureVisCard />
        <LiveCard />
      </div>
    </div>
  );
}
