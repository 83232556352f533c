import { useEffect, useId, useState, type FormEvent } from 'react';
import { useCamera } from '../../state/camera';
import { FACE_MODELS, useFaces } from '../../state/faces';
import { PASSPHRASE_MIN_LENGTH, useGallery } from '../../state/gallery';
import { CameraPanel } from '../components/CameraPanel';
import { FileButton } from '../components/FileButton';
import { ImagePicker } from '../components/ImagePicker';

/** The display name of the active embedding model. */
function useActiveModel() {
  const id = useFaces((s) => s.embedderId);
  return { id, name: FACE_MODELS.find((m) => m.id === id)?.name ?? id };
}

function download(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function EnrollCard() {
  const { enrollFromFile, enrollFromCamera, busy } = useGallery();
  const locked = useGallery((s) => s.encryption === 'locked');
  const cameraOn = useCamera((s) => s.status === 'on');
  const embedder = useActiveModel().name;
  const [name, setName] = useState('');
  const [mode, setMode] = useState<'photo' | 'camera'>('photo');
  const trimmed = name.trim();
  const done = (ok: boolean) => ok && setName('');
  return (
    <section className="card">
      <h2>Enroll a person</h2>
      <p className="muted small">
        One clear photo is enough (one-shot learning). With the camera, Facet keeps a few good frames with slightly
        different poses. Embeddings are made with {embedder}.
      </p>
      {locked && (
        <p className="notice small">
          The gallery is locked: unlock it under “Protect with a passphrase” to enroll people.
        </p>
      )}
      <label className="field">
        <span>Name</span>
        <input
          type="text"
          value={name}
          maxLength={80}
          onChange={(e) => setName(e.target.value)}
          placeholder="e.g. Ada Lovelace"
          data-testid="enroll-name"
        />
      </label>
      <fieldset className="segmented" style={{ marginTop: '0.6rem' }}>
        <legend className="visually-hidden">Enroll from</legend>
        {(['photo', 'camera'] as const).map((m) => (
          <label key={m}>
            <input type="radio" name="enroll-mode" checked={mode === m} onChange={() => setMode(m)} />
            <span>{m === 'photo' ? 'From a photo' : 'From the camera'}</span>
          </label>
        ))}
      </fieldset>
      {mode === 'photo' ? (
        <ImagePicker
          label={trimmed ? `Photo of ${trimmed}` : 'Type a name, then add a photo'}
          onFile={(f) => trimmed && !busy && !locked && void enrollFromFile(trimmed, f).then(done)}
          compact
        />
      ) : (
        <CameraPanel
          actions={(video) => (
            <button
              className="btn primary"
              disabled={!trimmed || !!busy || !cameraOn || locked}
              onClick={() => video && void enrollFromCamera(trimmed, video).then(done)}
            >
              Capture and enroll
            </button>
          )}
        />
      )}
    </section>
  );
}

function IdentityRow({ id }: { id: string }) {
  const identity = useGallery((s) => s.identities.find((i) => i.id === id));
  const thumb = useGallery((s) => s.thumbs[id]);
  const { rename, remove, reembed, addPhoto } = useGallery();
  const busy = useGallery((s) => !!s.busy);
  const model = useActiveModel();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  if (!identity) return null;
  // Templates of another model are never compared, so without one of the active model nobody can match.
  const missing = !identity.templatesByModel[model.id];
  return (
    <li className="person" data-testid="person">
      {thumb ? <img src={thumb} alt="" className="avatar" /> : <div className="avatar" aria-hidden="true" />}
      <div className="person-main">
        {editing ? (
          <form
            className="row"
            onSubmit={(e) => {
              e.preventDefault();
              if (draft.trim()) void rename(id, draft.trim());
              setEditing(false);
            }}
          >
            <input
              type="text"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              aria-label="New name"
              autoFocus
            />
            <button className="btn small primary">Save</button>
            <button type="button" className="btn small" onClick={() => setEditing(false)}>
              Cancel
            </button>
          </form>
        ) : (
          <strong data-testid="person-name">{identity.name}</strong>
        )}
        <div className="muted small">
          {identity.templateCount} template{identity.templateCount === 1 ? '' : 's'} ·{' '}
          {Object.entries(identity.templatesByModel)
            .map(([m, n]) => `${FACE_MODELS.find((f) => f.id === m)?.name ?? m} ×${n}`)
            .join(', ')}{' '}
          · enrolled {new Date(identity.created).toLocaleDateString()}
        </div>
        {missing && (
          <span className="chip warn" data-testid="missing-template">
            No {model.name} template — re-enroll or re-embed
          </span>
        )}
      </div>
      {!editing && (
        <div className="row">
          <button
            className="btn small"
            onClick={() => {
              setDraft(identity.name);
              setEditing(true);
            }}
          >
            Rename
          </button>
          <FileButton
            className="btn small"
            accept="image/*"
            disabled={busy}
            label={`Add a photo of ${identity.name}`}
            testId="add-photo-input"
            onFiles={([f]) => void addPhoto(id, f!)}
          >
            Add photo
          </FileButton>
          {missing && (
            <button
              className="btn small"
              onClick={() => void reembed(id)}
              disabled={busy || identity.thumbnailCount === 0}
              title={
                identity.thumbnailCount === 0
                  ? 'No thumbnails are stored for this person: delete and enroll them again.'
                  : `Make ${model.name} templates from the ${identity.thumbnailCount} stored face thumbnails`
              }
              aria-label={`Re-embed ${identity.name} from thumbnails`}
              data-testid="reembed"
            >
              Re-embed from thumbnails
            </button>
          )}
          <button className="btn small" onClick={() => void remove(id)} aria-label={`Delete ${identity.name}`}>
            Delete
          </button>
        </div>
      )}
    </li>
  );
}

function BackupCard() {
  const { exportBackup, importBackup, busy } = useGallery();
  const encryption = useGallery((s) => s.encryption);
  const locked = encryption === 'locked';
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  return (
    <section className="card">
      <h2>Backup and restore</h2>
      <p className="muted small">
        One file with every person, template and thumbnail. Keep it safe: it is not encrypted
        {encryption === 'off' ? '' : ', even though the gallery is'}. A damaged or foreign file is refused and nothing
        is changed.
      </p>
      {locked && <p className="notice small">Unlock the gallery to download a backup or restore one.</p>}
      <div className="row wrap">
        <button
          className="btn"
          onClick={() => void exportBackup().then((r) => r && download(r.blob, r.fileName))}
          disabled={!!busy || locked}
        >
          Download backup
        </button>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'merge' | 'replace')} aria-label="Restore mode">
          <option value="merge">Restore: add to the gallery</option>
          <option value="replace">Restore: replace the gallery</option>
        </select>
        <FileButton
          accept=".json,.facet,application/json"
          disabled={!!busy || locked}
          testId="restore-input"
          onFiles={([f]) => void importBackup(f!, mode)}
        >
          Restore from file…
        </FileButton>
      </div>
    </section>
  );
}

