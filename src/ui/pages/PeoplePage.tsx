import { useEffect, useRef, useState } from 'react';
import { useCamera } from '../../state/camera';
import { useFaces } from '../../state/faces';
import { useGallery } from '../../state/gallery';
import { CameraPanel } from '../components/CameraPanel';
import { ImagePicker } from '../components/ImagePicker';

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
  const cameraOn = useCamera((s) => s.status === 'on');
  const embedder = useFaces((s) => s.embedderId);
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
          onFile={(f) => trimmed && !busy && void enrollFromFile(trimmed, f).then(done)}
          compact
        />
      ) : (
        <CameraPanel
          actions={(video) => (
            <button
              className="btn primary"
              disabled={!trimmed || !!busy || !cameraOn}
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
  const { rename, remove } = useGallery();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  if (!identity) return null;
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
            .map(([m, n]) => `${m} ×${n}`)
            .join(', ')}{' '}
          · enrolled {new Date(identity.created).toLocaleDateString()}
        </div>
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
  const input = useRef<HTMLInputElement>(null);
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  return (
    <section className="card">
      <h2>Backup and restore</h2>
      <p className="muted small">
        One file with every person, template and thumbnail. Keep it safe: it is not encrypted. A damaged or foreign file
        is refused and nothing is changed.
      </p>
      <div className="row wrap">
        <button
          className="btn"
          onClick={() => void exportBackup().then((r) => r && download(r.blob, r.fileName))}
          disabled={!!busy}
        >
          Download backup
        </button>
        <select value={mode} onChange={(e) => setMode(e.target.value as 'merge' | 'replace')} aria-label="Restore mode">
          <option value="merge">Restore: add to the gallery</option>
          <option value="replace">Restore: replace the gallery</option>
        </select>
        <button className="btn" onClick={() => input.current?.click()} disabled={!!busy}>
          Restore from file…
        </button>
        <input
          ref={input}
          type="file"
          accept=".json,.facet,application/json"
          className="visually-hidden"
          data-testid="restore-input"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void importBackup(f, mode);
            e.target.value = '';
          }}
        />
      </div>
    </section>
  );
}

export function PeoplePage() {
  const { status, error, notice, busy, identities, undo, open, undoRemove, clearMessages } = useGallery();
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
      <EnrollCard />
      <section className="card">
        <h2>Gallery</h2>
        {status === 'opening' && <p className="muted">Opening the gallery…</p>}
        {status === 'ready' && identities.length === 0 && (
          <p className="muted">Nobody is enrolled yet. Add a person with one photo.</p>
        )}
        <ul className="people" data-testid="people">
          {identities.map((i) => (
            <IdentityRow key={i.id} id={i.id} />
          ))}
        </ul>
      </section>
      <BackupCard />
    </div>
  );
}
