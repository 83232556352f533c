import { useShallow } from 'zustand/react/shallow';
import { useState } from 'react';
import { FACE_MODELS } from '../../../state/faces';
import type { IdentitySummary } from '../../../db/gallery';
import { useGallery } from '../../../state/gallery';
import { FileButton } from '../../components/FileButton';

import { useActiveModel } from './shared';

/** One person; the list passes the identity in, so a row never searches the whole gallery. */
export function IdentityRow({ identity }: { identity: IdentitySummary }) {
  const id = identity.id;
  const thumb = useGallery((s) => s.thumbs[id]);
  const { rename, remove, reembed, addPhoto } = useGallery(
    useShallow((s) => ({ rename: s.rename, remove: s.remove, reembed: s.reembed, addPhoto: s.addPhoto })),
  );
  const busy = useGallery((s) => !!s.busy);
  const model = useActiveModel();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
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
