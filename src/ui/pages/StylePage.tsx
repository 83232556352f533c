import { useShallow } from 'zustand/react/shallow';
import { useEffect, useMemo, useState } from 'react';
import { useStyle, type CostRow } from '../../state/style';
import { LOSS_NETWORKS } from '../../ml/style/networks';
import { INPUT_PREPROCESSING, type InputPreprocessing } from '../../ml/style/custom-network';
import type { LossNetworkId } from '../../ml/style/networks';
import type { StyleWork } from '../../db/studio';
import { ImagePicker } from '../components/ImagePicker';
import { BitmapView } from '../components/BitmapView';
import { FileButton } from '../components/FileButton';
import { LivePlot, type PlotSeries } from '../components/LivePlot';
import { CameraPanel } from '../components/CameraPanel';
import { NumberField } from '../components/NumberField';
import { RunButtons } from '../components/RunButtons';

const LAYER_COLOURS = ['#e4572e', '#29335c', '#f3a712', '#669bbc', '#a8c686', '#8e44ad', '#c0392b', '#16a085'];

function Inputs() {
  const {
    content,
    styles,
    inputNotice,
    inputError,
    setContent,
    loadSamples,
    setContentFromCamera,
    addStyles,
    removeStyle,
    setStyleWeight,
  } = useStyle(
    useShallow((s) => ({
      content: s.content,
      styles: s.styles,
      inputNotice: s.inputNotice,
      inputError: s.inputError,
      setContent: s.setContent,
      loadSamples: s.loadSamples,
      setContentFromCamera: s.setContentFromCamera,
      addStyles: s.addStyles,
      removeStyle: s.removeStyle,
      setStyleWeight: s.setStyleWeight,
    })),
  );
  const [camera, setCamera] = useState(false);
  return (
    <section className="card" aria-labelledby="style-inputs">
      <div className="row spread">
        <h2 id="style-inputs">Images</h2>
        <button type="button" className="btn small" onClick={() => void loadSamples()} data-testid="style-samples">
          Try the samples
        </button>
      </div>
      <div className="style-inputs">
        <div data-testid="content-zone">
          <ImagePicker
            label="Content image C"
            hint="The picture to repaint. Drop it here or choose a file."
            onFile={(f) => void setContent(f)}
            compact
          />
          <button type="button" className="btn small" onClick={() => setCamera(!camera)} aria-expanded={camera}>
            {camera ? 'Hide camera' : 'Use a camera snapshot…'}
          </button>
          {camera && (
            <CameraPanel
              actions={(video) =>
                video && (
                  <button
                    type="button"
                    className="btn primary"
                    onClick={() => void setContentFromCamera(video)}
                    data-testid="snapshot"
                  >
                    Take snapshot as content
                  </button>
                )
              }
            />
          )}
          {content && (
            <figure className="preview small-preview">
              <BitmapView bitmap={content.bitmap} label={`Content: ${content.name}`} />
              <figcaption className="muted small" data-testid="content-name">
                {content.name} · {content.width}×{content.height}
                {content.width !== content.originalWidth &&
                  ` (from ${content.originalWidth}×${content.originalHeight})`}
              </figcaption>
            </figure>
          )}
        </div>
        <div data-testid="style-zone">
          <ImagePicker
            label="Style images S"
            hint="One or more paintings; blend them with the weights."
            onFile={(f) => void addStyles([f])}
            onFiles={(f) => void addStyles(f)}
            compact
          />
          <ul className="style-list">
            {styles.map((s) => (
              <li key={s.id} data-testid="style-item">
                <BitmapView bitmap={s.bitmap} label={`Style: ${s.name}`} />
                <div>
                  <span className="small">{s.name}</span>
                  <label className="field inline">
                    <span>Weight</span>
                    <input
                      type="range"
                      min={0}
                      max={1}
                      step={0.05}
                      value={s.weight}
                      onChange={(e) => setStyleWeight(s.id, Number(e.target.value))}
                    />
                    <output>{s.weight.toFixed(2)}</output>
                  </label>
                  <button type="button" className="btn small" onClick={() => removeStyle(s.id)}>
                    Remove
                  </button>
                </div>
              </li>
            ))}
          </ul>
        </div>
      </div>
      {inputNotice && (
        <p className="notice" role="status" data-testid="style-notice">
          {inputNotice}
        </p>
      )}
      {inputError && (
        <div className="alert" role="alert" data-testid="style-input-error">
          {inputError}
        </div>
      )}
    </section>
  );
}

