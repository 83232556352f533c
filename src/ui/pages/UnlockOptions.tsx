// The Unlock page's settings card: who may unlock, the threshold, the lockout, the liveness cues,
// the passcode and the camera. Every value is kept in its range by the settings store; this card
// only offers the ranges.
import { useShallow } from 'zustand/react/shallow';
import { CameraSelects } from '../components/CameraSelects';
import { PasscodeSettings } from './unlock/PasscodeSettings';
import { EMBEDDERS } from '../../ml/face/embedder-specs';
import { CUE_NAMES } from '../../ml/liveness/fusion';
import { useFaces } from '../../state/faces';
import { useGallery } from '../../state/gallery';
import { cueMode, SETTING_RANGES, useSettings, type CueMode } from '../../state/settings';
import { useUnlock } from '../../state/unlock';
import { CUE_LABELS } from './unlock-labels';
import { NumberField } from '../components/NumberField';

function LivenessOptions({ disabled }: { disabled: boolean }) {
  const liveness = useSettings((s) => s.liveness);
  const setCueMode = useSettings((s) => s.setCueMode);
  const setLiveness = useSettings((s) => s.setLiveness);
  const none = CUE_NAMES.every((c) => cueMode(liveness, c) !== 'required');
  return (
    <fieldset className="fieldset" disabled={disabled}>
      <legend>Liveness</legend>
      {CUE_NAMES.map((c) => (
        <label className="field" key={c}>
          <span>{CUE_LABELS[c]}</span>
          <select
            value={cueMode(liveness, c)}
            onChange={(e) => setCueMode(c, e.target.value as CueMode)}
            data-testid={`cue-mode-${c}`}
          >
            <option value="required">Required</option>
            <option value="advisory">Shown only</option>
            <option value="off">Off</option>
          </select>
        </label>
      ))}
      <label className="field">
        <span>Time to decide (seconds)</span>
        <input
          type="number"
          min={3}
          max={60}
          value={liveness.maxMs / 1000}
          onChange={(e) => setLiveness({ maxMs: Math.min(60, Math.max(3, Number(e.target.value) || 8)) * 1000 })}
        />
      </label>
      {none && (
        <p className="notice small" data-testid="liveness-off-warning">
          No liveness cue is required: a photo of an enrolled person will unlock.
        </p>
      )}
      <p className="small muted">
        The challenge (a random blink or head turn, then another) is what stops a replayed video; blink and live motion
        stop a photo. The passive models are shown only: measured here, they mostly react to dark, flat images.
      </p>
    </fieldset>
  );
}

/** Which camera and at what size; a change applies to the next start. */
function CameraChoice() {
  return (
    <fieldset className="fieldset">
      <legend>Camera</legend>
      <div className="row wrap">
        <CameraSelects />
      </div>
      <p className="muted small">Applies the next time the camera starts.</p>
    </fieldset>
  );
}

export function UnlockOptions() {
  const identities = useGallery((s) => s.identities);
  const { target, setTarget, running } = useUnlock(
    useShallow((s) => ({ target: s.target, setTarget: s.setTarget, running: s.running })),
  );
  const settings = useSettings();
  const embedderId = useFaces((s) => s.embedderId);
  const custom = settings.faceThresholds[embedderId]?.unlock ?? null;
  const threshold = custom ?? EMBEDDERS[embedderId].unlock.threshold;
  const range = EMBEDDERS[embedderId].thresholdRange.unlock;
  const { unlockMaxFailures: failuresRange, unlockLockoutSeconds: lockoutRange } = SETTING_RANGES;
  return (
    <details className="card">
      <summary>Unlock settings</summary>
      <label className="field">
        <span>Who may unlock</span>
        <select value={target ?? ''} onChange={(e) => setTarget(e.target.value || null)} disabled={running}>
          <option value="">Anyone enrolled (1:N)</option>
          {identities.map((i) => (
            <option key={i.id} value={i.id}>
              Only {i.name} (1:1 verification)
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>
          Similarity threshold: {threshold.toFixed(3)}
          {custom == null ? ' (model default)' : ''}
        </span>
        <input
          type="range"
          min={range.min}
          max={range.max}
          step={0.001}
          value={threshold}
          onChange={(e) => settings.setThreshold(embedderId, 'unlock', Number(e.target.value))}
          data-testid="unlock-threshold"
        />
        <span className="muted small">
          From {range.min.toFixed(3)} (what Identify uses by default) to {range.max.toFixed(3)} (refuses everyone).
        </span>
      </label>
      <div className="row wrap">
        <NumberField
          label="Attempts before lockout"
          step={1}
          min={failuresRange.min}
          max={failuresRange.max}
          value={settings.unlockMaxFailures}
          onChange={(v) => settings.setFace({ unlockMaxFailures: v })}
          testId="unlock-max-failures"
        />
        <NumberField
          label="Lockout (seconds)"
          step={1}
          min={lockoutRange.min}
          max={lockoutRange.max}
          value={settings.unlockLockoutSeconds}
          onChange={(v) => settings.setFace({ unlockLockoutSeconds: v })}
          testId="unlock-lockout-seconds"
        />
      </div>
      {custom != null && (
        <button className="btn small" onClick={() => settings.setThreshold(embedderId, 'unlock', null)}>
          Use the model's default threshold
        </button>
      )}
      <LivenessOptions disabled={running} />
      <PasscodeSettings />
      <CameraChoice />
      <p className="muted small">
        Changes apply to the next unlock. Failed attempts and the lockout are counted on this device for every tab and
        kept when the page reloads.
      </p>
    </details>
  );
}
