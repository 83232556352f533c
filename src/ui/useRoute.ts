import { useEffect, useState } from 'react';
import { routeFromHash, ROUTES, type RouteId } from './routes';

/** Hash-based routing: works from any static host and offline from the service worker. */
export function useRoute(): RouteId {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(routeFromHash(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    const title = ROUTES.find((r) => r.id === route)?.title;
    document.title = title ? `${title} · Facet` : 'Facet';
  }, [route]);
  return route;
}
