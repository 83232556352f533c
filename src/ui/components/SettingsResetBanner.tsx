import { useSettings } from '../../state/settings';

/** Says once, on whatever page the app opens, which stored settings were out of range and reset. */
export function SettingsResetBanner() {
  const notice = useSettings((s) => s.settingsNotice);
  const dismiss = useSettings((s) => s.dismissSettingsNotice);
  if (!notice) return null;
  return (
    <div className="banner warn" role="alert" data-testid="settings-reset-notice">
      <span>{notice}</span>
      <button className="btn ghost" onClick={dismiss}>
        OK
      </button>
    </div>
  );
}
