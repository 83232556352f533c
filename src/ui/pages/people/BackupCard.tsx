import { useShallow } from 'zustand/react/shallow';
import { useId, useState, type FormEvent } from 'react';
import { PASSPHRASE_MIN_LENGTH, galleryLockedMessage, useGallery } from '../../../state/gallery';
import { FileButton } from '../../components/FileButton';
import { RestoreDialog } from './RestoreDialog';

import { download } from './shared';

function PasswordField(props: {
  label: string;
  value: string;
  onChange(value: string): void;
  autoComplete: 'new-password' | 'current-password';
  describedBy?: string;
  testId: string;
}) {
  return (
    <label className="field">
      <span>{props.label}</span>
      <input
        type="password"
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        autoComplete={props.autoComplete}
        aria-describedby={props.describedBy}
        spellCheck={false}
        data-testid={props.testId}
      />
    </label>
  );
}

/** Download: the file is sealed with a password, which the person types here. */
function SaveBackup() {
  const exportBackup = useGallery((s) => s.exportBackup);
  const busy = useGallery((s) => !!s.busy);
  const encryption = useGallery((s) => s.encryption);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [tried, setTried] = useState(false);
  const explainId = useId();
  const problemId = useId();
  const usesPassphrase = encryption !== 'off';
  const length = [...password.normalize('NFC')].length;
  const problem =
    length < PASSPHRASE_MIN_LENGTH
      ? usesPassphrase
        ? 'Type the gallery passphrase to seal the backup with it.'
        : `The backup password must be at least ${PASSPHRASE_MIN_LENGTH} characters long (${length} so far).`
      : !usesPassphrase && repeat !== password
        ? 'The two passwords do not match: type the same password in both fields.'
        : null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem !== null || busy) return;
    void exportBackup(password).then((r) => {
      if (!r) return;
      download(r.blob, r.fileName);
      setPassword('');
      setRepeat('');
      setTried(false);
    });
  };
  return (
    <form className="stack" onSubmit={submit} noValidate data-testid="backup-save-form">
      <p className="muted small" id={explainId}>
        {usesPassphrase
          ? 'The backup is sealed with your gallery passphrase. '
          : 'Choose a password for the backup: it seals the file. '}
        If anyone changes the file afterwards — adds a face, swaps a name, removes someone — Facet notices when you
        restore it and shows you what changed before anything is written. The seal does not hide anything: the file is
        not encrypted, so anyone who has it can read the names and faces in it. Keep it somewhere safe, and keep the
        password apart from it.
      </p>
      <PasswordField
        label={usesPassphrase ? 'Gallery passphrase' : `Backup password (at least ${PASSPHRASE_MIN_LENGTH} characters)`}
        value={password}
        onChange={setPassword}
        autoComplete={usesPassphrase ? 'current-password' : 'new-password'}
        describedBy={`${explainId} ${problemId}`}
        testId="backup-password"
      />
      {!usesPassphrase && (
        <PasswordField
          label="Repeat the backup password"
          value={repeat}
          onChange={setRepeat}
          autoComplete="new-password"
          describedBy={problemId}
          testId="backup-password-repeat"
        />
      )}
      {tried && problem && (
        <p className="small bad" id={problemId} role="alert">
          {problem}
        </p>
      )}
      <div className="row">
        <button className="btn" type="submit" disabled={busy}>
          Download backup
        </button>
      </div>
    </form>
  );
}

function ProgressLine() {
  const progress = useGallery((s) => s.backupProgress);
  if (!progress) return null;
  const { stage, done, total } = progress;
  const n = (v: number) => v.toLocaleString('en');
  const label =
    stage === 'reading'
      ? `Reading the file… ${total ? Math.floor((done / total) * 100) : 0} %`
      : stage === 'checking'
        ? `Checking ${n(done)} of ${n(total)} records`
        : stage === 'writing'
          ? `Writing ${n(done)} of ${n(total)} records`
          : `Preparing ${n(done)} of ${n(total)} records`;
  return (
    <div className="stack" data-testid="backup-progress" data-stage={stage} role="status">
      <progress value={done} max={Math.max(total, 1)} aria-label={label} />
      <span className="small muted">{label}</span>
    </div>
  );
}

export function BackupCard() {
  const { importBackup, busy, restore } = useGallery(
    useShallow((s) => ({ importBackup: s.importBackup, busy: s.busy, restore: s.restore })),
  );
  const encryption = useGallery((s) => s.encryption);
  const locked = encryption === 'locked';
  const [mode, setMode] = useState<'merge' | 'replace'>('merge');
  return (
    <section className="card">
      <h2>Backup and restore</h2>
      <p className="muted small">
        One file with every person, template and thumbnail. A damaged or foreign file is refused and nothing is changed;
        a file that may have been changed is shown to you before it is restored.
      </p>
      {locked && <p className="notice small">{galleryLockedMessage('download a backup or restore one')}</p>}
      {!locked && <SaveBackup />}
      <div className="row wrap">
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
      <ProgressLine />
      {restore && <RestoreDialog />}
    </section>
  );
}
