// "Use passcode": the field that unlocks when the face will not (after the lockout, as on a phone).
import { useEffect, useId, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { usePasscode } from '../../../state/passcode';

export function PasscodeEntry({ onClose }: { onClose: () => void }) {
  const { busy, error, unlock, clearMessages } = usePasscode(
    useShallow((s) => ({ busy: s.busy, error: s.error, unlock: s.unlock, clearMessages: s.clearMessages })),
  );
  const [value, setValue] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const id = useId();
  useEffect(() => {
    clearMessages();
    input.current?.focus();
  }, [clearMessages]);
  return (
    <form
      className="passcode-entry"
      data-testid="passcode-entry"
      onSubmit={(e) => {
        e.preventDefault();
        void unlock(value).then((ok) => ok || setValue(''));
      }}
    >
      <label className="field" htmlFor={id}>
        <span>Passcode</span>
      </label>
      <div className="row">
        <input
          id={id}
          ref={input}
          type="password"
          autoComplete="off"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          data-testid="passcode-input"
          aria-describedby={error ? `${id}-error` : undefined}
        />
        <button className="btn primary" type="submit" disabled={busy || value === ''} data-testid="passcode-unlock">
          {busy ? 'Checking…' : 'Unlock'}
        </button>
        <button className="btn ghost" type="button" onClick={onClose}>
          Cancel
        </button>
      </div>
      {error && (
        <p className="alert" role="alert" id={`${id}-error`} data-testid="passcode-error">
          {error}
        </p>
      )}
    </form>
  );
}
