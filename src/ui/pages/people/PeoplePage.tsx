import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import { galleryLockedMessage, useGallery } from '../../../state/gallery';

import { EnrollCard } from './EnrollCard';
import { PeopleList } from './PeopleList';
import { BackupCard } from './BackupCard';
import { EncryptionCard } from './EncryptionCard';
import { ModelCoverageNotice } from './ModelCoverageNotice';

export function PeoplePage() {
  const { status, error, notice, busy, empty, undo, open, undoRemove, clearMessages, encryption, lockedCount } =
    useGallery(
      useShallow((s) => ({
        status: s.status,
        error: s.error,
        notice: s.notice,
        busy: s.busy,
        empty: s.identities.length === 0,
        undo: s.undo,
        open: s.open,
        undoRemove: s.undoRemove,
        clearMessages: s.clearMessages,
        encryption: s.encryption,
        lockedCount: s.lockedCount,
      })),
    );
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
            {galleryLockedMessage('see who is enrolled')}
            {lockedCount > 0 ? ` It holds ${lockedCount} ${lockedCount === 1 ? 'person' : 'people'}.` : ''}
          </p>
        )}
        {status === 'ready' && encryption !== 'locked' && empty && (
          <p className="muted">Nobody is enrolled yet. Add a person with one photo.</p>
        )}
        <PeopleList />
      </section>
      {status === 'ready' && encryption !== 'locked' && <EncryptionCard />}
      <BackupCard />
    </div>
  );
}
