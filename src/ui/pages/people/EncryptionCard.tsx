import { useShallow } from 'zustand/react/shallow';
import { useEffect, useId, useState, type FormEvent } from 'react';
import { PASSPHRASE_MAX_WAIT_MS } from '../../../state/attempt-guard';
import { PASSPHRASE_MIN_LENGTH, useGallery } from '../../../state/gallery';
import { passphraseGuard } from '../../../state/security';

/** Whole seconds before another passphrase may be tried (0: now), counting down, from the counter every tab shares. */
function usePassphraseWait(): number {
  const until = passphraseGuard((s) => s.until);
  const [, setTick] = useState(0);
  const left = Math.ceil(passphraseGuard.getState().waitMs(PASSPHRASE_MAX_WAIT_MS) / 1000);
  useEffect(() => {
    if (left <= 0) return;
    const id = setInterval(() => setTick((t) => t + 1), 250);
    return () => clearInterval(id);
  }, [left, until]);
  return left;
}

/** The countdown after a wrong passphrase, while it runs. */
function PassphraseWait({ seconds }: { seconds: number }) {
  if (seconds <= 0) return null;
  return (
    <p className="alert small" role="status" data-testid="passphrase-wait" data-seconds={seconds}>
      Wrong passphrase. Try again in {seconds} s.
    </p>
  );
}

/** What encryption leaves readable, and why the passphrase's length matters: said before and after turning it on. */
function EncryptionLimits({ open = false }: { open?: boolean }) {
  return (
    <details className="small" data-testid="encryption-limits" open={open}>
      <summary>What encryption does not hide</summary>
      <p className="muted">
        Names, notes, face templates and photos are encrypted. Left readable on this device, for anyone who can open the
        browser's storage: how many people are enrolled, and how many templates and photos each has; when each person,
        template and photo was added or changed; each template's quality, which face model made it and whether it came
        from a photo or the camera; each photo's file type and size in pixels.
      </p>
      <p className="muted">
        The passphrase itself is not stored, but a check value made with it is. Someone who copies this browser's
        profile can try passphrases against that check value on their own computer, as fast as it allows; the waits
        after a wrong passphrase here only slow down guesses typed into Facet. So use a long passphrase: four or more
        unrelated words, not a single word with digits.
      </p>
    </details>
  );
}

function PassphraseField({
  label,
  value,
  onChange,
  autoComplete,
  describedBy,
  invalid,
  testId,
}: {
  label: string;
  value: string;
  onChange(value: string): void;
  autoComplete: 'new-password' | 'current-password';
  describedBy?: string;
  invalid?: boolean;
  testId: string;
}) {
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="password"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={autoComplete}
        aria-describedby={describedBy}
        aria-invalid={invalid || undefined}
        spellCheck={false}
        data-testid={testId}
      />
    </label>
  );
}

function EnableEncryption() {
  const { enableEncryption } = useGallery(useShallow((s) => ({ enableEncryption: s.enableEncryption })));
  const busy = useGallery((s) => !!s.busy);
  const [passphrase, setPassphrase] = useState('');
  const [confirm, setConfirm] = useState('');
  const [tried, setTried] = useState(false);
  const problemId = useId();
  const warningId = useId();
  const length = [...passphrase.normalize('NFC')].length;
  const problem =
    length < PASSPHRASE_MIN_LENGTH
      ? `The passphrase must be at least ${PASSPHRASE_MIN_LENGTH} characters long (${length} so far).`
      : confirm !== passphrase
        ? 'The two passphrases do not match: type the same passphrase in both fields.'
        : null;
  const showProblem = problem !== null && (tried || confirm !== '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem !== null || busy) return;
    void enableEncryption(passphrase).then((ok) => {
      if (!ok) return;
      setPassphrase('');
      setConfirm('');
      setTried(false);
    });
  };
  return (
    <>
      <p className="muted small">
        Encrypt names, notes, templates and thumbnails on this device with a key derived from a passphrase
        (PBKDF2-SHA-256, AES-GCM). After a reload the gallery stays locked until the passphrase is entered.
      </p>
      <div className="notice small" id={warningId} data-testid="encryption-warning">
        <strong>A forgotten passphrase cannot be recovered</strong>, by anyone: the gallery can then only be deleted.
        Backups are written decrypted, so keep backup files somewhere safe.
      </div>
      <EncryptionLimits open />
      <form className="stack passphrase-form" onSubmit={submit} noValidate>
        <PassphraseField
          label={`Passphrase (at least ${PASSPHRASE_MIN_LENGTH} characters)`}
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="new-password"
          describedBy={`${warningId} ${problemId}`}
          invalid={showProblem && length < PASSPHRASE_MIN_LENGTH}
          testId="passphrase"
        />
        <PassphraseField
          label="Type the passphrase again"
          value={confirm}
          onChange={setConfirm}
          autoComplete="new-password"
          describedBy={problemId}
          invalid={showProblem && length >= PASSPHRASE_MIN_LENGTH}
          testId="passphrase-confirm"
        />
        <p id={problemId} className={showProblem ? 'alert small' : 'visually-hidden'} aria-live="polite">
          {showProblem ? problem : ''}
        </p>
        <div className="row wrap">
          <button className="btn primary" disabled={busy} data-testid="encrypt-gallery">
            Encrypt the gallery
          </button>
        </div>
      </form>
    </>
  );
}

