import { useEffect, useMemo, useState } from 'react';
import type { StoredModel } from '../../db/studio';
import type { LabComparison, LabMethod, PairHistogram } from '../../ml/siamese/compare';
import { EMBEDDERS, type EmbedderId } from '../../ml/face/embedder';
import { useFaces } from '../../state/faces';
import { useGallery } from '../../state/gallery';
import { prepareLabData, useLab, type TrainMethod } from '../../state/lab';
import { useSettings } from '../../state/settings';
import { FileButton } from '../components/FileButton';
import { LivePlot, type PlotSeries } from '../components/LivePlot';
import { NumberField } from '../components/NumberField';
import { RocChart } from '../components/RocChart';

const METHOD_LABEL: Record<LabMethod, string> = {
  cosine: 'Cosine (no training)',
  head: 'Triplet head',
  'pair-classifier': 'Pair classifier',
};
const METHOD_COLOUR: Record<LabMethod, string> = {
  cosine: '#8d99ae',
  head: '#6d5dfc',
  'pair-classifier': '#e76f51',
};
const GENUINE = '#2a9d8f';
const IMPOSTOR = '#e76f51';

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const modelName = (id: string) => EMBEDDERS[id as EmbedderId]?.name ?? id;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

function useLabData() {
  const gallery = useLab((s) => s.gallery.source);
  const folder = useLab((s) => s.folder);
  const settings = useLab((s) => s.settings);
  const embedderId = useFaces((s) => s.embedderId);
  return useMemo(() => prepareLabData(gallery, folder, settings, embedderId), [gallery, folder, settings, embedderId]);
}

function countIdentities(samples: readonly { label: string }[] | undefined): number {
  return new Set(samples?.map((s) => s.label)).size;
}

