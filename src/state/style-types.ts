// The Style Studio's state and what it needs from the rest of the app, with the small rules the
// cards share (what "busy" means, which style layers are in use), apart from the store's actions.
import { estimateStyleRun, networkValuesPerPixel, type RunEstimate } from '../ml/style/run-estimate';
import type { StateStorage } from 'zustand/middleware';
import type { StyleWork } from '../db/studio';
import type { DecodedImage } from '../ml/runtime/image-file';
import type { InputPreprocessing } from '../ml/style/custom-network';
import type { LayerInfo } from '../ml/nets/network';
import type { LossNetworkId } from '../ml/style/networks';
import { LOSS_NETWORKS } from '../ml/style/networks';
import type { CostRow, StyleSession, StyleStage } from '../ml/style/session';
import type { StyleSettings } from '../ml/style/transfer';
import type { RunPlace } from '../ml/style/worker-protocol';
import { matchingPreset, strengthOf, type StylePresetId } from '../ml/style/presets';
import { NOT_LOADED, type NetworkLoadState } from './network-state';
import { estimateRemainingMs, formatRemaining } from './style-estimate';

export type { CostRow } from '../ml/style/session';

export interface StyleInput extends DecodedImage {
  id: string;
  /** Blend weight among the style images. */
  weight: number;
}

export type JobStatus = 'idle' | 'loading' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

export interface StyleResult {
  blob: Blob;
  url: string;
  width: number;
  height: number;
  iterations: number;
}

export interface NetworkState extends NetworkLoadState<LossNetworkId, LayerInfo> {
  /** The network's own choice of content layer and style layers; null until it is loaded. */
  defaults: { content: string; style: string[] } | null;
}

export interface StyleState {
  content: DecodedImage | null;
  styles: StyleInput[];
  inputNotice: string | null;
  inputError: string | null;
  settings: StyleSettings;
  networkId: LossNetworkId;
  /** ResNet-50 / custom: softmax-smooth activations (SWAG). null: the network's default. */
  smoothing: boolean | null;
  vggSeed: number;
  customPreprocessing: InputPreprocessing;
  network: NetworkState;

  status: JobStatus;
  error: string | null;
  rows: CostRow[];
  styleLayerNames: string[];
  stage: StyleStage | null;
  preview: ImageBitmap | null;
  result: StyleResult | null;
  /** Where the latest run happens: backend, worker or page, tensors there; null before a run. */
  runPlace: RunPlace | null;
  /** The pace of the last finished run, per network and backend: ms per iteration per pixel of G. */
  pace: { key: string; msPerPixel: number } | null;
  works: StyleWork[];
  saveMessage: string | null;

  setContent(file: File): Promise<void>;
  /** The built-in portrait as content and a generated painting as style. */
  loadSamples(style?: string): Promise<void>;
  setContentFromCamera(video: HTMLVideoElement): Promise<void>;
  addStyles(files: File[]): Promise<void>;
  removeStyle(id: string): void;
  setStyleWeight(id: string, weight: number): void;
  setSettings(patch: Partial<StyleSettings>): void;
  /** Gentle, Balanced or Strong for the chosen network (src/ml/style/presets.ts). */
  applyPreset(id: StylePresetId): void;
  /** The Strength slider, 0..100: keeps α, sets β = α·10^((s − 50)/25). */
  setStrength(strength: number): void;
  /** The defaults: the network's Balanced preset. */
  resetSettings(): void;
  setStyleLayerWeight(layer: string, weight: number | null): void;
  /** Picks a network from the list: loads it, except the custom one, which waits for its files. */
  selectNetwork(id: LossNetworkId): void;
  /** Loads the network (with the custom model's files); true when it is ready. */
  chooseNetwork(id: LossNetworkId, customFiles?: File[]): Promise<boolean>;
  setNetworkOptions(patch: {
    smoothing?: boolean | null;
    vggSeed?: number;
    customPreprocessing?: InputPreprocessing;
  }): void;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  save(title: string): Promise<void>;
  loadWorks(): Promise<void>;
  deleteWork(id: string): Promise<void>;
}

