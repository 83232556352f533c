import { useEffect, useState } from 'react';
import { ALL_ROUTES, routeFromHash, type PageId } from './routes';

/** Hash-based routing: works from any static host and offline from the service worker. */
export function useRoute(): PageId {
  const [route, setRoute] = useState<PageId>(() => routeFromHash(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const title = ALL_ROUTES.find((r) => r.id === route)?.title;
    document.title = title ? `${title} · Facet` : 'Facet';
  }, [route]);
  return route;
}
