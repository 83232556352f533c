import { useId } from 'react';
import { BACKEND_ORDER, isBackendName } from '../../ml/runtime/backend';
import { EMBEDDERS } from '../../ml/face/embedder-specs';
import { FACE_MODELS, thresholdFor, useFaces } from '../../state/faces';
import { useRuntime } from '../../state/runtime';
import { useSettings, type Theme } from '../../state/settings';

function FaceModelCard() {
  const embedderId = useFaces((s) => s.embedderId);
  const custom = useSettings((s) => s.faceThresholds[embedderId]?.unlock ?? null);
  const setThreshold = useSettings((s) => s.setThreshold);
  const maxFailures = useSettings((s) => s.unlockMaxFailures);
  const lockoutSeconds = useSettings((s) => s.unlockLockoutSeconds);
  const titleId = useId();
  const active = FACE_MODELS.find((m) => m.id === embedderId) ?? FACE_MODELS[0]!;
  const range = EMBEDDERS[active.id].thresholdRange.unlock;
  const inForce = thresholdFor(active.id, 'unlock');
  return (
    <section className="card" aria-labelledby={titleId} data-testid="face-model">
      <h2 id={titleId}>Face recognition model</h2>
      <p className="muted small">
        The network that turns an aligned face into an embedding. Templates made by one model are never compared with
        another model's, so after switching, people enrolled with the other model must be re-embedded (or enrolled
        again) on the <a href="#/people">People</a> page before Unlock and Identify can recognise them.
      </p>
      <fieldset className="choices">
        <legend className="visually-hidden">Embedding model</legend>
        {FACE_MODELS.map((m) => (
          <label key={m.id} className="choice">
            <input
              type="radio"
              name="face-model"
              value={m.id}
              checked={m.id === embedderId}
              onChange={() => useFaces.getState().setEmbedder(m.id)}
              data-testid={`face-model-${m.id}`}
            />
            <span>
              <strong>{m.name}</strong> {m.isDefault && <span className="chip good">Default</span>}
              <span className="muted small">
                {' '}
                {m.dim}-D embeddings · Unlock threshold {m.unlock.threshold.toFixed(3)}
              </span>
              <span className="choice-note muted small">{m.note}</span>
            </span>
          </label>
        ))}
      </fieldset>
      <p className="muted small" data-testid="threshold-in-force" data-threshold={inForce}>
        Unlock threshold in force: <strong>{inForce.toFixed(3)}</strong>,{' '}
        {custom == null
          ? `the ${active.name} default. Set your own under Unlock settings on the Unlock page.`
          : `set by hand for ${active.name} (its default is ${active.unlock.threshold.toFixed(3)}). ` +
            'It applies to this model only: scores of different models are not on the same scale.'}{' '}
        A threshold for this model can be set from {range.min.toFixed(3)} to {range.max.toFixed(3)}; a stored value
        outside that is reset to the default.
      </p>
      <p
        className="muted small"
        data-testid="lockout-in-force"
        data-max-failures={maxFailures}
        data-lockout-seconds={lockoutSeconds}
      >
        After {maxFailures} failed {maxFailures === 1 ? 'attempt' : 'attempts'} in a row, Unlock locks for{' '}
        {lockoutSeconds} s. The count is kept on this device for every tab and survives a reload.
      </p>
      {custom != null && (
        <button className="btn small" onClick={() => setThreshold(active.id, 'unlock', null)}>
          Use the {active.name} default threshold
        </button>
      )}
    </section>
  );
}

export function SettingsPage() {
  const settings = useSettings();
  const active = useRuntime((s) => s.info?.name);
  const pinnedNow = useRuntime((s) => s.info?.chosenBy === 'pinned');
  const pending = settings.backend ? settings.backend !== active : pinnedNow;
  return (
    <div className="grid two">
      <section className="card">
        <h1>Settings</h1>
        <h2 className="h3">Compute backend</h2>
        <label className="field">
          <span>Run models on</span>
          <select
            value={settings.backend ?? 'auto'}
            onChange={(e) => settings.setBackend(isBackendName(e.target.value) ? e.target.value : null)}
            data-testid="settings-backend"
          >
            <option value="auto">Automatic (fastest measured)</option>
            {BACKEND_ORDER.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">
          Automatic times a small model on each backend the first time (and again when the graphics adapter or browser
          changes) and uses the fastest; see Diagnostics. Also settable with <code>?backend=webgl</code> in the address
          (kept until changed; <code>?backend=auto</code> returns to Automatic). If a chosen backend cannot start, Facet
          falls back down the chain.
        </p>
        {pending && (
          <p className="notice">
            Now running on {active}.{' '}
            <button className="btn small" onClick={() => location.reload()}>
              Reload
            </button>{' '}
            to switch to {settings.backend ?? 'the fastest measured backend'}.
          </p>
        )}

        <h2 className="h3">Appearance</h2>
        <fieldset className="segmented">
          <legend className="visually-hidden">Theme</legend>
          {(['system', 'light', 'dark'] as Theme[]).map((t) => (
            <label key={t}>
              <input
                type="radio"
                name="theme"
                value={t}
                checked={settings.theme === t}
                onChange={() => settings.setTheme(t)}
              />
              <span>{t[0]!.toUpperCase() + t.slice(1)}</span>
            </label>
          ))}
        </fieldset>
        <label className="check dev-details">
          <input
            type="checkbox"
            checked={settings.devDetails}
            onChange={(e) => settings.setDevDetails(e.target.checked)}
            data-testid="settings-dev-details"
          />
          Show developer details
        </label>
        <p className="muted small">A bar under every page with the models loaded, live tensors and memory in use.</p>

        <h2 className="h3">Reset</h2>
        <button className="btn" onClick={settings.reset}>
          Restore default settings
        </button>
      </section>
      <FaceModelCard />
      <section className="card">
        <h2>Privacy</h2>
        <p>
          Facet runs every model in this browser. Camera frames, photos and face templates never leave the device; the
          app makes no requests to any server but the one it was loaded from, and works offline once installed.
        </p>
      </section>
    </div>
  );
}
