import { useMemo } from 'react';
import { useLab } from '../../../state/lab';
import { LivePlot, type PlotSeries } from '../../components/LivePlot';
import { pct, plural, useBusy, useLabData } from './shared';
import { RunButtons } from '../../components/RunButtons';
import { Plain } from '../../components/Term';
import { formatMs, formatNumber } from '../../format';

/** The method of the run shown: the one that ran, or the one chosen before any run. */
const useShownIsHead = () => useLab((s) => (s.runMethod ?? s.settings.method) === 'head');

function LabRunControls() {
  const status = useLab((s) => s.status);
  const method = useLab((s) => s.settings.method);
  const start = useLab((s) => s.start);
  const pause = useLab((s) => s.pause);
  const resume = useLab((s) => s.resume);
  const stop = useLab((s) => s.stop);
  const { problem } = useLabData();
  const running = status === 'running' || status === 'paused';
  return (
    <div className="row wrap">
      {!running && (
        <button
          type="button"
          className="btn primary"
          onClick={() => void start()}
          disabled={!!problem}
          data-testid="lab-start"
        >
          Train {method === 'head' ? 'the head' : 'the pair classifier'}
        </button>
      )}
      <RunButtons status={status} pause={pause} resume={resume} stop={stop} testIdPrefix="lab" />
    </div>
  );
}

function RunStatus() {
  const status = useLab((s) => s.status);
  const last = useLab((s) => s.log.last);
  const steps = useLab((s) =>
    (s.runMethod ?? s.settings.method) === 'head' ? s.settings.head.steps : s.settings.pair.steps,
  );
  const info = useLab((s) =>
    s.runMethod === 'head' ? s.trained.head : s.runMethod === 'pair-classifier' ? s.trained.pair : null,
  );
  const comparing = useLab((s) => s.comparing);
  const { problem } = useLabData();
  const running = status === 'running' || status === 'paused';
  return (
    <p className="small" role="status" data-testid="lab-status" data-status={status}>
      {status === 'idle' &&
        !problem &&
        'Ready. Training runs on this device, between frames, so the page stays responsive.'}
      {running &&
        `${status === 'paused' ? 'Paused at step' : 'Step'} ${last?.[0] ?? 0} of ${steps}` +
          (last ? ` · ${formatMs(last[3])} per step` : ' · preparing the first step…')}
      {(status === 'done' || status === 'stopped') &&
        info &&
        `${status === 'stopped' ? 'Stopped after' : 'Done:'} ${plural(info.stepsDone, 'step')}, median ${formatMs(info.msPerStep)} per step.` +
          (comparing ? ' Comparing on the held-out people…' : '')}
    </p>
  );
}

function AllInactiveNotice() {
  const isHead = useShownIsHead();
  const busy = useBusy();
  const learnedNothing = useLab((s) => s.log.steps > 0 && s.log.allShareZero);
  if (!isHead || busy || !learnedNothing) return null;
  return (
    <p className="notice small" data-testid="lab-all-inactive">
      Nothing was learned: every example already cleared the margin, so there was never anything to correct (the{' '}
      <span title="The mean triplet loss stayed 0: no triplet was active.">loss stayed 0</span>). Raise the margin (α),
      or add people who look more alike.
    </p>
  );
}

function RunStats() {
  const first = useLab((s) => s.log.first);
  const last = useLab((s) => s.log.last);
  const steps = useLab((s) => s.log.steps);
  const learnedNothing = useLab((s) => s.log.allShareZero);
  const busy = useBusy();
  const isHead = useShownIsHead();
  if (!first || !last) return null;
  // With the hardest triplets mined from an easy gallery, a first loss of 0 is no fault: say why.
  const easyStart = isHead && first[1] === 0 && (busy || !learnedNothing);
  return (
    <>
      <dl
        className="stats"
        data-testid="lab-loss"
        data-loss-first={first[1]}
        data-loss-last={last[1]}
        data-steps={steps}
      >
        <dt>
          <Plain
            term="loss"
            explain={isHead ? 'Mean triplet loss over the batch.' : 'Mean logistic loss over the batch.'}
          >
            Error, first step
          </Plain>
        </dt>
        <dd>{formatNumber(first[1])}</dd>
        <dt>
          <Plain term="loss">Error, last step</Plain>
        </dt>
        <dd>{formatNumber(last[1])}</dd>
        <dt>
          {isHead ? (
            <Plain term="active triplets" explain="The share of triplets with a loss above zero.">
              Still teaching
            </Plain>
          ) : (
            <Plain term="batch accuracy" explain="The share of the batch's pairs on the right side of p = 0.5.">
              Pairs told apart
            </Plain>
          )}
        </dt>
        <dd>{pct(last[2])}</dd>
        <dt>Time per step</dt>
        <dd>{formatMs(last[3])}</dd>
      </dl>
      {easyStart && (
        <p className="muted small" data-testid="lab-easy-start">
          Nothing to learn yet: every example in the first batch already clears the margin, so its error is 0. The
          hardest examples are picked from each batch; later batches may hold some that teach.
        </p>
      )}
    </>
  );
}

const MS_SERIES: PlotSeries[] = [{ label: 'ms', colour: '#6c757d' }];

function RunPlots() {
  const batches = useLab((s) => s.log.batches);
  const isHead = useShownIsHead();
  const lossSeries: PlotSeries[] = useMemo(
    () => [{ label: isHead ? 'mean triplet loss' : 'logistic loss', colour: '#6d5dfc' }],
    [isHead],
  );
  const shareSeries: PlotSeries[] = useMemo(
    () => [{ label: isHead ? 'active triplets' : 'batch accuracy', colour: '#2a9d8f' }],
    [isHead],
  );
  // uPlot takes whole columns, so the plots are the one place that reads every row.
  const { loss, share, ms } = useMemo(() => {
    const rows = batches.flat();
    return {
      loss: rows.map((r) => [r[0], r[1]]),
      share: rows.map((r) => [r[0], r[2]]),
      ms: rows.map((r) => [r[0], r[3]]),
    };
  }, [batches]);
  if (loss.length === 0) return null;
  return (
    <div className="plots">
      <LivePlot title="Loss per step (mean over the batch)" series={lossSeries} rows={loss} testId="lab-plot-loss" />
      <LivePlot
        title={
          isHead
            ? 'Share of triplets with a loss above zero (active)'
            : 'Share of the batch’s pairs on the right side of p = 0.5'
        }
        series={shareSeries}
        rows={share}
        height={150}
        testId="lab-plot-share"
      />
      <LivePlot title="Milliseconds per step" series={MS_SERIES} rows={ms} height={120} testId="lab-plot-ms" />
    </div>
  );
}

export function RunCard() {
  const error = useLab((s) => s.error);
  return (
    <section className="card" aria-labelledby="lab-run">
      <h2 id="lab-run">Train</h2>
      <LabRunControls />
      <RunStatus />
      <AllInactiveNotice />
      {error && (
        <div className="alert" role="alert" data-testid="lab-error">
          {error}
        </div>
      )}
      <RunStats />
      <RunPlots />
    </section>
  );
}