/** A labelled password input. */
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
  const { enableEncryption } = useGallery();
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
  const { unlockGallery } = useGallery();
  const busy = useGallery((s) => !!s.busy);
  const [passphrase, setPassphrase] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase || busy) return;
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
        <button className="btn primary" disabled={busy || !passphrase} data-testid="unlock-gallery">
          Unlock
        </button>
      </form>
    </>
  );
}

function EncryptionOn() {
  const { lockGallery, disableEncryption } = useGallery();
  const busy = useGallery((s) => !!s.busy);
  const [turningOff, setTurningOff] = useState(false);
  const [passphrase, setPassphrase] = useState('');
  const close = () => {
    setTurningOff(false);
    setPassphrase('');
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!passphrase || busy) return;
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
            <button className="btn primary" disabled={busy || !passphrase} data-testid="confirm-disable-encryption">
              Turn off encryption
            </button>
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </>
  );
}

function EncryptionCard() {
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
function ModelCoverageNotice() {
  const identities = useGallery((s) => s.identities);
  const busy = useGallery((s) => !!s.busy);
  const reembedAll = useGallery((s) => s.reembedAll);
  const model = useActiveModel();
  const missing = identities.filter((i) => !i.templatesByModel[model.id]).length;
  if (missing === 0) return null;
  const who =
    missing === identities.length
      ? missing === 1
        ? 'The one person in the gallery has'
        : `None of the ${missing} people in the gallery have`
      : `${missing} of ${identities.length} people have`;
  return (
    <div className="notice row wrap spread span-all" data-testid="model-coverage">
      <span>
        {who} {missing === identities.length && missing > 1 ? 'a' : 'no'} {model.name} template, so Unlock and Identify
        cannot recognise them: templates made by another model are never compared. Re-embed them from their stored
        thumbnails, or pick another model in <a href="#/settings">Settings</a>.
      </span>
      <button className="btn small" onClick={() => void reembedAll()} disabled={busy} data-testid="reembed-all">
        Re-embed all
      </button>
    </div>
  );
}

export function PeoplePage() {
  const { status, error, notice, busy, identities, undo, open, undoRemove, clearMessages, encryption, lockedCount } =
    useGallery();
  useEffect(() => {
    void open();
  }, [open]);
  return (
    <div className="grid two">
      <h1 className="span-all">People</h1>
      <div className="span-all" aria-live="polite">
        {busy && (
          <p className="notice" role="status" data-testid="gallery-busy">
            {busy}
          </p>
        )}
        {error && (
          <div className="alert" role="alert" data-testid="gallery-error">
            {error}{' '}
            <button className="btn small" onClick={clearMessages}>
              Dismiss
            </button>
          </div>
        )}
        {notice && (
          <p className="result good" role="status" data-testid="gallery-notice">
            {notice}
          </p>
        )}
        {undo && (
          <p className="banner subtle" role="status" data-testid="undo-bar">
            {undo.name} was deleted.{' '}
            <button className="btn small" onClick={() => void undoRemove()}>
              Undo
            </button>
          </p>
        )}
      </div>
      {status === 'ready' && <ModelCoverageNotice />}
      {status === 'ready' && encryption === 'locked' && <EncryptionCard />}
      <EnrollCard />
      <section className="card">
        <h2>Gallery</h2>
        {status === 'opening' && <p className="muted">Opening the gallery…</p>}
        {status === 'ready' && encryption === 'locked' && (
          <p className="notice" data-testid="gallery-locked">
            The gallery is locked
            {lockedCount > 0 ? ` (${lockedCount} ${lockedCount === 1 ? 'person' : 'people'})` : ''}. Unlock it with your
            passphrase to see who is enrolled.
          </p>
        )}
        {status === 'ready' && encryption !== 'locked' && identities.length === 0 && (
          <p className="muted">Nobody is enrolled yet. Add a person with one photo.</p>
        )}
        <ul className="people" data-testid="people">
          {identities.map((i) => (
            <IdentityRow key={i.id} id={i.id} />
          ))}
        </ul>
      </section>
      {status === 'ready' && encryption !== 'locked' && <EncryptionCard />}
      <BackupCard />
    </div>
  );
}
