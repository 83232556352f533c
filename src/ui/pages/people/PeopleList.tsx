import { useShallow } from 'zustand/react/shallow';
import { useEffect, useState } from 'react';
import { useGallery } from '../../../state/gallery';

import { IdentityRow } from './IdentityRow';

/** Rows rendered at first and added per "Show more": a page, not the whole gallery. */
export const PEOPLE_PAGE = 50;

/**
 * The gallery's people, one page at a time. Rendering every row of 100,000 people (each reading the
 * store) froze the page for minutes; a page of rows stays quick whatever the gallery's size.
 */
export function PeopleList() {
  const [shown, setShown] = useState(PEOPLE_PAGE);
  const total = useGallery((s) => s.identities.length);
  const ids = useGallery(useShallow((s) => s.identities.slice(0, shown).map((i) => i.id)));
  const showThumbnails = useGallery((s) => s.showThumbnails);
  useEffect(() => {
    void showThumbnails(ids);
  }, [ids, showThumbnails]);
  const more = Math.min(PEOPLE_PAGE, total - ids.length);
  return (
    <>
      <ul className="people" data-testid="people">
        {ids.map((id) => (
          <IdentityRow key={id} id={id} />
        ))}
      </ul>
      {more > 0 && (
        <div className="row wrap">
          <span className="muted small" data-testid="people-shown">
            Showing {ids.length.toLocaleString('en')} of {total.toLocaleString('en')} people.
          </span>
          <button className="btn small" onClick={() => setShown(shown + PEOPLE_PAGE)} data-testid="people-more">
            Show {more.toLocaleString('en')} more
          </button>
        </div>
      )}
    </>
  );
}