function NetworkPicker() {
  const { networkId, network, smoothing, vggSeed, customPreprocessing, chooseNetwork, setNetworkOptions, status } =
    useStyle(
      useShallow((s) => ({
        networkId: s.networkId,
        network: s.network,
        smoothing: s.smoothing,
        vggSeed: s.vggSeed,
        customPreprocessing: s.customPreprocessing,
        chooseNetwork: s.chooseNetwork,
        setNetworkOptions: s.setNetworkOptions,
        status: s.status,
      })),
    );
  const busy = status === 'running' || status === 'paused' || status === 'loading';
  const choice = LOSS_NETWORKS.find((n) => n.id === networkId);
  return (
    <fieldset className="fieldset" disabled={busy}>
      <legend>Loss network</legend>
      <label className="field">
        <span>Network</span>
        <select
          value={networkId}
          data-testid="lossnet"
          onChange={(e) => {
            const id = e.target.value as LossNetworkId;
            if (id !== 'custom') void chooseNetwork(id);
            else useStyle.setState({ networkId: 'custom' });
          }}
        >
          {LOSS_NETWORKS.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label}
            </option>
          ))}
        </select>
        {choice && <small className="muted">{choice.description}</small>}
      </label>
      {networkId === 'vgg19-random' && (
        <NumberField
          label="Weight seed"
          value={vggSeed}
          step={1}
          min={0}
          onChange={(v) => setNetworkOptions({ vggSeed: Math.round(v) })}
        />
      )}
      {networkId === 'custom' && (
        <>
          <label className="field">
            <span>Input the model was trained on</span>
            <select
              value={customPreprocessing}
              onChange={(e) => setNetworkOptions({ customPreprocessing: e.target.value as InputPreprocessing })}
            >
              {INPUT_PREPROCESSING.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.label}
                </option>
              ))}
            </select>
          </label>
          <FileButton
            className="btn"
            multiple
            accept=".json,.bin"
            onFiles={(files) => void chooseNetwork('custom', files)}
          >
            Choose model.json and its .bin files…
          </FileButton>
        </>
      )}
      <label className="check">
        <input
          type="checkbox"
          checked={smoothing ?? networkId === 'resnet50'}
          onChange={(e) => setNetworkOptions({ smoothing: e.target.checked })}
        />
        Softmax-smooth activations (SWAG; needed for ResNets)
      </label>
      <p className="small muted" data-testid="lossnet-status">
        {network.status === 'loading' &&
          `Loading ${network.label}${network.progress !== null ? ` (${Math.round(network.progress * 100)} %)` : ''}…`}
        {network.status === 'ready' && `${network.label}: ${network.layers.length} layers to choose from.`}
        {network.status === 'idle' && 'Loaded when you start, or pick layers after loading.'}
      </p>
      {network.status === 'idle' && (
        <button
          type="button"
          className="btn small"
          onClick={() => void chooseNetwork(networkId)}
          disabled={networkId === 'custom'}
        >
          Load and list its layers
        </button>
      )}
      {network.error && (
        <div className="alert" role="alert">
          {network.error}
        </div>
      )}
    </fieldset>
  );
}

