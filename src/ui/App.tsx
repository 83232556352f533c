import { useEffect, useRef, type ReactNode } from 'react';
import { useSettings } from '../state/settings';
import { RouteIcon } from './components/Icon';
import { ErrorBoundary } from './components/ErrorBoundary';
import { StatusBar } from './components/StatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { DiagnosticsPage } from './pages/DiagnosticsPage';
import { LabPage } from './pages/LabPage';
import { ExplorePage } from './pages/ExplorePage';
import { StylePage } from './pages/StylePage';
import { IdentifyPage } from './pages/IdentifyPage';
import { EvaluatePage } from './pages/EvaluatePage';
import { PeoplePage } from './pages/PeoplePage';
import { SettingsPage } from './pages/SettingsPage';
import { UnlockPage } from './pages/UnlockPage';
import { ROUTES, type RouteId } from './routes';
import { useRoute } from './useRoute';

const PAGES: Record<RouteId, () => ReactNode> = {
  unlock: () => <UnlockPage />,
  people: () => <PeoplePage />,
  identify: () => <IdentifyPage />,
  evaluate: () => <EvaluatePage />,
  style: () => <StylePage />,
  explore: () => <ExplorePage />,
  lab: () => <LabPage />,
  diagnostics: () => <DiagnosticsPage />,
  settings: () => <SettingsPage />,
};

function useTheme() {
  const theme = useSettings((s) => s.theme);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);
}

export function App() {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  useTheme();
  // Move focus to the page on navigation so keyboard and screen-reader users land on it.
  useEffect(() => main.current?.focus({ preventScroll: true }), [route]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <a className="brand" href="#/unlock" aria-label="Facet home">
          <img src={`${import.meta.env.BASE_URL}icons/icon.svg`} alt="" width={28} height={28} />
          <span>Facet</span>
        </a>
        <nav aria-label="Main">
          <ul className="tabs">
            {ROUTES.map((r) => (
              <li key={r.id}>
                <a href={`#/${r.id}`} aria-current={route === r.id ? 'page' : undefined} className="tab">
                  <span aria-hidden="true" className="tab-icon">
                    <RouteIcon route={r.id} />
                  </span>
                  <span className="tab-label">{r.label}</span>
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <UpdateBanner />
      <main id="main" ref={main} tabIndex={-1} className="page">
        <ErrorBoundary key={route} area={ROUTES.find((r) => r.id === route)?.title ?? route}>
          {PAGES[route]()}
        </ErrorBoundary>
      </main>
      <StatusBar />
    </div>
  );
}
