import { BACKEND_ORDER, isBackendName } from '../../ml/runtime/backend';
import { useRuntime } from '../../state/runtime';
import { useSettings, type Theme } from '../../state/settings';

export function SettingsPage() {
  const settings = useSettings();
  const active = useRuntime((s) => s.info?.name);
  const pending = settings.backend && settings.backend !== active;
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
            <option value="auto">Best available (WebGPU → WebGL → WASM → CPU)</option>
            {BACKEND_ORDER.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
        <p className="muted small">
          Also settable with <code>?backend=webgl</code> in the address (kept until changed). If the chosen backend
          cannot start, Facet falls back down the chain.
        </p>
        {pending && (
          <p className="notice">
            Now running on {active}.{' '}
            <button className="btn small" onClick={() => location.reload()}>
              Reload
            </button>{' '}
            to switch to {settings.backend}.
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

        <h2 className="h3">Reset</h2>
        <button className="btn" onClick={settings.reset}>
          Restore default settings
        </button>
      </section>
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
