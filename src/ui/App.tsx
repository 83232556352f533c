import { lazy, Suspense, useEffect, useRef, type ComponentType, type LazyExoticComponent } from 'react';
import { useSettings } from '../state/settings';
import { ErrorBoundary } from './components/ErrorBoundary';
import { SettingsResetBanner } from './components/SettingsResetBanner';
import { BottomNav, TopNav } from './components/Nav';
import { StatusBar, StatusChips } from './components/StatusBar';
import { UpdateBanner } from './components/UpdateBanner';
import { ALL_ROUTES, type PageId } from './routes';
import { useRoute } from './useRoute';

/** A page loaded when first visited, so Unlock does not wait for the Studio's, Lab's or Explorer's code. */
function page<K extends string>(
  load: () => Promise<Record<K, ComponentType>>,
  name: K,
): LazyExoticComponent<ComponentType> {
  return lazy(() => load().then((m) => ({ default: m[name] })));
}

const PAGES: Record<PageId, LazyExoticComponent<ComponentType>> = {
  unlock: page(() => import('./pages/UnlockPage'), 'UnlockPage'),
  people: page(() => import('./pages/people/PeoplePage'), 'PeoplePage'),
  identify: page(() => import('./pages/IdentifyPage'), 'IdentifyPage'),
  evaluate: page(() => import('./pages/evaluate/EvaluatePage'), 'EvaluatePage'),
  style: page(() => import('./pages/style/StylePage'), 'StylePage'),
  explore: page(() => import('./pages/explore/ExplorePage'), 'ExplorePage'),
  lab: page(() => import('./pages/lab/LabPage'), 'LabPage'),
  diagnostics: page(() => import('./pages/DiagnosticsPage'), 'DiagnosticsPage'),
  settings: page(() => import('./pages/SettingsPage'), 'SettingsPage'),
  private: page(() => import('./pages/unlock/PrivatePage'), 'PrivatePage'),
};

function CurrentPage({ page: Page }: { page: LazyExoticComponent<ComponentType> }) {
  return <Page />;
}

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
        <TopNav route={route} />
        <StatusChips />
      </header>
      <UpdateBanner />
      <SettingsResetBanner />
      <main id="main" ref={main} tabIndex={-1} className="page">
        <ErrorBoundary key={route} area={ALL_ROUTES.find((r) => r.id === route)?.title ?? route}>
          <Suspense
            fallback={
              <p className="muted" role="status">
                Loading…
              </p>
            }
          >
            <CurrentPage page={PAGES[route]} />
          </Suspense>
        </ErrorBoundary>
      </main>
      <div className="dock">
        <StatusBar />
        <BottomNav route={route} />
      </div>
    </div>
  );
}
