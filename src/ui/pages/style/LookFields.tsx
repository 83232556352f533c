import { stylePresets, styleRatioOfStrength, STRENGTH_MAX, STRENGTH_MIN } from '../../../ml/style/presets';
import { selectBusy, selectPreset, selectStrength, useStyle } from '../../../state/style';

/** β/α in words a person can read: "painting 10× your photo". */
function ratioText(strength: number): string {
  const r = styleRatioOfStrength(strength);
  const shown = r >= 10 ? r.toFixed(0) : r >= 1 ? r.toFixed(1) : r.toFixed(2);
  return `painting weighs ${shown}× your photo`;
}

/** Gentle, Balanced or Strong for the chosen network, and the one Strength slider. Locked while busy. */
export function LookFields() {
  const networkId = useStyle((s) => s.networkId);
  const preset = useStyle(selectPreset);
  const strength = useStyle(selectStrength);
  const busy = useStyle(selectBusy);
  const applyPreset = useStyle((s) => s.applyPreset);
  const setStrength = useStyle((s) => s.setStrength);
  const presets = stylePresets(networkId);
  const active = presets.find((p) => p.id === preset);
  const shown = Math.round(strength);
  return (
    <fieldset className="look" disabled={busy}>
      <legend className="visually-hidden">How strong the painting's style is</legend>
      <div className="presets" role="group" aria-label="Presets">
        {presets.map((p) => (
          <button
            key={p.id}
            type="button"
            className={`btn preset${p.id === preset ? ' active' : ''}`}
            aria-pressed={p.id === preset}
            title={p.description}
            onClick={() => applyPreset(p.id)}
            data-testid={`preset-${p.id}`}
          >
            {p.label}
          </button>
        ))}
      </div>
      <p className="small muted preset-note" data-testid="preset-note">
        {active ? active.description : 'Your own mix (changed by hand).'}
      </p>
      <label className="field strength">
        <span>
          Strength <output data-testid="strength-value">{shown}</output>
        </span>
        <input
          type="range"
          min={STRENGTH_MIN}
          max={STRENGTH_MAX}
          step={1}
          value={shown}
          aria-valuetext={`${shown} of 100: ${ratioText(shown)}`}
          onChange={(e) => setStrength(Number(e.target.value))}
          data-testid="strength"
        />
        <span className="strength-ends small muted" aria-hidden="true">
          <span>More photo</span>
          <span title="style weight β ÷ content weight α">{ratioText(shown)}</span>
          <span>More painting</span>
        </span>
      </label>
    </fieldset>
  );
}
