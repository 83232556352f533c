import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { imageSetOf, liveUnitAt, useExplore, type LiveView } from '../../../state/explore';
import { CameraPanel } from '../../components/CameraPanel';
import { PixelCanvas } from './PixelCanvas';

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

export function LiveCard() {
  const { networkStatus, liveSource, liveCount, liveUnits, liveRunning, liveError, live, patches } = useExplore(
    useShallow((s) => ({
      networkStatus: s.network.status,
      liveSource: s.liveSource,
      liveCount: s.liveCount,
      liveUnits: s.liveUnits,
      liveRunning: s.liveRunning,
      liveError: s.liveError,
      live: s.live,
      patches: s.patches,
    })),
  );
  // Shallow-compared, so the list only changes when one of its images does.
  const images = useExplore(useShallow(imageSetOf));
  const { chooseLiveSource, startCameraActivations, stopLive, setLiveOptions } = useExplore(
    useShallow((s) => ({
      chooseLiveSource: s.chooseLiveSource,
      startCameraActivations: s.startCameraActivations,
      stopLive: s.stopLive,
      setLiveOptions: s.setLiveOptions,
    })),
  );
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
            disabled={networkStatus !== 'ready'}
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