function LayerPicker() {
  const { network, settings, setSettings, setStyleLayerWeight, status } = useStyle(
    useShallow((s) => ({
      network: s.network,
      settings: s.settings,
      setSettings: s.setSettings,
      setStyleLayerWeight: s.setStyleLayerWeight,
      status: s.status,
    })),
  );
  if (network.status !== 'ready' || !network.defaults) return null;
  const busy = status === 'running' || status === 'paused';
  const styleLayers =
    settings.styleLayers ?? network.defaults.style.map((layer, _, all) => ({ layer, weight: 1 / all.length }));
  const weights = new Map(styleLayers.map((l) => [l.layer, l.weight]));
  return (
    <fieldset className="fieldset" disabled={busy}>
      <legend>Layers</legend>
      <label className="field">
        <span>Content layer</span>
        <select
          value={settings.contentLayer ?? network.defaults.content}
          onChange={(e) => setSettings({ contentLayer: e.target.value })}
          data-testid="content-layer"
        >
          {network.layers.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} ({l.channels} ch)
            </option>
          ))}
        </select>
      </label>
      <details>
        <summary>Style layers and their weights λ ({styleLayers.length} chosen)</summary>
        <ul className="layer-list" data-testid="style-layers">
          {network.layers.map((l) => {
            const w = weights.get(l.name);
            return (
              <li key={l.name}>
                <label className="check">
                  <input
                    type="checkbox"
                    checked={w !== undefined}
                    onChange={(e) =>
                      setStyleLayerWeight(l.name, e.target.checked ? 1 / Math.max(1, styleLayers.length) : null)
                    }
                  />
                  {l.name} <span className="muted small">({l.channels} ch)</span>
                </label>
                {w !== undefined && (
                  <input
                    type="number"
                    aria-label={`λ for ${l.name}`}
                    min={0}
                    step="any"
                    value={Number(w.toFixed(4))}
                    onChange={(e) => Number(e.target.value) >= 0 && setStyleLayerWeight(l.name, Number(e.target.value))}
                  />
                )}
              </li>
            );
          })}
        </ul>
      </details>
    </fieldset>
  );
}

function Knobs() {
  const { settings, setSettings, resetSettings, status } = useStyle(
    useShallow((s) => ({
      settings: s.settings,
      setSettings: s.setSettings,
      resetSettings: s.resetSettings,
      status: s.status,
    })),
  );
  const busy = status === 'running' || status === 'paused' || status === 'loading';
  return (
    <section className="card" aria-labelledby="style-knobs">
      <h2 id="style-knobs">Settings</h2>
      <NetworkPicker />
      <LayerPicker />
      <fieldset className="fieldset knobs" disabled={busy}>
        <legend>Cost J = α·J_content + β·J_style + γ·J_TV</legend>
        <NumberField
          label="Size (long side, px)"
          value={settings.size}
          step={8}
          min={16}
          max={2048}
          onChange={(v) => setSettings({ size: Math.round(v) })}
          testId="size"
        />
        <NumberField
          label="Iterations"
          value={settings.iterations}
          step={1}
          min={1}
          onChange={(v) => setSettings({ iterations: Math.round(v) })}
          testId="iterations"
        />
        <NumberField label="α (content)" value={settings.alpha} min={0} onChange={(v) => setSettings({ alpha: v })} />
        <NumberField label="β (style)" value={settings.beta} min={0} onChange={(v) => setSettings({ beta: v })} />
        <NumberField
          label="γ (total variation)"
          value={settings.tvWeight}
          min={0}
          onChange={(v) => setSettings({ tvWeight: v })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={settings.normalise}
            onChange={(e) => setSettings({ normalise: e.target.checked })}
          />
          Normalise each layer's cost (α, β mean the same for every network)
        </label>
      </fieldset>
      <fieldset className="fieldset knobs" disabled={busy}>
        <legend>Optimisation</legend>
        <label className="field">
          <span>Optimiser</span>
          <select
            value={settings.optimiser}
            onChange={(e) => setSettings({ optimiser: e.target.value as 'adam' | 'lbfgs' })}
            data-testid="optimiser"
          >
            <option value="adam">Adam</option>
            <option value="lbfgs">L-BFGS</option>
          </select>
        </label>
        <NumberField
          label="Learning rate"
          value={settings.learningRate}
          min={0}
          onChange={(v) => setSettings({ learningRate: v })}
        />
        <label className="field">
          <span>Start from</span>
          <select
            value={settings.init}
            onChange={(e) => setSettings({ init: e.target.value as 'noise' | 'content' | 'mix' })}
          >
            <option value="content">the content image</option>
            <option value="noise">noise</option>
            <option value="mix">a mix of both</option>
          </select>
        </label>
        {settings.init === 'mix' && (
          <NumberField
            label="Share of noise"
            value={settings.mixRatio}
            min={0}
            max={1}
            onChange={(v) => setSettings({ mixRatio: v })}
          />
        )}
        <NumberField
          label="Seed"
          value={settings.seed}
          step={1}
          min={0}
          onChange={(v) => setSettings({ seed: Math.round(v) })}
        />
        <NumberField
          label="Style scale"
          value={settings.styleScale}
          min={0.1}
          max={4}
          hint="Below 1: finer strokes."
          onChange={(v) => setSettings({ styleScale: v })}
        />
        <NumberField
          label="Preview every n iterations"
          value={settings.previewEvery}
          step={1}
          min={0}
          onChange={(v) => setSettings({ previewEvery: Math.round(v) })}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={settings.preserveColors}
            onChange={(e) => setSettings({ preserveColors: e.target.checked })}
          />
          Keep the content's colours (transfer luminance only)
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.coarseToFine}
            onChange={(e) => setSettings({ coarseToFine: e.target.checked })}
          />
          Coarse to fine (solve at half size first)
        </label>
      </fieldset>
      <button type="button" className="btn small" onClick={resetSettings} disabled={busy}>
        Reset to defaults
      </button>
    </section>
  );
}

