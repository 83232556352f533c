import { useEffect, useId, useRef } from 'react';
import { RouteIcon } from './Icon';
import { ROUTES, type PageId, type RouteId } from '../routes';

/**
 * The sections a phone's bottom bar shows itself; every other route (and any added later) is
 * under "More". Desktop widths show all of them in the top bar instead (the CSS picks one).
 */
const PHONE_TABS: readonly RouteId[] = ['unlock', 'people', 'identify', 'style'];

function TabLink({ id, label, route, className }: { id: RouteId; label: string; route: PageId; className: string }) {
  return (
    <a href={`#/${id}`} aria-current={route === id ? 'page' : undefined} className={className}>
      <span aria-hidden="true" className="tab-icon">
        <RouteIcon route={id} />
      </span>
      <span className="tab-label">{label}</span>
    </a>
  );
}

/** Every section in a row under the brand: wide screens only. */
export function TopNav({ route }: { route: PageId }) {
  return (
    <nav aria-label="Main" className="top-nav">
      <ul className="tabs">
        {ROUTES.map((r) => (
          <li key={r.id}>
            <TabLink id={r.id} label={r.label} route={route} className="tab" />
          </li>
        ))}
      </ul>
    </nav>
  );
}

function MoreIcon() {
  return (
    <svg viewBox="0 0 24 24" fill="currentColor">
      <circle cx="5" cy="12" r="1.8" />
      <circle cx="12" cy="12" r="1.8" />
      <circle cx="19" cy="12" r="1.8" />
    </svg>
  );
}

/**
 * A phone's bottom bar: the four main sections and "More", which opens a sheet (a modal
 * dialog: focus moves into it, Escape or a tap outside closes it) with the rest.
 */
export function BottomNav({ route }: { route: PageId }) {
  const sheet = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const main = ROUTES.filter((r) => PHONE_TABS.includes(r.id));
  const more = ROUTES.filter((r) => !PHONE_TABS.includes(r.id));
  const inMore = more.find((r) => r.id === route);
  // A link in the sheet changes the hash; the sheet closes with it (also on Back/Forward).
  useEffect(() => sheet.current?.close(), [route]);
  return (
    <>
      <nav aria-label="Main" className="bottom-nav">
        <ul>
          {main.map((r) => (
            <li key={r.id}>
              <TabLink id={r.id} label={r.label} route={route} className="bottom-tab" />
            </li>
          ))}
          <li>
            <button
              type="button"
              className={`bottom-tab${inMore ? ' current' : ''}`}
              aria-haspopup="dialog"
              // The section open is under More: the button says which.
              aria-label={inMore ? `More, now on ${inMore.label}` : undefined}
              data-testid="nav-more"
              onClick={() => sheet.current?.showModal()}
            >
              <span aria-hidden="true" className="tab-icon">
                <MoreIcon />
              </span>
              <span className="tab-label">More</span>
            </button>
          </li>
        </ul>
      </nav>
      <dialog
        ref={sheet}
        className="more-sheet"
        aria-labelledby={titleId}
        data-testid="more-sheet"
        // A tap on the backdrop lands on the dialog itself, not on its content.
        onClick={(e) => {
          if (e.target === e.currentTarget) e.currentTarget.close();
        }}
      >
        <div className="more-sheet-body">
          <div className="row spread">
            <h2 id={titleId}>More</h2>
            <button type="button" className="btn ghost small" onClick={() => sheet.current?.close()}>
              Close
            </button>
          </div>
          <ul className="more-list">
            {more.map((r) => (
              <li key={r.id}>
                <a
                  href={`#/${r.id}`}
                  aria-current={route === r.id ? 'page' : undefined}
                  className="more-link"
                  onClick={() => sheet.current?.close()}
                >
                  <span aria-hidden="true" className="tab-icon">
                    <RouteIcon route={r.id} />
                  </span>
                  {r.label}
                </a>
              </li>
            ))}
          </ul>
        </div>
      </dialog>
    </>
  );
}
