import { selectBusy, useStyle } from '../../../state/style';
import { NumberField } from '../../components/NumberField';
import { LayerPicker } from './LayerPicker';
import { NetworkPicker } from './NetworkPicker';

function CostFields() {
  const settings = useStyle((s) => s.settings);
  const setSettings = useStyle((s) => s.setSettings);
  const busy = useStyle(selectBusy);
  return (
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
  );
}

function OptimisationFields() {
  const settings = useStyle((s) => s.settings);
  const setSettings = useStyle((s) => s.setSettings);
  const busy = useStyle(selectBusy);
  return (
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
  );
}

/** Every knob: the loss network and its layers, the cost's weights and the optimiser. Locked while busy. */
export function SettingsCard() {
  const resetSettings = useStyle((s) => s.resetSettings);
  const busy = useStyle(selectBusy);
  return (
    <section className="card" aria-labelledby="style-knobs">
      <h2 id="style-knobs">Settings</h2>
      <NetworkPicker />
      <LayerPicker />
      <CostFields />
      <OptimisationFields />
      <button type="button" className="btn small" onClick={resetSettings} disabled={busy}>
        Reset to defaults
      </button>
    </section>
  );
}