function plotRows(rows: CostRow[], pick: (r: CostRow) => number[]): number[][] {
  return rows.map((r) => [r[0]!, ...pick(r)]);
}

function Run() {
  const {
    status,
    error,
    rows,
    styleLayerNames,
    stage,
    preview,
    result,
    settings,
    saveMessage,
    start,
    pause,
    resume,
    stop,
    save,
    content,
    styles,
  } = useStyle(
    useShallow((s) => ({
      status: s.status,
      error: s.error,
      rows: s.rows,
      styleLayerNames: s.styleLayerNames,
      stage: s.stage,
      preview: s.preview,
      result: s.result,
      settings: s.settings,
      saveMessage: s.saveMessage,
      start: s.start,
      pause: s.pause,
      resume: s.resume,
      stop: s.stop,
      save: s.save,
      content: s.content,
      styles: s.styles,
    })),
  );
  const [title, setTitle] = useState('');
  const costSeries: PlotSeries[] = useMemo(
    () => [
      { label: 'J', colour: '#6d5dfc' },
      { label: 'α·J_content', colour: '#2a9d8f' },
      { label: 'β·J_style', colour: '#e76f51' },
      { label: 'γ·J_TV', colour: '#8d99ae', dash: true },
    ],
    [],
  );
  const layerSeries: PlotSeries[] = useMemo(
    () => styleLayerNames.map((l, i) => ({ label: l, colour: LAYER_COLOURS[i % LAYER_COLOURS.length]! })),
    [styleLayerNames],
  );
  const costs = useMemo(() => plotRows(rows, (r) => [r[1]!, r[2]!, r[3]!, r[4]!]), [rows]);
  const layers = useMemo(() => plotRows(rows, (r) => r.slice(6)), [rows]);
  const times = useMemo(() => plotRows(rows, (r) => [r[5]!]), [rows]);
  const last = rows[rows.length - 1];
  const running = status === 'running' || status === 'paused' || status === 'loading';
  const ready = !!content && styles.some((s) => s.weight > 0);
  return (
    <section className="card style-run" aria-labelledby="style-run">
      <h2 id="style-run">Generate G</h2>
      <div className="row wrap">
        {!running && (
          <button
            type="button"
            className="btn primary"
            onClick={() => void start()}
            disabled={!ready}
            data-testid="style-start"
          >
            {result ? 'Run again' : 'Start'}
          </button>
        )}
        <RunButtons status={status} pause={pause} resume={resume} stop={stop} testIdPrefix="style" />
      </div>
      {!ready && !running && <p className="muted small">Add a content image and at least one style image to start.</p>}
      <p className="small" role="status" data-testid="style-status" data-status={status}>
        {status === 'loading' && 'Preparing the loss network and the targets…'}
        {(status === 'running' || status === 'paused') &&
          `${status === 'paused' ? 'Paused at' : 'Iteration'} ${last?.[0] ?? 0} of ${settings.iterations}` +
            (stage
              ? ` · ${stage.width}×${stage.height}${stage.count > 1 ? ` (stage ${stage.index + 1} of ${stage.count})` : ''}`
              : '') +
            (last ? ` · ${last[5]!.toFixed(0)} ms per iteration` : '')}
        {status === 'done' && `Done: ${result?.iterations} iterations.`}
        {status === 'stopped' && `Stopped after ${result?.iterations} iterations; the result so far is below.`}
      </p>
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
      {last && (
        <dl className="stats" data-testid="style-costs" data-j-first={rows[0]![1]} data-j-last={last[1]}>
          <dt>J</dt>
          <dd data-testid="cost-J">{last[1]!.toExponential(3)}</dd>
          <dt>α·J_content</dt>
          <dd>{last[2]!.toExponential(3)}</dd>
          <dt>β·J_style</dt>
          <dd>{last[3]!.toExponential(3)}</dd>
          <dt>γ·J_TV</dt>
          <dd>{last[4]!.toExponential(3)}</dd>
        </dl>
      )}
      {rows.length > 0 && (
        <div className="plots">
          <LivePlot title="Cost per iteration (log scale)" series={costSeries} rows={costs} logY testId="plot-costs" />
          <LivePlot
            title="Each style layer's β·λ·J_style (log scale)"
            series={layerSeries}
            rows={layers}
            logY
            testId="plot-layers"
          />
          <LivePlot
            title="Milliseconds per iteration"
            series={[{ label: 'ms', colour: '#6c757d' }]}
            rows={times}
            height={140}
            testId="plot-time"
          />
        </div>
      )}
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
    </section>
  );
}