function DataCard() {
  const { settings, gallery, folder, importing, importError, status, setSettings, importFolder, clearFolder } =
    useLab();
  const embedderId = useFaces((s) => s.embedderId);
  const data = useLabData();
  const busy = status === 'running' || status === 'paused';
  const split = data.split;
  return (
    <section
      className="card"
      aria-labelledby="lab-data"
      data-testid="lab-data"
      data-identities={data.identities}
      data-samples={data.samples.length}
    >
      <h2 id="lab-data">Data</h2>
      <p className="small muted">
        Labelled {modelName(embedderId)} embeddings: one identity per enrolled person or per subfolder. The embedder
        stays frozen; only a small model on top of it is trained.
      </p>
      <fieldset className="fieldset" disabled={busy}>
        <legend>Sources</legend>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.useGallery}
            onChange={(e) => setSettings({ useGallery: e.target.checked })}
          />
          <span>
            The gallery (People): {gallery.status === 'loading' && 'reading…'}
            {gallery.status === 'ready' &&
              gallery.source &&
              `${plural(countIdentities(gallery.source.samples), 'person', 'people')}, ${plural(gallery.source.samples.length, 'template')}`}
          </span>
        </label>
        {gallery.error && (
          <div className="alert" role="alert">
            {gallery.error}
          </div>
        )}
        {folder ? (
          <label className="check">
            <input
              type="checkbox"
              checked={settings.useFolder}
              onChange={(e) => setSettings({ useFolder: e.target.checked })}
            />
            <span data-testid="lab-folder-summary">
              {`Imported folder “${folder.name}”: ${plural(countIdentities(folder.samples), 'person', 'people')}, ` +
                `${plural(folder.samples.length, 'face')} from ${plural(folder.images, 'image')}` +
                (folder.skipped.length ? ` (${folder.skipped.length} without a usable face)` : '')}
            </span>
          </label>
        ) : (
          <p className="small muted" data-testid="lab-folder-summary">
            No folder imported.
          </p>
        )}
        <div className="row wrap">
          <FileButton
            className="btn"
            directory
            disabled={!!importing || busy}
            testId="lab-folder-input"
            onFiles={(f) => void importFolder(f)}
          >
            Import a labelled folder…
          </FileButton>
          {folder && (
            <button type="button" className="btn small" onClick={clearFolder}>
              Forget the folder
            </button>
          )}
        </div>
        {importing && (
          <div role="status">
            <progress max={Math.max(1, importing.total)} value={importing.done} />
            <p className="small muted">
              Embedding {importing.done} of {importing.total} images…
            </p>
          </div>
        )}
        {folder && folder.skipped.length > 0 && (
          <details>
            <summary>{plural(folder.skipped.length, 'image')} not used</summary>
            <ul className="small">
              {folder.skipped.map((s) => (
                <li key={s.file}>
                  {s.file}: {s.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
        {importError && (
          <div className="alert" role="alert" data-testid="lab-import-error">
            {importError}
          </div>
        )}
        <small className="muted">
          One subfolder of photos per person. The embeddings stay in this tab only, until it is closed or reloaded. Do
          not combine a folder with the gallery if both hold the same people: they would count as different people.
        </small>
      </fieldset>
      <fieldset className="fieldset knobs" disabled={busy}>
        <legend>Held-out split, by identity</legend>
        <NumberField
          label="Share of people held out"
          value={settings.testFraction}
          min={0.05}
          max={0.95}
          step={0.05}
          onChange={(v) => setSettings({ testFraction: v })}
          testId="lab-test-fraction"
        />
        <NumberField
          label="Split seed"
          value={settings.splitSeed}
          min={0}
          step={1}
          onChange={(v) => setSettings({ splitSeed: Math.round(v) })}
        />
      </fieldset>
      {data.otherModel.length > 0 && (
        <p className="notice small">
          Left out: {data.otherModel.join(' and ')}, made by another face model than the active {modelName(embedderId)}.
          A model trained on one embedder means nothing on another&rsquo;s embeddings.
        </p>
      )}
      {split && (
        <p
          className="small"
          data-testid="lab-split"
          data-train={split.trainIdentities.length}
          data-test={split.testIdentities.length}
        >
          Train on <strong>{plural(split.trainIdentities.length, 'person', 'people')}</strong> (
          {plural(split.train.length, 'embedding')}); hold out{' '}
          <strong>{plural(split.testIdentities.length, 'person', 'people')}</strong> (
          {plural(split.test.length, 'embedding')}) that training never sees.
          {data.singles > 0 &&
            ` ${plural(data.singles, 'person', 'people')} with a single photo ${data.singles === 1 ? 'is' : 'are'} left out: triplets and genuine pairs need two photos of a person.`}
        </p>
      )}
      {data.problem && (
        <div className="alert" role="alert" data-testid="lab-data-problem">
          {data.problem}
        </div>
      )}
    </section>
  );
}

function TrainSettings() {
  const { settings, setSettings, setHead, setPair, resetSettings, status } = useLab();
  const data = useLabData();
  const busy = status === 'running' || status === 'paused';
  const h = settings.head;
  const p = settings.pair;
  return (
    <section className="card" aria-labelledby="lab-train">
      <h2 id="lab-train">Method</h2>
      <fieldset className="segmented" disabled={busy} aria-label="Method">
        {(
          [
            ['head', 'Triplet head'],
            ['pair-classifier', 'Pair classifier'],
          ] as [TrainMethod, string][]
        ).map(([id, label]) => (
          <label key={id}>
            <input
              type="radio"
              name="lab-method"
              value={id}
              checked={settings.method === id}
              onChange={() => setSettings({ method: id })}
              data-testid={`lab-method-${id}`}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      {settings.method === 'head' ? (
        <>
          <p className="small muted">
            A small network f on top of the embeddings, trained with the triplet loss max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² +
            α, 0) on batches of P people × K photos; faces are then compared by the cosine of f.
          </p>
          <fieldset className="fieldset knobs" disabled={busy}>
            <legend>Triplet head</legend>
            <label className="field">
              <span>Kind</span>
              <select value={h.kind} onChange={(e) => setHead({ kind: e.target.value as 'linear' | 'mlp' })}>
                <option value="linear">Linear</option>
                <option value="mlp">MLP (one hidden ReLU layer)</option>
              </select>
            </label>
            {h.outputDim !== null || data.dim > 0 ? (
              <NumberField
                label="Output size"
                value={h.outputDim ?? data.dim}
                min={1}
                step={1}
                hint={data.dim ? `${data.dim} = the embedding's own size: starts as the identity` : undefined}
                onChange={(v) => setHead({ outputDim: Math.round(v) === data.dim ? null : Math.round(v) })}
              />
            ) : (
              <p className="field">
                <span>Output size</span>
                <span className="small">The embedding&rsquo;s own size (known once there is data)</span>
              </p>
            )}
            <NumberField
              label="Margin α"
              value={h.margin}
              min={0}
              max={4}
              onChange={(v) => setHead({ margin: v })}
              testId="lab-margin"
            />
            <label className="field">
              <span>Triplet mining</span>
              <select value={h.miner} onChange={(e) => setHead({ miner: e.target.value as typeof h.miner })}>
                <option value="hardest">Hardest in batch</option>
                <option value="semi-hard">Semi-hard</option>
                <option value="random">Random</option>
              </select>
            </label>
            <NumberField
              label="People per batch P"
              value={h.identitiesPerBatch}
              min={2}
              step={1}
              onChange={(v) => setHead({ identitiesPerBatch: Math.round(v) })}
            />
            <NumberField
              label="Photos per person K"
              value={h.samplesPerIdentity}
              min={2}
              step={1}
              onChange={(v) => setHead({ samplesPerIdentity: Math.round(v) })}
            />
            <NumberField
              label="Steps"
              value={h.steps}
              min={1}
              step={10}
              onChange={(v) => setHead({ steps: Math.round(v) })}
              testId="lab-steps"
            />
            <NumberField
              label="Learning rate (Adam)"
              value={h.learningRate}
              min={0}
              onChange={(v) => v > 0 && setHead({ learningRate: v })}
              testId="lab-lr"
            />
            <NumberField
              label="Seed"
              value={h.seed}
              min={0}
              step={1}
              onChange={(v) => setHead({ seed: Math.round(v) })}
            />
          </fieldset>
        </>
      ) : (
        <>
          <p className="small muted">
            A logistic regression on per-dimension features of a pair, trained on equal numbers of same-person and
            different-person pairs; it outputs the probability that two faces are one person.
          </p>
          <fieldset className="fieldset knobs" disabled={busy}>
            <legend>Pair classifier</legend>
            <label className="field">
              <span>Feature</span>
              <select value={p.feature} onChange={(e) => setPair({ feature: e.target.value as 'abs' | 'chi2' })}>
                <option value="abs">|a − b|</option>
                <option value="chi2">χ²: (a − b)² / (|a| + |b|)</option>
              </select>
            </label>
            <NumberField
              label="Pairs per batch"
              value={p.pairsPerBatch}
              min={2}
              step={2}
              onChange={(v) => setPair({ pairsPerBatch: Math.round(v) })}
            />
            <NumberField
              label="Steps"
              value={p.steps}
              min={1}
              step={10}
              onChange={(v) => setPair({ steps: Math.round(v) })}
              testId="lab-pair-steps"
            />
            <NumberField
              label="Learning rate (Adam)"
              value={p.learningRate}
              min={0}
              onChange={(v) => v > 0 && setPair({ learningRate: v })}
            />
            <NumberField
              label="Seed"
              value={p.seed}
              min={0}
              step={1}
              onChange={(v) => setPair({ seed: Math.round(v) })}
            />
          </fieldset>
        </>
      )}
      <button type="button" className="btn small" onClick={resetSettings} disabled={busy}>
        Reset to defaults
      </button>
    </section>
  );
}

function RunCard() {
  const { status, error, log, runMethod, trained, settings, start, pause, resume, stop, comparing } = useLab();
  const rows = useMemo(() => log.batches.flat(), [log]);
  const data = useLabData();
  const steps = (runMethod ?? settings.method) === 'head' ? settings.head.steps : settings.pair.steps;
  const isHead = (runMethod ?? settings.method) === 'head';
  const lossSeries: PlotSeries[] = useMemo(
    () => [{ label: isHead ? 'mean triplet loss' : 'logistic loss', colour: '#6d5dfc' }],
    [isHead],
  );
  const shareSeries: PlotSeries[] = useMemo(
    () => [{ label: isHead ? 'active triplets' : 'batch accuracy', colour: '#2a9d8f' }],
    [isHead],
  );
  const msSeries: PlotSeries[] = useMemo(() => [{ label: 'ms', colour: '#6c757d' }], []);
  const loss = useMemo(() => rows.map((r) => [r[0], r[1]]), [rows]);
  const share = useMemo(() => rows.map((r) => [r[0], r[2]]), [rows]);
  const ms = useMemo(() => rows.map((r) => [r[0], r[3]]), [rows]);
  const running = status === 'running' || status === 'paused';
  const last = rows[rows.length - 1];
  const info = runMethod === 'head' ? trained.head : runMethod === 'pair-classifier' ? trained.pair : null;
  return (
    <section className="card" aria-labelledby="lab-run">
      <h2 id="lab-run">Train</h2>
      <div className="row wrap">
        {!running && (
          <button
            type="button"
            className="btn primary"
            onClick={() => void start()}
            disabled={!!data.problem}
            data-testid="lab-start"
          >
            Train {settings.method === 'head' ? 'the head' : 'the pair classifier'}
          </button>
        )}
        {status === 'running' && (
          <button type="button" className="btn" onClick={pause} data-testid="lab-pause">
            Pause
          </button>
        )}
        {status === 'paused' && (
          <button type="button" className="btn primary" onClick={resume} data-testid="lab-resume">
            Resume
          </button>
        )}
        {running && (
          <button type="button" className="btn" onClick={stop} data-testid="lab-stop">
            Stop
          </button>
        )}
      </div>
      <p className="small" role="status" data-testid="lab-status" data-status={status}>
        {status === 'idle' &&
          !data.problem &&
          'Ready. Training runs on this device, between frames, so the page stays responsive.'}
        {running &&
          `${status === 'paused' ? 'Paused at step' : 'Step'} ${last?.[0] ?? 0} of ${steps}` +
            (last ? ` · ${last[3].toFixed(1)} ms per step` : ' · preparing the first step…')}
        {(status === 'done' || status === 'stopped') &&
          info &&
          `${status === 'stopped' ? 'Stopped after' : 'Done:'} ${info.stepsDone} steps, median ${info.msPerStep.toFixed(1)} ms per step.` +
            (comparing ? ' Comparing on the held-out people…' : '')}
      </p>
      {isHead && !running && rows.length > 0 && rows.every((r) => r[2] === 0) && (
        <p className="notice small" data-testid="lab-all-inactive">
          Every triplet already met the margin, so the loss was zero and the head learned nothing. Raise the margin α,
          or add people who are harder to tell apart.
        </p>
      )}
      {error && (
        <div className="alert" role="alert" data-testid="lab-error">
          {error}
        </div>
      )}
      {rows.length > 0 && (
        <>
          <dl
            className="stats"
            data-testid="lab-loss"
            data-loss-first={rows[0]![1]}
            data-loss-last={last![1]}
            data-steps={rows.length}
          >
            <dt>Loss, first step</dt>
            <dd>{rows[0]![1].toFixed(4)}</dd>
            <dt>Loss, last step</dt>
            <dd>{last![1].toFixed(4)}</dd>
            <dt>{isHead ? 'Active triplets' : 'Batch accuracy'}</dt>
            <dd>{pct(last![2])}</dd>
            <dt>ms per step</dt>
            <dd>{last![3].toFixed(1)}</dd>
          </dl>
          <div className="plots">
            <LivePlot
              title="Loss per step (mean over the batch)"
              series={lossSeries}
              rows={loss}
              testId="lab-plot-loss"
            />
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
            <LivePlot title="Milliseconds per step" series={msSeries} rows={ms} height={120} testId="lab-plot-ms" />
          </div>
        </>
      )}
    </section>
  );
}

/** Genuine and impostor pairs as overlaid bars, each normalised to its own count. */
function Histogram({
  hist,
  title,
  axis,
  threshold,
  testId,
}: {
  hist: PairHistogram;
  title: string;
  axis: string;
  threshold?: number | null;
  testId?: string;
}) {
  const w = 320;
  const h = 150;
  const pad = { l: 30, r: 8, t: 8, b: 30 };
  const lo = hist.edges[0]!;
  const hi = hist.edges[hist.edges.length - 1]!;
  const top = Math.max(1e-9, ...hist.genuineFraction, ...hist.impostorFraction);
  const x = (v: number) => pad.l + ((v - lo) / (hi - lo)) * (w - pad.l - pad.r);
  const y = (f: number) => h - pad.b - (f / top) * (h - pad.t - pad.b);
  const bars = (fractions: number[], colour: string) =>
    fractions.map((f, i) =>
      f > 0 ? (
        <rect
          key={i}
          x={x(hist.edges[i]!)}
          width={Math.max(0.5, x(hist.edges[i + 1]!) - x(hist.edges[i]!) - 0.5)}
          y={y(f)}
          height={h - pad.b - y(f)}
          fill={colour}
          fillOpacity={0.55}
        />
      ) : null,
    );
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  return (
    <figure className="lab-hist" data-testid={testId}>
      <figcaption className="small muted">{title}</figcaption>
      <svg viewBox={`0 0 ${w} ${h}`} className="chart" role="img" aria-label={title}>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={pad.t} y2={h - pad.b} className="grid-line" />
            <text x={x(t)} y={h - pad.b + 12} textAnchor="middle" className="axis">
              {Number(t.toFixed(2))}
            </text>
          </g>
        ))}
        <line x1={pad.l} x2={w - pad.r} y1={h - pad.b} y2={h - pad.b} className="grid-line" />
        {bars(hist.impostorFraction, IMPOSTOR)}
        {bars(hist.genuineFraction, GENUINE)}
        {threshold != null && (
          <line
            x1={x(threshold)}
            x2={x(threshold)}
            y1={pad.t}
            y2={h - pad.b}
            className="lab-threshold"
            strokeDasharray="4 3"
          />
        )}
        <text x={(w + pad.l) / 2} y={h - 4} textAnchor="middle" className="axis">
          {axis}
        </text>
      </svg>
    </figure>
  );
}

function Legend({ items }: { items: [string, string][] }) {
  return (
    <ul className="lab-legend small">
      {items.map(([label, colour]) => (
        <li key={label}>
          <span className="lab-swatch" style={{ background: colour }} aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}

function CompareCard() {
  const { comparison, comparing, trained, settings } = useLab();
  if (!comparison) {
    return comparing ? (
      <section className="card">
        <h2>Before and after</h2>
        <p className="muted">Scoring every pair of the held-out people…</p>
      </section>
    ) : null;
  }
  const c: LabComparison = comparison;
  const cosine = c.methods.find((m) => m.method === 'cosine');
  const head = c.methods.find((m) => m.method === 'head');
  const pair = c.methods.find((m) => m.method === 'pair-classifier');
  const toDistance = (cos: number | undefined) => (cos === undefined ? null : Math.max(0, 2 - 2 * cos));
  const margin = trained.head?.settings && 'margin' in trained.head.settings ? trained.head.settings.margin : null;
  return (
    <section
      className="card wide"
      aria-labelledby="lab-compare"
      data-testid="lab-comparison"
      data-identities={c.identities}
      data-cosine-eer={cosine?.eer}
      data-head-eer={head?.eer}
      data-pair-eer={pair?.eer}
    >
      <h2 id="lab-compare">Before and after, on held-out people</h2>
      <p className="small">
        Rests on <strong>{plural(c.identities, 'person', 'people')}</strong> that training never saw (
        {plural(c.samples, 'embedding')}): {plural(c.genuine_pairs, 'genuine pair')} and{' '}
        {plural(c.impostor_pairs, 'impostor pair')}.
        {c.impostor_pairs < 1000 &&
          ` With fewer than 1,000 impostor pairs, a false accept rate of 1e-3 cannot be measured: TAR at FAR = 1e-3 is then the share of genuine pairs above every impostor.`}
        {c.identities < 10 && ' So few people make every figure here noisy; more data gives firmer numbers.'}
      </p>
      <div className="table-scroll">
        <table className="data" data-testid="lab-table">
          <thead>
            <tr>
              <th>Method</th>
              <th>AUC</th>
              <th>EER</th>
              <th>TAR at FAR = 1e-3</th>
              <th>Threshold at the EER</th>
            </tr>
          </thead>
          <tbody>
            {c.methods.map((m) => (
              <tr key={m.method} data-testid={`lab-row-${m.method}`}>
                <td>
                  <span className="lab-swatch" style={{ background: METHOD_COLOUR[m.method] }} aria-hidden="true" />{' '}
                  {METHOD_LABEL[m.method]}
                </td>
                <td>{m.auc.toFixed(4)}</td>
                <td>{pct(m.eer)}</td>
                <td>{pct(m.tar_at_far_1e3)}</td>
                <td>
                  {m.threshold_at_eer.toFixed(3)} <span className="muted small">{m.scale}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="lab-charts">
        <figure className="lab-hist">
          <figcaption className="small muted">ROC on the held-out pairs</figcaption>
          <RocChart
            curves={c.methods.map((m) => ({ key: m.method, points: m.roc, colour: METHOD_COLOUR[m.method] }))}
            label="ROC curves"
            testId="lab-roc"
          />
          <Legend items={c.methods.map((m) => [METHOD_LABEL[m.method], METHOD_COLOUR[m.method]])} />
        </figure>
        <div>
          <Histogram
            hist={c.distances.before}
            title="Squared distance ‖a − b‖² before (raw embeddings)"
            axis="‖a − b‖² = 2 − 2·cos"
            threshold={toDistance(cosine?.threshold_at_eer)}
            testId="lab-hist-before"
          />
          {c.distances.after && (
            <Histogram
              hist={c.distances.after}
              title="Squared distance ‖f(a) − f(b)‖² after the head"
              axis={`‖f(a) − f(b)‖²${margin !== null ? ` (trained with α = ${margin})` : ''}`}
              threshold={toDistance(head?.threshold_at_eer)}
              testId="lab-hist-after"
            />
          )}
          {c.probabilities && (
            <Histogram
              hist={c.probabilities}
              title="Pair classifier: probability of the same person"
              axis="p(same)"
              threshold={pair?.threshold_at_eer}
              testId="lab-hist-pair"
            />
          )}
          <Legend
            items={[
              ['genuine pairs (same person)', GENUINE],
              ['impostor pairs', IMPOSTOR],
              ['threshold at the EER', 'currentColor'],
            ]}
          />
        </div>
      </div>
      {!head && !pair && <p className="muted small">Train a head or a pair classifier to compare it with cosine.</p>}
      {settings.method === 'head' && !pair && head && (
        <p className="muted small">Train the pair classifier too to see all three side by side.</p>
      )}
    </section>
  );
}

function SaveForm({ method }: { method: TrainMethod }) {
  const { trained, comparison, save, status } = useLab();
  const info = method === 'head' ? trained.head : trained.pair;
  const [name, setName] = useState('');
  const evaluation = comparison?.methods.find((m) => m.method === method);
  if (!info || !evaluation) return null;
  return (
    <div className="row wrap">
      <input
        type="text"
        className="lab-name"
        value={name}
        placeholder={`${info.label}, ${info.stepsDone} steps`}
        aria-label={`Name for the ${method === 'head' ? 'head' : 'pair classifier'}`}
        onChange={(e) => setName(e.target.value)}
      />
      <button
        type="button"
        className="btn"
        disabled={status === 'running' || status === 'paused'}
        onClick={() => void save(method, name)}
        data-testid={`lab-save-${method}`}
      >
        Save the {method === 'head' ? 'head' : 'pair classifier'} (held-out EER {pct(evaluation.eer)})
      </button>
    </div>
  );
}

function ModelItem({
  model,
  adoptedId,
  embedderId,
}: {
  model: StoredModel;
  adoptedId: string | null;
  embedderId: string;
}) {
  const { adopt, deleteSaved } = useLab();
  const m = model.metrics ?? {};
  const adopted = model.id === adoptedId;
  const usable = model.modelId === embedderId;
  return (
    <li
      className="lab-model"
      data-testid="lab-model"
      data-adopted={adopted}
      data-active={adopted && usable}
      data-kind={model.kind}
    >
      <div>
        <strong>{model.name}</strong>{' '}
        {adopted && usable && <span className="chip good">In use for Unlock and Identify</span>}
        {adopted && !usable && <span className="chip warn">Chosen, but inactive</span>}
        <div className="small muted">
          {model.kind === 'head' ? 'Triplet head' : 'Pair classifier'} on {modelName(model.modelId)} ·{' '}
          {new Date(model.created).toLocaleString()}
          {m.eer !== undefined &&
            ` · held-out EER ${pct(m.eer)} (cosine ${m.cosine_eer !== undefined ? pct(m.cosine_eer) : '?'})`}
          {m.test_identities !== undefined && ` on ${plural(m.test_identities, 'person', 'people')}`}
          {m.threshold !== undefined && ` · threshold ${m.threshold.toFixed(3)}`}
        </div>
        {!usable && (
          <div className="small muted">
            Trained on {modelName(model.modelId)} embeddings; the active face model is {modelName(embedderId)}, so it is
            never applied. Switch the model in Settings to use it.
          </div>
        )}
      </div>
      <div className="row">
        {!adopted && (
          <button
            type="button"
            className="btn small"
            disabled={!usable}
            onClick={() => adopt(model.id)}
            data-testid="lab-adopt"
          >
            Use for Unlock and Identify
          </button>
        )}
        <button type="button" className="btn small" onClick={() => void deleteSaved(model.id)}>
          Delete
        </button>
      </div>
    </li>
  );
}

function ModelsCard() {
  const { saved, savedMessage, loadSaved, rollBack, trained } = useLab();
  const adoptedId = useSettings((s) => s.adoptedLabModelId);
  const embedderId = useFaces((s) => s.embedderId);
  useEffect(() => {
    void loadSaved();
  }, [loadSaved]);
  const adopted = saved.find((m) => m.id === adoptedId);
  return (
    <section className="card wide" aria-labelledby="lab-models" data-testid="lab-models">
      <h2 id="lab-models">Adopt or roll back</h2>
      <p className="small muted">
        A saved model keeps the face model it was trained on and its threshold at the held-out EER. Once chosen, Unlock
        and Identify compare faces through it: a head maps the gallery&rsquo;s templates and each probe before the
        cosine search; a pair classifier re-scores the closest templates by its probability. Both decide with their own
        threshold.
      </p>
      <SaveForm method="head" />
      <SaveForm method="pair-classifier" />
      {!trained.head && !trained.pair && saved.length === 0 && (
        <p className="muted small">Nothing saved yet: train a model, then save it here.</p>
      )}
      <p className="small" data-testid="lab-adoption" data-adopted={adoptedId ?? ''}>
        {adoptedId === null
          ? 'Unlock and Identify use plain cosine similarity.'
          : adopted && adopted.modelId !== embedderId
            ? `The chosen model (${adopted.name}) is inactive: it was trained on ${modelName(adopted.modelId)} and the active face model is ${modelName(embedderId)}. Plain cosine is used.`
            : `Unlock and Identify use ${adopted?.name ?? 'a saved Lab model'}.`}{' '}
        {adoptedId !== null && (
          <button type="button" className="btn small" onClick={rollBack} data-testid="lab-rollback">
            Roll back to plain cosine
          </button>
        )}
      </p>
      {savedMessage && (
        <p className="small" role="status" data-testid="lab-saved-message">
          {savedMessage}
        </p>
      )}
      {saved.length > 0 && (
        <ul className="lab-models">
          {saved.map((m) => (
            <ModelItem key={m.id} model={m} adoptedId={adoptedId} embedderId={embedderId} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function LabPage() {
  const loadGallery = useLab((s) => s.loadGallery);
  const identities = useGallery((s) => s.identities);
  const embedderId = useFaces((s) => s.embedderId);
  // Re-read the templates when people are enrolled or edited, or another face model is chosen.
  useEffect(() => {
    void loadGallery();
  }, [loadGallery, identities, embedderId]);
  return (
    <div className="lab-page">
      <header>
        <h1>Siamese Lab</h1>
        <p className="lead">
          Teach face matching your own people: a small head or pair classifier is trained on top of the frozen face
          embeddings, in this tab, and judged on people it has never seen against plain cosine similarity.
        </p>
      </header>
      <div className="grid two">
        <div className="stack">
          <DataCard />
          <TrainSettings />
        </div>
        <div className="stack">
          <RunCard />
        </div>
        <CompareCard />
        <ModelsCard />
      </div>
    </div>
  );
}
