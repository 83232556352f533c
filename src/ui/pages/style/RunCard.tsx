import { useState } from 'react';
import { selectBusy, selectLastRow, selectReady, selectRemaining, useStyle } from '../../../state/style';
import { BitmapView } from '../../components/BitmapView';
import { RunButtons } from '../../components/RunButtons';
import { CompareView } from './CompareView';
import { CostPlots } from './CostPlots';
import { RunEstimateNote } from './RunEstimateNote';
import { Term } from './Term';

const J_FORMULA = 'J = α·J_content + β·J_style + γ·J_TV: the cost the picture is changed to lower, step by step';

function RunControls() {
  const status = useStyle((s) => s.status);
  const hasResult = useStyle((s) => s.result !== null);
  const busy = useStyle(selectBusy);
  const ready = useStyle(selectReady);
  const start = useStyle((s) => s.start);
  const pause = useStyle((s) => s.pause);
  const resume = useStyle((s) => s.resume);
  const stop = useStyle((s) => s.stop);
  return (
    <>
      <div className="row wrap">
        {!busy && (
          <button
            type="button"
            className="btn primary"
            onClick={() => void start()}
            disabled={!ready}
            data-testid="style-start"
          >
            {hasResult ? 'Paint again' : 'Start'}
          </button>
        )}
        <RunButtons status={status} pause={pause} resume={resume} stop={stop} testIdPrefix="style" />
      </div>
      {!ready && !busy && <p className="muted small">Add your photo and at least one painting to start.</p>}
    </>
  );
}

/** Where the run is, in words: the step, the time left, and the details quieter. */
function RunStatus() {
  const status = useStyle((s) => s.status);
  const last = useStyle(selectLastRow);
  const stage = useStyle((s) => s.stage);
  const asked = useStyle((s) => s.settings.iterations);
  const iterations = stage?.planned ?? asked;
  const done = useStyle((s) => s.result?.iterations);
  const remaining = useStyle(selectRemaining);
  const running = status === 'running' || status === 'paused';
  const details =
    running && last && stage
      ? `${stage.width}×${stage.height} px${stage.count > 1 ? `, stage ${stage.index + 1} of ${stage.count}` : ''}` +
        `${stage.tiles ? `, tile ${(stage.tile ?? 0) + 1} of ${stage.tiles}` : ''} · ` +
        `${(last[5]! / 1000).toFixed(1)} s a step`
      : null;
  return (
    <p className="small run-status" role="status" data-testid="style-status" data-status={status}>
      {status === 'loading' && 'Getting ready: loading the network and reading the painting…'}
      {running &&
        !last &&
        (status === 'paused'
          ? 'Paused before the first step.'
          : `Working on step 1 of ${iterations}: the first is the slowest while the graphics chip gets ready…`)}
      {running && last && (
        <>
          <strong>
            {status === 'paused' ? 'Paused at step' : 'Step'} {last[0]} of {iterations}
            {status === 'running' && remaining && ` · ${remaining}`}
          </strong>
          {details && <span className="muted"> ({details})</span>}
        </>
      )}
      {status === 'done' && `Done: ${done} steps.`}
      {status === 'stopped' && `Stopped after ${done} steps; the picture so far is below.`}
    </p>
  );
}

