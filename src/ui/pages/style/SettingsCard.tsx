import { selectBusy, useStyle } from '../../../state/style';
import { NumberField } from '../../components/NumberField';
import { LayerPicker } from './LayerPicker';
import { NetworkPicker } from './NetworkPicker';
import { Term } from './Term';

/** What everyone may want: the size, how many steps, the photo's colours. */
function BasicFields() {
  const settings = useStyle((s) => s.settings);
  const setSettings = useStyle((s) => s.setSettings);
  const busy = useStyle(selectBusy);
  return (
    <fieldset className="fieldset knobs" disabled={busy}>
      <legend className="visually-hidden">Size and steps</legend>
      <NumberField
        label="Size (longest side, px)"
        value={settings.size}
        step={8}
        min={16}
        max={2048}
        hint="Bigger is sharper and slower."
        onChange={(v) => setSettings({ size: Math.round(v) })}
        testId="size"
      />
      <NumberField
        label="Steps"
        value={settings.iterations}
        step={1}
        min={1}
        hint="More steps take the picture further."
        onChange={(v) => setSettings({ iterations: Math.round(v) })}
        testId="iterations"
      />
      <label className="check">
        <input
          type="checkbox"
          checked={settings.preserveColors}
          onChange={(e) => setSettings({ preserveColors: e.target.checked })}
          data-testid="keep-colours"
        />
        <Term term="luminance only">Keep my photo’s colours</Term>
      </label>
    </fieldset>
  );
}

function CostFields() {
  const settings = useStyle((s) => s.settings);
  const setSettings = useStyle((s) => s.setSettings);
  const busy = useStyle(selectBusy);
  return (
    <fieldset className="fieldset knobs" disabled={busy}>
      <legend>
        How the picture is scored <span className="term">J = α·J_content + β·J_style + γ·J_TV</span>
      </legend>
      <NumberField
        label={<Term term="α">Content weight</Term>}
        value={settings.alpha}
        min={0}
        onChange={(v) => setSettings({ alpha: v })}
        testId="alpha"
      />
      <NumberField
        label={<Term term="β">Style weight</Term>}
        value={settings.beta}
        min={0}
        onChange={(v) => setSettings({ beta: v })}
        testId="beta"
      />
      <NumberField
        label={<Term term="γ, total variation">Smoothness</Term>}
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
        <Term term="normalise each layer's cost">Weigh the layers evenly, whatever the network</Term>
      </label>
    </fieldset>
  );
}

function OptimisationFields() {
  const settings = useStyle((s) => s.settings);
  const setSettings = useStyle((s) => s.setSettings);
  const busy = useStyle(selectBusy);
  return (
    <fieldset className="fieldset knobs" disabled={busy}>
      <legend>How each step is taken</legend>
      <label className="field">
        <Term term="optimiser">Method</Term>
        <select
          value={settings.optimiser}
          onChange={(e) => setSettings({ optimiser: e.target.value as 'adam' | 'lbfgs' })}
          data-testid="optimiser"
        >
          <option value="lbfgs">L-BFGS</option>
          <option value="adam">Adam</option>
        </select>
        <small className="muted">L-BFGS gets there in fewer steps; Adam changes the picture more steadily.</small>
      </label>
      <NumberField
        label={<Term term="learning rate">Step size</Term>}
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
          <option value="content">my photo</option>
          <option value="noise">random noise</option>
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
        label={<Term term="seed">Random seed of the noise</Term>}
        value={settings.seed}
        step={1}
        min={0}
        onChange={(v) => setSettings({ seed: Math.round(v) })}
      />
      <NumberField
        label={<Term term="style scale">Brush size</Term>}
        value={settings.styleScale}
        min={0.1}
        max={4}
        hint="Below 1: finer strokes."
        onChange={(v) => setSettings({ styleScale: v })}
      />
      <NumberField
        label={<Term term="tiling">Largest piece painted at once (px)</Term>}
        value={settings.tileSize}
        step={64}
        min={0}
        max={2048}
        hint="Bigger sizes are painted as one picture up to this, then in overlapping tiles of it. 0: never in tiles."
        onChange={(v) => setSettings({ tileSize: v > 0 ? Math.max(64, Math.round(v)) : 0 })}
        testId="tile-size"
      />
      <NumberField
        label="Show the picture every … steps"
        value={settings.previewEvery}
        step={1}
        min={0}
        onChange={(v) => setSettings({ previewEvery: Math.round(v) })}
      />
      <label className="check">
        <input
          type="checkbox"
          checked={settings.coarseToFine}
          onChange={(e) => setSettings({ coarseToFine: e.target.checked })}
        />
        <Term term="coarse to fine">Rough draft at half size first</Term>
      </label>
    </fieldset>
  );
}

/** The size and steps for everyone; every expert knob folded under Advanced. Locked while busy. */
export function SettingsCard() {
  const resetSettings = useStyle((s) => s.resetSettings);
  const busy = useStyle(selectBusy);
  return (
    <section className="card style-area-settings" aria-labelledby="style-knobs">
      <h2 id="style-knobs">Settings</h2>
      <BasicFields />
      <details className="advanced" data-testid="style-advanced">
        <summary>Advanced</summary>
        <NetworkPicker />
        <LayerPicker />
        <CostFields />
        <OptimisationFields />
      </details>
      <button type="button" className="btn small" onClick={resetSettings} disabled={busy}>
        Reset to defaults
      </button>
    </section>
  );
}
