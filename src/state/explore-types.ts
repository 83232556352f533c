// The Explorer store's shape: what the page reads and the actions it calls. Kept apart from the
// store itself so that the store file holds only behaviour.
import type { SetImage } from '../ml/explore/image-set';
import type { FeatureVisRow, FeatureVisSettings, LiveView, PatchResult } from '../ml/explore/views';
import type { ExploreLayer, ExploreNetworkId } from '../ml/explore/networks';
import type { NetworkLoadState } from './network-state';

export interface NetworkState extends NetworkLoadState<ExploreNetworkId, ExploreLayer> {
  /** Face networks take square images of this side; null: any size (fed at `feedSize` on the long side). */
  inputSize: number | null;
}

export type JobStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

export type LiveSource = { kind: 'image'; id: string } | { kind: 'camera' };

export interface ExploreState {
  networkId: ExploreNetworkId;
  network: NetworkState;
  layer: string | null;

  samples: SetImage[];
  galleryImages: SetImage[];
  dropped: SetImage[];
  useSamples: boolean;
  useGalleryFaces: boolean;
  samplesStatus: 'idle' | 'loading' | 'ready' | 'error';
  galleryStatus: 'idle' | 'loading' | 'ready' | 'error';
  imageError: string | null;
  imageNotice: string | null;

  channelMode: 'auto' | 'chosen';
  channelText: string;
  /** Long side the style networks see each image at. */
  feedSize: number;
  patchStatus: JobStatus;
  /** Runs finished (done, stopped or failed), so a caller can tell a new result from the last one. */
  patchRuns: number;
  patchProgress: { done: number; total: number } | null;
  patchError: string | null;
  patches: PatchResult | null;

  visSettings: FeatureVisSettings;
  visStatus: JobStatus;
  visError: string | null;
  visRows: FeatureVisRow[];
  visPreview: ImageBitmap | null;

  liveSource: LiveSource | null;
  liveCount: number;
  liveUnits: boolean;
  liveRunning: boolean;
  liveError: string | null;
  live: LiveView | null;

  chooseNetwork(id: ExploreNetworkId): Promise<void>;
  setLayer(name: string): void;
  loadSamples(): Promise<void>;
  setUseSamples(on: boolean): Promise<void>;
  setUseGalleryFaces(on: boolean): Promise<void>;
  addImages(files: File[]): Promise<void>;
  removeImage(id: string): void;
  clearDropped(): void;
  setPatchOptions(patch: Partial<Pick<ExploreState, 'channelMode' | 'channelText' | 'feedSize'>>): void;
  computePatches(): Promise<void>;
  stopPatches(): void;
  setVisSettings(patch: Partial<FeatureVisSettings>): void;
  startFeatureVis(): Promise<void>;
  stopFeatureVis(): void;
  setLiveOptions(patch: { liveCount?: number; liveUnits?: boolean }): void;
  /** Chooses what the activation maps show; null hides them. */
  chooseLiveSource(source: LiveSource | null): Promise<void>;
  startCameraActivations(video: HTMLVideoElement): void;
  stopLive(): void;
}

export const DEFAULT_FEED_SIZE = 224;
export const DEFAULT_VIS_SETTINGS: FeatureVisSettings = {
  channel: 0,
  target: 'channel',
  iterations: 64,
  size: 128,
  tvWeight: 0.5,
  learningRate: 0.05,
  jitter: 4,
  seed: 1,
};

/** The images the units are ranked over, in the order the page lists them. */
export function imageSetOf(
  s: Pick<ExploreState, 'useSamples' | 'samples' | 'useGalleryFaces' | 'galleryImages' | 'dropped'>,
) {
  return [...(s.useSamples ? s.samples : []), ...(s.useGalleryFaces ? s.galleryImages : []), ...s.dropped];
}
