import { useShallow } from 'zustand/react/shallow';
import { useState } from 'react';
import { FACE_MODELS } from '../../../state/faces';
import type { IdentitySummary } from '../../../db/gallery';
import { useGallery } from '../../../state/gallery';
import { FileButton } from '../../components/FileButton';
import { plural } from '../../format';

import { useActiveModel } from './shared';

/**
 * "2 photos": the pictures kept of a person, in words; what is stored for matching (templates,
 * per face model) in the tooltip and for screen readers.
 */
function Photos({ identity }: { identity: IdentitySummary }) {
  const stored = Object.entries(identity.templatesByModel)
    .map(([m, n]) => `${plural(n, 'template')} of ${FACE_MODELS.find((f) => f.id === m)?.name ?? m}`)
    .join(', ');
  const detail = `Stored for matching: ${stored || 'no templates'}. A template is a face's embedding, the numbers faces are compared by.`;
  const shown =
    identity.thumbnailCount > 0
      ? plural(identity.thumbnailCount, 'photo')
      : plural(identity.templateCount, 'face sample');
  return (
    <span title={detail} data-testid="person-photos" data-templates={identity.templateCount}>
      {shown}
      <span className="visually-hidden"> ({detail})</span>
    </span>
  );
}

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
          <Photos identity={identity} /> · enrolled {new Date(identity.created).toLocaleDateString()}
        </div>
        {missing && (
          <span className="chip warn" data-testid="missing-template">
            Not usable with the {model.name} face model yet — update from the photos, or enroll again
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
                  ? 'No photos are stored for this person: delete and enroll them again.'
                  : `Make ${model.name} templates (re-embed) from the ${plural(identity.thumbnailCount, 'stored face thumbnail')}`
              }
              aria-label={`Update ${identity.name} from their photos`}
              data-testid="reembed"
            >
              Update from photos
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
