import { useState } from 'react';
import { selectBusy, selectLastRow, selectReady, useStyle } from '../../../state/style';
import { BitmapView } from '../../components/BitmapView';
import { RunButtons } from '../../components/RunButtons';
import { CostPlots } from './CostPlots';

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
            {hasResult ? 'Run again' : 'Start'}
          </button>
        )}
        <RunButtons status={status} pause={pause} resume={resume} stop={stop} testIdPrefix="style" />
      </div>
      {!ready && !busy && <p className="muted small">Add a content image and at least one style image to start.</p>}
    </>
  );
}

function RunStatus() {
  const status = useStyle((s) => s.status);
  const last = useStyle(selectLastRow);
  const iterations = useStyle((s) => s.settings.iterations);
  const stage = useStyle((s) => s.stage);
  const done = useStyle((s) => s.result?.iterations);
  return (
    <p className="small" role="status" data-testid="style-status" data-status={status}>
      {status === 'loading' && 'Preparing the loss network and the targets…'}
      {(status === 'running' || status === 'paused') &&
        `${status === 'paused' ? 'Paused at' : 'Iteration'} ${last?.[0] ?? 0} of ${iterations}` +
          (stage
            ? ` · ${stage.width}×${stage.height}${stage.count > 1 ? ` (stage ${stage.index + 1} of ${stage.count})` : ''}`
            : '') +
          (last ? ` · ${last[5]!.toFixed(0)} ms per iteration` : '')}
      {status === 'done' && `Done: ${done} iterations.`}
      {status === 'stopped' && `Stopped after ${done} iterations; the result so far is below.`}
    </p>
  );
}

/** The latest costs; the first and last J ride along as attributes for the tests. */
function CostStats() {
  const last = useStyle(selectLastRow);
  const firstJ = useStyle((s) => s.rows[0]?.[1]);
  if (!last) return null;
  return (
    <dl className="stats" data-testid="style-costs" data-j-first={firstJ} data-j-last={last[1]}>
      <dt>J</dt>
      <dd data-testid="cost-J">{last[1]!.toExponential(3)}</dd>
      <dt>α·J_content</dt>
      <dd>{last[2]!.toExponential(3)}</dd>
      <dt>β·J_style</dt>
      <dd>{last[3]!.toExponential(3)}</dd>
      <dt>γ·J_TV</dt>
      <dd>{last[4]!.toExponential(3)}</dd>
    </dl>
  );
}

/** Download the finished G, or save it with a title to the works. */
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

/** The run: start, pause, resume and stop, where it is, the image G as it forms, its costs and plots. */
export function RunCard() {
  const error = useStyle((s) => s.error);
  const preview = useStyle((s) => s.preview);
  return (
    <section className="card style-run" aria-labelledby="style-run">
      <h2 id="style-run">Generate G</h2>
      <RunControls />
      <RunStatus />
      {error && (
        <div className="alert" role="alert" data-testid="style-error">
          {error}
        </div>
      )}
      {preview && (
        <figure className="preview generated" data-testid="style-preview">
          <BitmapView bitmap={preview} label="The generated image G" />
        </figure>
      )}
      <CostStats />
      <CostPlots />
      <ResultActions />
    </section>
  );
}