const BACKEND_NAMES: Record<string, string> = { webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WebAssembly', cpu: 'the CPU' };

/** Where the run happens: in the background (the page stays responsive) or on the page, and why. */
function RunPlaceNote() {
  const place = useStyle((s) => s.runPlace);
  if (!place) return null;
  const backend = BACKEND_NAMES[place.backend] ?? place.backend;
  return (
    <p
      className="small muted"
      data-testid="style-run-place"
      data-backend={place.backend}
      data-worker={String(place.inWorker)}
      data-tensors={place.numTensors ?? undefined}
      title={place.numTensors !== null ? `${place.numTensors} tensors in the worker` : undefined}
    >
      {place.inWorker
        ? `Painting in the background on ${backend}, so the page stays responsive.`
        : `Painting on the page itself on ${backend}. ${place.note ?? ''}`}
    </p>
  );
}

const formatCost = (v: number) => (v >= 0.01 && v < 1000 ? v.toPrecision(3) : v.toExponential(2));

/** The latest costs; the first and last J ride along as attributes for the tests. */
function CostStats() {
  const last = useStyle(selectLastRow);
  const firstJ = useStyle((s) => s.rows[0]?.[1]);
  if (!last) return null;
  return (
    <dl className="stats" data-testid="style-costs" data-j-first={firstJ} data-j-last={last[1]} title={J_FORMULA}>
      <dt>
        <Term term="J">Total cost</Term>
      </dt>
      <dd data-testid="cost-J">{formatCost(last[1]!)}</dd>
      <dt>
        <Term term="α·J_content">Away from your photo</Term>
      </dt>
      <dd>{formatCost(last[2]!)}</dd>
      <dt>
        <Term term="β·J_style">Away from the painting</Term>
      </dt>
      <dd>{formatCost(last[3]!)}</dd>
      <dt>
        <Term term="γ·J_TV">Roughness</Term>
      </dt>
      <dd>{formatCost(last[4]!)}</dd>
    </dl>
  );
}

/** Download the finished picture, or save it with a title to the works. */
function ResultActions() {
  const result = useStyle((s) => s.result);
  const saveMessage = useStyle((s) => s.saveMessage);
  const save = useStyle((s) => s.save);
  const [title, setTitle] = useState('');
  return (
    <>
      {result && (
        <div className="row wrap">
          <a
            className="btn primary"
            href={result.url}
            download={`facet-style-${result.width}x${result.height}.png`}
            data-testid="style-download"
          >
            Download PNG
          </a>
          <input
            type="text"
            placeholder="Title (optional)"
            value={title}
            onChange={(e) => setTitle(e.target.value)}
            aria-label="Title"
          />
          <button type="button" className="btn" onClick={() => void save(title)} data-testid="style-save">
            Save to my works
          </button>
        </div>
      )}
      {saveMessage && (
        <p className="small" role="status" data-testid="style-save-message">
          {saveMessage}
        </p>
      )}
    </>
  );
}

/**
 * The picture as it forms: until the run sends its first picture, the photo itself while a run
 * is being prepared (it is where the picture starts from, unless that is noise).
 */
function Picture() {
  const preview = useStyle((s) => s.preview);
  const busy = useStyle(selectBusy);
  const content = useStyle((s) => s.content);
  const fromNoise = useStyle((s) => s.settings.init === 'noise');
  const starting = !preview && busy && content && !fromNoise ? content.bitmap : null;
  const finished = useStyle((s) => s.result !== null && (s.status === 'done' || s.status === 'stopped'));
  const shown = preview ?? starting;
  if (!shown) return null;
  if (finished && preview && content) return <CompareView photo={content.bitmap} result={preview} />;
  return (
    <figure className="preview generated" data-testid="style-preview" data-starting={starting ? '' : undefined}>
      <BitmapView bitmap={shown} label={starting ? 'The starting point: your photo' : 'The picture so far'} />
      {starting && <figcaption className="small muted">The starting point: your photo.</figcaption>}
    </figure>
  );
}

/** The run: start, pause, resume and stop, where it is, the picture as it forms, its costs and plots. */
export function RunCard() {
  const error = useStyle((s) => s.error);
  const hasRows = useStyle((s) => s.rows.length > 0);
  return (
    <section className="card style-run" aria-labelledby="style-run">
      <h2 id="style-run">Result</h2>
      <RunControls />
      <RunEstimateNote />
      <RunStatus />
      <RunPlaceNote />
      {error && (
        <div className="alert" role="alert" data-testid="style-error">
          {error}
        </div>
      )}
      <Picture />
      <ResultActions />
      {hasRows && (
        <details className="run-details" open>
          <summary>How it is going</summary>
          <CostStats />
          <CostPlots />
        </details>
      )}
    </section>
  );
}