function UnlockGallery() {
  const { unlockGallery } = useGallery(useShallow((s) => ({ unlockGallery: s.unlockGallery })));
  const busy = useGallery((s) => !!s.busy);
  const wait = usePassphraseWait();
  const [passphrase, setPassphrase] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase || busy || wait > 0) return;
    void unlockGallery(passphrase).then((ok) => ok && setPassphrase(''));
  };
  return (
    <>
      <p className="muted small">
        The gallery is encrypted and locked in this tab. Unlock it to see, enroll and recognise people.
      </p>
      <form className="row wrap" onSubmit={submit}>
        <PassphraseField
          label="Passphrase"
          value={passphrase}
          onChange={setPassphrase}
          autoComplete="current-password"
          testId="unlock-passphrase"
        />
        <button className="btn primary" disabled={busy || !passphrase || wait > 0} data-testid="unlock-gallery">
          Unlock
        </button>
      </form>
      <PassphraseWait seconds={wait} />
      <EncryptionLimits />
    </>
  );
}

function EncryptionOn() {
  const { lockGallery, disableEncryption } = useGallery(
    useShallow((s) => ({ lockGallery: s.lockGallery, disableEncryption: s.disableEncryption })),
  );
  const busy = useGallery((s) => !!s.busy);
  const wait = usePassphraseWait();
  const [turningOff, setTurningOff] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const close = () => {
    setTurningOff(false);
    setPassphrase('');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase || busy || wait > 0) return;
    void disableEncryption(passphrase).then((ok) => ok && close());
  };
  return (
    <>
      <p className="muted small">
        The gallery is encrypted and unlocked in this tab. It locks when you press Lock now, reload or close the page.
        Backups are still written decrypted.
      </p>
      <div className="row wrap">
        <button className="btn" onClick={() => void lockGallery()} disabled={busy} data-testid="lock-gallery">
          Lock now
        </button>
        {!turningOff && (
          <button className="btn" onClick={() => setTurningOff(true)} disabled={busy} data-testid="disable-encryption">
            Turn off encryption…
          </button>
        )}
      </div>
      {turningOff && (
        <form className="stack passphrase-form" onSubmit={submit}>
          <p className="muted small">
            Everything is rewritten in clear on this device. Enter the passphrase to confirm.
          </p>
          <PassphraseField
            label="Passphrase"
            value={passphrase}
            onChange={setPassphrase}
            autoComplete="current-password"
            testId="disable-passphrase"
          />
          <div className="row wrap">
            <button
              className="btn primary"
              disabled={busy || !passphrase || wait > 0}
              data-testid="confirm-disable-encryption"
            >
              Turn off encryption
            </button>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          </div>
          <PassphraseWait seconds={wait} />
        </form>
      )}
      <EncryptionLimits />
    </>
  );
}

export function EncryptionCard() {
  const encryption = useGallery((s) => s.encryption);
  const busy = useGallery((s) => s.busy);
  const titleId = useId();
  return (
    <section className="card" aria-labelledby={titleId} data-testid="encryption-card" data-encryption={encryption}>
      <h2 id={titleId}>Protect with a passphrase</h2>
      {encryption === 'off' && <EnableEncryption />}
      {encryption === 'locked' && <UnlockGallery />}
      {encryption === 'unlocked' && <EncryptionOn />}
      {/* The page's live region announces it; this copy keeps the wait visible next to the form. */}
      {busy?.startsWith('Deriving the key') && (
        <p className="muted small" aria-hidden="true">
          {busy} This takes a moment.
        </p>
      )}
    </section>
  );
}

/** People who cannot be recognised with the active model, and the way to fix that. */
