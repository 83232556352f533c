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

export function routeFromHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return ROUTES.find((r) => r.id === id)?.id ?? 'unlock';
}