/** One object URL per stored image for as long as the page lives; a handful of works at most. */
const workUrls = new WeakMap<Blob, string>();
function workUrl(blob: Blob): string {
  let url = workUrls.get(blob);
  if (!url) {
    url = URL.createObjectURL(blob);
    workUrls.set(blob, url);
  }
  return url;
}

function WorkCard({ work, onDelete }: { work: StyleWork; onDelete(): void }) {
  const url = workUrl(work.image);
  const s = work.settings as {
    lossNetworkLabel?: string;
    size?: number;
    alpha?: number;
    beta?: number;
    optimiser?: string;
  };
  return (
    <li className="work" data-testid="work">
      <img src={url} alt={work.title} width={work.width} height={work.height} />
      <strong className="small">{work.title}</strong>
      <span className="muted small">
        {s.lossNetworkLabel} · {work.width}×{work.height} · {work.iterations} it. · α {s.alpha} β {s.beta} ·{' '}
        {s.optimiser}
      </span>
      <div className="row">
        <a className="btn small" href={url} download={`${work.title.replace(/[^\w-]+/g, '-')}.png`}>
          Download
        </a>
        <button type="button" className="btn small" onClick={onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

function Works() {
  const { works, loadWorks, deleteWork } = useStyle(
    useShallow((s) => ({ works: s.works, loadWorks: s.loadWorks, deleteWork: s.deleteWork })),
  );
  useEffect(() => {
    void loadWorks();
  }, [loadWorks]);
  if (works.length === 0) return null;
  return (
    <section className="card" aria-labelledby="style-works">
      <h2 id="style-works">My works</h2>
      <ul className="works">
        {works.map((w) => (
          <WorkCard key={w.id} work={w} onDelete={() => void deleteWork(w.id)} />
        ))}
      </ul>
    </section>
  );
}

export function StylePage() {
  return (
    <div className="style-page">
      <header>
        <h1>Style Studio</h1>
        <p className="lead">
          Repaint a photo in the style of a painting: G starts from your image and is changed by gradient descent on J =
          α·J_content + β·J_style, where the content cost compares a deep layer's activations and the style cost
          compares Gram matrices of several layers. Everything runs on this device.
        </p>
      </header>
      <div className="grid two">
        <div className="stack">
          <Inputs />
          <Knobs />
        </div>
        <div className="stack">
          <Run />
          <Works />
        </div>
      </div>
    </div>
  );
}
