import { useShallow } from 'zustand/react/shallow';
import { useState } from 'react';
import { galleryLockedMessage, useGallery } from '../../../state/gallery';
import { FileButton } from '../../components/FileButton';

import { download } from './shared';

export function BackupCard() {
  const { exportBackup, importBackup, busy } = useGallery(
    useShallow((s) => ({ exportBackup: s.exportBackup, importBackup: s.importBackup, busy: s.busy })),
  );
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
      {locked && <p className="notice small">{galleryLockedMessage('download a backup or restore one')}</p>}
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
