import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useGallery } from '../../../state/gallery';
import { searchPeople } from '../../../state/people-search';

import { IdentityRow } from './IdentityRow';

/** Rows rendered at first and added per "Show more": a page, not the whole gallery. */
export const PEOPLE_PAGE = 50;

/** Galleries at least this large get a search field. */
const SEARCH_FROM = 8;

/**
 * The gallery's people, one page at a time, with a search by name. Rendering every row of
 * 100,000 people (each reading the store) froze the page for minutes; a page of rows stays quick
 * whatever the gallery's size.
 */
export function PeopleList() {
  const [shown, setShown] = useState(PEOPLE_PAGE);
  const [query, setQuery] = useState('');
  const deferredQuery = useDeferredValue(query);
  const identities = useGallery((s) => s.identities);
  const showThumbnails = useGallery((s) => s.showThumbnails);
  const found = useMemo(() => searchPeople(identities, deferredQuery, shown), [identities, deferredQuery, shown]);
  const ids = useMemo(() => found.shown.map((i) => i.id), [found]);
  useEffect(() => {
    void showThumbnails(ids);
  }, [ids, showThumbnails]);
  const more = Math.min(PEOPLE_PAGE, found.total - found.shown.length);
  const searching = deferredQuery.trim() !== '';
  return (
    <>
      {(identities.length >= SEARCH_FROM || query) && (
        <label className="field people-search">
          <span>Find a person</span>
          <input
            type="search"
            value={query}
            placeholder="Type part of a name"
            onChange={(e) => {
              setQuery(e.target.value);
              setShown(PEOPLE_PAGE);
            }}
            data-testid="people-search"
          />
        </label>
      )}
      {searching && found.total === 0 && (
        <p className="muted" data-testid="people-none">
          Nobody called “{deferredQuery.trim()}” is enrolled.
        </p>
      )}
      <ul className="people" data-testid="people">
        {found.shown.map((identity) => (
          <IdentityRow key={identity.id} identity={identity} />
        ))}
      </ul>
      {(more > 0 || (searching && found.total > 0)) && (
        <div className="row wrap">
          <span className="muted small" data-testid="people-shown">
            Showing {found.shown.length.toLocaleString('en')} of {found.total.toLocaleString('en')}{' '}
            {searching ? 'matches' : 'people'}.
          </span>
          {more > 0 && (
            <button className="btn small" onClick={() => setShown(shown + PEOPLE_PAGE)} data-testid="people-more">
              Show {more.toLocaleString('en')} more
            </button>
          )}
        </div>
      )}
    </>
  );
}
