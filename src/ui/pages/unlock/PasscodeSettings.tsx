// Setting, changing and removing the unlock passcode (in Unlock settings). Setting one needs the app
// unlocked, and changing or removing one needs the current passcode, so a stranger at a locked-out
// device can neither set one nor take it away.
import { useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePasscode } from '../../../state/passcode';
import { useUnlock } from '../../../state/unlock';

function PasswordField(props: { label: string; value: string; onChange: (v: string) => void; testId: string }) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="password"
        autoComplete="new-password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        data-testid={props.testId}
      />
    </label>
  );
}

export function PasscodeSettings() {
  const { status, busy, error, notice, refresh, setPasscode, removePasscode } = usePasscode(
    useShallow((s) => ({
      status: s.status,
      busy: s.busy,
      error: s.error,
      notice: s.notice,
      refresh: s.refresh,
      setPasscode: s.setPasscode,
      removePasscode: s.removePasscode,
    })),
  );
  const unlocked = useUnlock((s) => s.session !== null);
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  useEffect(() => {
    void refresh();
  }, [refresh]);
  const clear = () => (setCurrent(''), setNext(''), setAgain(''));
  const isSet = status === 'set';
  return (
    <fieldset className="fieldset" data-testid="passcode-settings" data-status={status}>
      <legend>Passcode</legend>
      <p className="small muted">
        {isSet ? 'A passcode is set. ' : 'No passcode is set. '}
        It unlocks when your face does not, for example after too many failed attempts. Only a salted hash of it is kept
        on this device.
      </p>
      {status === 'unavailable' && <p className="notice small">This browser cannot store a passcode (no IndexedDB).</p>}
      {!unlocked && status !== 'unavailable' && (
        <p className="small" data-testid="passcode-needs-unlock">
          Unlock first, with your face{isSet ? ' or the passcode' : ''}, to {isSet ? 'change' : 'set'} the passcode.
        </p>
      )}
      {unlocked && status !== 'unavailable' && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void setPasscode(next, again, current).then((ok) => ok && clear());
          }}
        >
          {isSet && (
            <PasswordField label="Current passcode" value={current} onChange={setCurrent} testId="passcode-current" />
          )}
          <PasswordField
            label={
              isSet ? 'New passcode (a PIN or a passphrase)' : 'Passcode (a PIN of 4 or more digits, or a passphrase)'
            }
            value={next}
            onChange={setNext}
            testId="passcode-new"
          />
          <PasswordField label="Type it again" value={again} onChange={setAgain} testId="passcode-again" />
          <div className="row wrap">
            <button className="btn primary" type="submit" disabled={busy} data-testid="passcode-save">
              {busy ? 'Saving…' : isSet ? 'Change passcode' : 'Set passcode'}
            </button>
            {isSet && (
              <button
                className="btn"
                type="button"
                disabled={busy}
                onClick={() => void removePasscode(current).then((ok) => ok && clear())}
              >
                Remove passcode
              </button>
            )}
          </div>
        </form>
      )}
      {error && (
        <p className="alert" role="alert" data-testid="passcode-settings-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice small" role="status" data-testid="passcode-notice">
          {notice}
        </p>
      )}
    </fieldset>
  );
}