/** What the Style Studio needs from the rest of the app. */
export interface StyleServices {
  /** place(): where runs happen (the worker client has it; the in-page session does not). */
  session: StyleSession & { place?(): RunPlace | null };
  /** Checks and decodes a file; rejects with a sentence to show. */
  decodeImage(file: File): Promise<DecodedImage>;
  /** The built-in portrait and the painting `styleId`, as files. */
  sampleFiles(styleId: string): Promise<{ content: File; style: File }>;
  /** A still of the camera's current frame; the caller closes it. */
  snapshot(video: HTMLVideoElement): Promise<ImageBitmap>;
  works: {
    list(): Promise<StyleWork[]>;
    save(work: StyleWork): Promise<void>;
    delete(id: string): Promise<void>;
  };
  newId(): string;
  objectUrl: { create(blob: Blob): string; revoke(url: string): void };
  now(): number;
  storage(): StateStorage;
}

/** The one meaning of "busy": a run is being prepared, is running or is paused; the knobs are locked. */
export const isBusy = (status: JobStatus): boolean =>
  status === 'loading' || status === 'running' || status === 'paused';

export const selectBusy = (s: Pick<StyleState, 'status'>): boolean => isBusy(s.status);

/** Whether there is something to run: a content image and a style with a weight above zero. */
export const selectReady = (s: Pick<StyleState, 'content' | 'styles'>): boolean =>
  !!s.content && s.styles.some((x) => x.weight > 0);

/** Whether activations are softmax-smoothed: as chosen, or the network's default (on for ResNet-50 only). */
export const selectSmoothing = (s: Pick<StyleState, 'smoothing' | 'networkId'>): boolean => s.smoothing ?? false;

/** The latest iteration's costs; null before the first. */
export const selectLastRow = (s: Pick<StyleState, 'rows'>): CostRow | null => s.rows[s.rows.length - 1] ?? null;

/** Where the Strength slider stands for the current α and β, 0..100. */
export const selectStrength = (s: Pick<StyleState, 'settings'>): number => strengthOf(s.settings);

/** The preset the settings are at, or null when something was changed by hand. */
export const selectPreset = (s: Pick<StyleState, 'settings' | 'networkId'>): StylePresetId | null =>
  matchingPreset(s.settings, s.networkId);

/** "about 2 min left" while running, from the iterations so far; null before the first. */
export const selectRemaining = (s: Pick<StyleState, 'rows' | 'settings' | 'stage'>): string | null =>
  formatRemaining(estimateRemainingMs(s.rows, s.settings.iterations, s.stage));

/** The key a run's pace is kept under: the network and the backend it ran on. */
export const paceKey = (networkId: LossNetworkId, backend: string | undefined): string =>
  `${networkId}@${backend ?? '?'}`;

/** ms per iteration per pixel over a finished run's last stage (median, the run's first left out); null without rows. */
export function paceOf(rows: readonly CostRow[], stage: StyleStage | null): number | null {
  if (!stage || rows.length === 0) return null;
  const usable = rows.length > 1 ? rows.slice(1) : rows;
  const ms = usable
    .slice(-5)
    .map((r) => r[5]!)
    .sort((a, b) => a - b);
  const mid = ms[ms.length >> 1]!;
  return mid / (stage.width * stage.height);
}

/** What the next run will take, before Start (run-estimate.ts); null without a photo (or a custom model's layers). */
export function selectRunEstimate(
  s: Pick<StyleState, 'content' | 'settings' | 'network' | 'networkId' | 'pace'>,
  backend: string | undefined,
): RunEstimate | null {
  if (!s.content) return null;
  const wanted = [
    s.settings.contentLayer ?? s.network.defaults?.content ?? '',
    ...styleLayersOf(s.settings, s.network).map((l) => l.layer),
  ];
  const values = networkValuesPerPixel(s.networkId, s.network.layers, wanted);
  if (values === null) return null;
  const pace = s.pace && s.pace.key === paceKey(s.networkId, backend) ? s.pace.msPerPixel : null;
  return estimateStyleRun(s.content, s.settings, values, pace);
}

/** The style layers with their weights λ: those chosen, or the network's defaults equally weighted. */
export function styleLayersOf(settings: StyleSettings, network: NetworkState): { layer: string; weight: number }[] {
  return (
    settings.styleLayers ?? (network.defaults?.style ?? []).map((layer, _, all) => ({ layer, weight: 1 / all.length }))
  );
}

export function networkState(id: LossNetworkId, patch: Partial<NetworkState> = {}): NetworkState {
  return {
    id,
    ...NOT_LOADED,
    defaults: null,
    label: LOSS_NETWORKS.find((n) => n.id === id)?.label ?? id,
    ...patch,
  };
}
