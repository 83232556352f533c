export const ROUTES = [
  { id: 'unlock', label: 'Unlock', title: 'Face Unlock' },
  { id: 'people', label: 'People', title: 'People' },
  { id: 'identify', label: 'Identify', title: 'Identify' },
  { id: 'evaluate', label: 'Evaluate', title: 'Evaluate' },
  { id: 'style', label: 'Style', title: 'Style Studio' },
  { id: 'explore', label: 'Explore', title: 'Explorer' },
  { id: 'lab', label: 'Lab', title: 'Siamese Lab' },
  { id: 'diagnostics', label: 'Diagnostics', title: 'Diagnostics' },
  { id: 'settings', label: 'Settings', title: 'Settings' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];

/** Pages with an address but no tab: the private notes an unlock opens. */
export const HIDDEN_ROUTES = [{ id: 'private', label: 'Private', title: 'Private notes' }] as const;

/** Every page with an address. */
export type PageId = RouteId | (typeof HIDDEN_ROUTES)[number]['id'];

export const ALL_ROUTES = [...ROUTES, ...HIDDEN_ROUTES];

export function routeFromHash(hash: string): PageId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return ALL_ROUTES.find((r) => r.id === id)?.id ?? 'unlock';
}
