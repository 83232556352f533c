// The Explorer store's shape: what the page reads and the actions it calls. Kept apart from the
// store itself so that the store file holds only behaviour.
import type { SetImage } from '../ml/explore/image-set';
import type {
  FeatureVisRow,
  FeatureVisSettings,
  FigureResult,
  LiveView,
  PatchResult,
  SaliencyView,
} from '../ml/explore/views';
import type { PoolLevel } from '../ml/explore/pool';
import type { ExploreLayer, ExploreNetworkId } from '../ml/explore/networks';
import type { NetworkLoadState } from './network-state';

export interface NetworkState extends NetworkLoadState<ExploreNetworkId, ExploreLayer> {
  /** Face networks take square images of this side; null: any size (fed at `feedSize` on the long side). */
  inputSize: number | null;
}

export type JobStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

export type LiveSource = { kind: 'image'; id: string } | { kind: 'camera' };

/** A patch of the figure: which column (layer), unit and patch, by position. */
export interface FigurePatchRef {
  layer: number;
  unit: number;
  patch: number;
}

/** The layer-by-layer figure's part of the state (src/state/explore-figure.ts). */
export interface FigureSlice {
  /** Crops per picture in the patch pool. */
  poolLevel: PoolLevel;
  figureStatus: JobStatus;
  figureRuns: number;
  figureProgress: { done: number; total: number } | null;
  figureError: string | null;
  figure: FigureResult | null;
  /** Pool images the shown figure was ranked over. */
  poolSize: number;
  saliency: SaliencyView | null;
  saliencyStatus: 'idle' | 'running' | 'done' | 'error';
  saliencyError: string | null;
  saliencyTarget: FigurePatchRef | null;

  setPoolLevel(level: PoolLevel): void;
  computeFigure(): Promise<void>;
  stopFigure(): void;
  /** Which pixels of this patch drive its unit (a saliency map). */
  explainPatch(target: FigurePatchRef): Promise<void>;
  clearFigure(): void;
}

export interface ExploreState extends FigureSlice {
  networkId: ExploreNetworkId;
  network: NetworkState;
  layer: string | null;
  /** A network that has to be downloaded first, waiting for the user to agree (its size in bytes). */
  pendingDownload: { id: ExploreNetworkId; bytes: number } | null;

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

  /** Loads a network; one that must be downloaded first waits in `pendingDownload` unless `confirmed`. */
  chooseNetwork(id: ExploreNetworkId, confirmed?: boolean): Promise<void>;
  confirmDownload(): Promise<void>;
  cancelDownload(): void;
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
