// How a page's network loads, the part the Style Studio and the Explorer share. Each page's
// NetworkState adds what is its own: the Style Studio's default content and style layers, the
// Explorer's input size, each over its own list of networks and its own kind of layer.

export type NetworkStatus = 'idle' | 'loading' | 'ready' | 'error';

export interface NetworkLoadState<Id extends string, Layer> {
  id: Id;
  status: NetworkStatus;
  /** Share of the download done, 0..1; null when unknown or nothing is downloading. */
  progress: number | null;
  error: string | null;
  label: string;
  layers: readonly Layer[];
}

/** A network that has not been loaded: no progress, no error, no layers yet. */
export const NOT_LOADED = { status: 'idle', progress: null, error: null, layers: [] } as const;
