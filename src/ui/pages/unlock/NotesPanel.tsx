// What an unlock opens: private notes kept on this device, encrypted with the gallery key when the
// gallery is encrypted. Shown on the Unlock page after an unlock, and as the #/private page.
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MAX_NOTES_LENGTH } from '../../../db';
import { useNotes } from '../../../state/private-notes';
import { useUnlock } from '../../../state/unlock';

/** The text field and its Save; made anew (by key) for each version read or saved, so a fresh read replaces the draft. */
function NotesEditor({ initial }: { initial: string }) {
  const { status, encrypted, busy, save } = useNotes(
    useShallow((s) => ({ status: s.status, encrypted: s.encrypted, busy: s.busy, save: s.save })),
  );
  const [draft, setDraft] = useState(initial);
  const id = useId();
  const changed = draft !== initial;
  return (
    <>
      <label className="field" htmlFor={id}>
        <span>Notes</span>
      </label>
      <textarea
        id={id}
        rows={6}
        maxLength={MAX_NOTES_LENGTH}
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        data-testid="notes-text"
      />
      <div className="row wrap">
        <button
          className="btn primary"
          onClick={() => void save(draft)}
          disabled={busy || !changed || status !== 'ready'}
          data-testid="notes-save"
        >
          {busy ? 'Saving…' : changed ? 'Save' : 'Saved'}
        </button>
        <span className="small muted" data-testid="notes-storage">
          {encrypted
            ? 'Kept on this device, encrypted with the gallery passphrase.'
            : 'Kept on this device in clear. Encrypt the gallery on People to encrypt them too.'}
        </span>
      </div>
    </>
  );
}

export function NotesPanel({ heading = true }: { heading?: boolean }) {
  const { status, text, updated, encrypted, error, notice, load } = useNotes(
    useShallow((s) => ({
      status: s.status,
      text: s.text,
      updated: s.updated,
      encrypted: s.encrypted,
      error: s.error,
      notice: s.notice,
      load: s.load,
    })),
  );
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="private-notes" data-testid="private-notes" data-status={status} data-encrypted={encrypted}>
      {heading && <h2>Private notes</h2>}
      {status === 'loading' && <p className="muted">Opening…</p>}
      {status === 'ready' && <NotesEditor key={updated ?? 'none'} initial={text} />}
      {error && (
        <p className="alert" role="alert" data-testid="notes-error">
          {error} {status === 'locked' && <a href="#/people">Go to People</a>}
        </p>
      )}
      {notice && (
        <p className="small muted" role="status" data-testid="notes-notice">
          {notice}
        </p>
      )}
    </section>
  );
}

/** "Lock again": ends the session and drops the notes from memory. */
export function LockAgainButton() {
  const lock = useUnlock((s) => s.lock);
  const forget = useNotes((s) => s.forget);
  return (
    <button
      className="btn"
      onClick={() => {
        forget();
        lock();
      }}
      data-testid="lock-again"
    >
      Lock again
    </button>
  );
}
