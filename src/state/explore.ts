// The Explorer: which network and layer is being looked at, the image set its units are ranked
// over, and three views of the layer — top-activating patches, feature visualisation and live
// activation maps. The maths lives in src/ml/explore; this store runs it one image at a time,
// keeps every tensor inside a call, and turns results into bitmaps for the page.
import { create } from 'zustand';
import * as tf from '@tensorflow/tfjs';
import { activationGrid, firstChannels, gridLayout, gridUnitAt, type GridLayout } from '../ml/explore/activation-maps';
import { imageSetFingerprint, TopPatchCache, type ImageDescriptor, type TopPatchCacheKey } from '../ml/explore/cache';
import { featureVisLoss, totalVariation } from '../ml/explore/feature-vis';
import { FACE_GRAPH_NETWORKS, graphModelNetwork, type FaceGraphNetworkId } from '../ml/explore/graph-network';
import { patchesForHits } from '../ml/explore/patches';
import { overlapRadius, receptiveField, type ReceptiveField } from '../ml/explore/receptive-field';
import { ChannelActivity, TopPatchAccumulator, type ChannelTopPatches } from '../ml/explore/top-patches';
import { decodeImageFile } from '../ml/runtime/image-file';
import { FrameGrabber, pixelsToTensor } from '../ml/runtime/frames';
import { fetchSampleManifest, loadSample } from '../ml/runtime/samples';
import type { LossNetwork } from '../ml/style/loss-network';
import { loadLossNetwork } from '../ml/style/networks';
import { optimiseImage, RunControl, yieldToEventLoop } from '../ml/style/optimise';
import { RESNET50_LABEL } from '../ml/style/resnet50';
import { VGG19_LABEL } from '../ml/style/vgg19-random';
import { useGallery } from './gallery';
import { registry, useModels } from './models';
import { errorMessage } from '../ml/core/errors';

export type ExploreNetworkId = 'vgg19-random' | 'resnet50' | FaceGraphNetworkId;

export interface ExploreNetworkChoice {
  id: ExploreNetworkId;
  label: string;
  description: string;
}

export const EXPLORE_NETWORKS: readonly ExploreNetworkChoice[] = [
  {
    id: 'vgg19-random',
    label: VGG19_LABEL,
    description:
      'Style Studio’s loss network with seeded random weights: nothing to download. Its units have learned nothing, ' +
      'so what they respond to is what the architecture alone gives — a useful baseline for the trained networks.',
  },
  {
    id: 'resnet50',
    label: RESNET50_LABEL,
    description: 'ResNet-50 trained on ImageNet (100 MB, downloaded the first time you pick it).',
  },
  {
    id: 'faceres',
    label: FACE_GRAPH_NETWORKS.faceres.label,
    description: 'The default face embedder (224×224 input, 1024-D embedding).',
  },
  {
    id: 'blazeface',
    label: FACE_GRAPH_NETWORKS.blazeface.label,
    description: 'The face detector that finds faces in camera frames (256×256 input).',
  },
  {
    id: 'facemesh',
    label: FACE_GRAPH_NETWORKS.facemesh.label,
    description: 'The landmark model that places 468 points on a face (192×192 input).',
  },
];

const isFaceNetwork = (id: ExploreNetworkId): id is FaceGraphNetworkId => id in FACE_GRAPH_NETWORKS;

export interface ExploreLayer {
  name: string;
  kind: string;
  channels: number;
  rf: ReceptiveField;
  /** Whether gradients reach the input from this layer (always true for the style networks). */
  differentiable: boolean;
}

export interface NetworkState {
  id: ExploreNetworkId;
  status: 'idle' | 'loading' | 'ready' | 'error';
  progress: number | null;
  error: string | null;
  label: string;
  layers: ExploreLayer[];
  /** Face networks take square images of this side; null: any size (fed at `feedSize` on the long side). */
  inputSize: number | null;
}

export type ImageOrigin = 'sample' | 'gallery' | 'dropped';

export interface SetImage {
  id: string;
  name: string;
  origin: ImageOrigin;
  bitmap: ImageBitmap;
  descriptor: ImageDescriptor;
}

export interface PatchView {
  bitmap: ImageBitmap;
  value: number;
  imageName: string;
  row: number;
  col: number;
}

export interface UnitPatches {
  channel: number;
  /** Mean activation of the channel over the image set. */
  mean: number;
  patches: PatchView[];
}

export interface PatchResult {
  network: string;
  layer: string;
  rf: ReceptiveField;
  /** Long side of the images as fed to the network. */
  fedSide: number;
  /** Side of each patch bitmap in pixels. */
  patchSide: number;
  units: UnitPatches[];
  images: number;
  fromCache: boolean;
  ms: number;
  /** Set when the run was stopped early: the patches are from the first `images` images only. */
  partial: boolean;
}

export type JobStatus = 'idle' | 'running' | 'done' | 'stopped' | 'error';

export interface FeatureVisSettings {
  channel: number;
  /** Excite the whole channel, or only its unit at the centre of the map. */
  target: 'channel' | 'centre';
  iterations: number;
  /** Side of the generated image (style networks; face networks use their input size). */
  size: number;
  tvWeight: number;
  learningRate: number;
  jitter: number;
  seed: number;
}

/** One row per iteration: [iteration, activation, total variation, ms]. */
export type FeatureVisRow = [number, number, number, number];

export type LiveSource = { kind: 'image'; id: string } | { kind: 'camera' };

export interface LiveView {
  bitmap: ImageBitmap;
  layout: GridLayout;
  channels: number[];
  ms: number;
  layer: string;
}

interface ExploreState {
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
/** How many units the patch view shows, and how many patches per unit. */
export const UNITS_SHOWN = 9;
export const PATCHES_PER_UNIT = 9;
const MAX_PATCH_SIDE = 128;
const LIVE_INTERVAL_MS = 700;
const LIVE_GAP = 1;

// Module-level, outside React's state: tensors, controllers and the network itself.
let network: LossNetwork | null = null;
let networkToken = 0;
let patchControl: AbortController | null = null;
let visControl: RunControl | null = null;
let liveTimer: ReturnType<typeof setInterval> | null = null;
let liveVideo: HTMLVideoElement | null = null;
let liveBusy = false;
let liveToken = 0;
let imageCounter = 0;
let samplesLoading: Promise<void> | null = null;
const grabber = new FrameGrabber();
const cache = new TopPatchCache({ maxEntries: 24 });
/** Per-channel mean activation over the image set, under the same keys as `cache`. */
const activityCache = new Map<string, number[]>();

function networkState(id: ExploreNetworkId, patch: Partial<NetworkState> = {}): NetworkState {
  return {
    id,
    status: 'idle',
    progress: null,
    error: null,
    label: EXPLORE_NETWORKS.find((n) => n.id === id)?.label ?? id,
    layers: [],
    inputSize: isFaceNetwork(id) ? FACE_GRAPH_NETWORKS[id].inputSize : null,
    ...patch,
  };
}

/** A layer a few steps in: deep enough to show structure, shallow enough to run fast. */
function defaultLayer(layers: readonly ExploreLayer[], previous: string | null): string | null {
  if (previous && layers.some((l) => l.name === previous)) return previous;
  return layers.find((l) => l.name === 'conv3_1')?.name ?? layers[Math.min(2, layers.length - 1)]?.name ?? null;
}

/** The size an image is fed at: square input for face networks, the long side scaled for the others. */
function fedSize(width: number, height: number, inputSize: number | null, long: number) {
  if (inputSize !== null) return { width: inputSize, height: inputSize };
  const scale = long / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** The image at the size the network sees it, resampled by the browser (better than bilinear for large steps). */
async function fedTensor(bitmap: ImageBitmap, size: { width: number; height: number }): Promise<tf.Tensor3D> {
  if (bitmap.width === size.width && bitmap.height === size.height) return pixelsToTensor(bitmap);
  const scaled = await createImageBitmap(bitmap, {
    resizeWidth: size.width,
    resizeHeight: size.height,
    resizeQuality: 'high',
  });
  try {
    return pixelsToTensor(scaled);
  } finally {
    scaled.close();
  }
}

/** RGB floats in 0..1, [n, s, s, 3], read once and cut into one bitmap per image. */
async function toBitmaps(images: tf.Tensor4D): Promise<ImageBitmap[]> {
  const [n, h, w] = images.shape;
  const data = await images.data();
  const out: ImageBitmap[] = [];
  for (let i = 0; i < n; i++) {
    const rgba = new Uint8ClampedArray(h * w * 4);
    const base = i * h * w * 3;
    for (let p = 0; p < h * w; p++) {
      rgba[p * 4] = (data[base + p * 3] ?? 0) * 255;
      rgba[p * 4 + 1] = (data[base + p * 3 + 1] ?? 0) * 255;
      rgba[p * 4 + 2] = (data[base + p * 3 + 2] ?? 0) * 255;
      rgba[p * 4 + 3] = 255;
    }
    out.push(await createImageBitmap(new ImageData(rgba, w, h)));
  }
  return out;
}

async function greyToBitmap(image: tf.Tensor2D): Promise<ImageBitmap> {
  const [height, width] = image.shape;
  const pixels = await tf.browser.toPixels(image);
  return createImageBitmap(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height));
}

function closePatches(result: PatchResult | null) {
  result?.units.forEach((u) => u.patches.forEach((p) => p.bitmap.close()));
}

/** "3, 17, 40-42" → [3, 17, 40, 41, 42]; throws a sentence for anything else. */
export function parseChannels(text: string, channelCount: number): number[] {
  const out: number[] = [];
  const parts = text
    .replace(/\s*[-–]\s*/g, '-')
    .split(/[\s,;]+/)
    .filter(Boolean);
  for (const part of parts) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new Error(`“${part}” is not a channel number; write numbers such as 0, 5, 12–14.`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    const highest = Math.max(first, last);
    if (highest >= channelCount) {
      throw new Error(`This layer has channels 0 to ${channelCount - 1}; ${highest} is not one of them.`);
    }
    for (let v = Math.min(first, last); v <= highest; v++) if (!out.includes(v)) out.push(v);
  }
  if (out.length === 0) throw new Error('Write the channel numbers to show, e.g. 0, 1, 2.');
  return out.slice(0, UNITS_SHOWN);
}

/** The channel and unit under a pixel of a live activation picture (null on a gap). */
export function liveUnitAt(view: LiveView, y: number, x: number): { channel: number; row: number; col: number } | null {
  const hit = gridUnitAt(view.layout, view.channels.length, y, x);
  const channel = hit ? view.channels[hit.tile] : undefined;
  return hit && channel !== undefined ? { channel, row: hit.row, col: hit.col } : null;
}

export const useExplore = create<ExploreState>()((set, get) => {
  const currentLayer = (): ExploreLayer | null =>
    get().network.layers.find((l) => l.name === get().layer) ?? get().network.layers[0] ?? null;

  const imageSet = (): SetImage[] => {
    const s = get();
    return [...(s.useSamples ? s.samples : []), ...(s.useGalleryFaces ? s.galleryImages : []), ...s.dropped];
  };

  const busy = () => get().patchStatus === 'running' || get().visStatus === 'running';

  /** Renders the patches of the chosen channels from a (cached or fresh) result. */
  async function renderPatches(
    result: ChannelTopPatches[],
    means: number[],
    channels: number[],
    images: SetImage[],
    layer: ExploreLayer,
    meta: Pick<PatchResult, 'network' | 'fromCache' | 'ms' | 'partial' | 'images'>,
  ): Promise<PatchResult> {
    const { inputSize } = get().network;
    const long = get().feedSize;
    const patchSide = Math.max(1, Math.min(layer.rf.size, MAX_PATCH_SIDE));
    const wanted = channels.map((c) => result.find((r) => r.channel === c) ?? { channel: c, hits: [] });
    const needed = [...new Set(wanted.flatMap((c) => c.hits.map((h) => h.image)))];
    const sources = new Map<number, tf.Tensor3D>();
    const units: UnitPatches[] = [];
    try {
      for (const i of needed) {
        const image = images[i];
        if (!image) continue;
        sources.set(
          i,
          await fedTensor(image.bitmap, fedSize(image.bitmap.width, image.bitmap.height, inputSize, long)),
        );
      }
      for (const unit of wanted) {
        const hits = unit.hits.filter((h) => sources.has(h.image));
        const crops = patchesForHits(sources, hits, layer.rf, { size: patchSide });
        let bitmaps: ImageBitmap[];
        try {
          bitmaps = await toBitmaps(crops);
        } finally {
          crops.dispose();
        }
        units.push({
          channel: unit.channel,
          mean: means[unit.channel] ?? NaN,
          patches: hits.map((h, j) => ({
            bitmap: bitmaps[j]!,
            value: h.value,
            imageName: images[h.image]?.name ?? `image ${h.image + 1}`,
            row: h.row,
            col: h.col,
          })),
        });
      }
    } catch (e) {
      closePatches({ units } as PatchResult);
      throw e;
    } finally {
      tf.dispose([...sources.values()]);
    }
    return {
      ...meta,
      layer: layer.name,
      rf: layer.rf,
      fedSide: inputSize ?? long,
      patchSide,
      units,
    };
  }

  /** One activation-grid picture of the current layer for an image [H, W, 3] in 0..1. */
  async function activationPicture(image: tf.Tensor3D): Promise<LiveView | null> {
    const net = network;
    const layer = currentLayer();
    if (!net || !layer) return null;
    const { inputSize } = get().network;
    const { liveCount, liveUnits, patches } = get();
    const channels =
      liveUnits && patches && patches.layer === layer.name
        ? patches.units.map((u) => u.channel)
        : firstChannels(liveCount, layer.channels);
    const t0 = performance.now();
    let tile = { height: 0, width: 0 };
    const grid = tf.tidy(() => {
      const [h, w] = image.shape;
      const size = fedSize(w, h, inputSize, get().feedSize);
      const x = tf.image.resizeBilinear(image.expandDims(0) as tf.Tensor4D, [size.height, size.width], false, true);
      const [a] = net.activations(x, [layer.name]);
      if (!a) throw new Error(`The network gave no activations for ${layer.name}.`);
      tile = { height: a.shape[1], width: a.shape[2] };
      return activationGrid(a, channels, { gap: LIVE_GAP });
    });
    try {
      return {
        bitmap: await greyToBitmap(grid),
        layout: gridLayout(channels.length, tile.height, tile.width, { gap: LIVE_GAP }),
        channels,
        ms: performance.now() - t0,
        layer: layer.name,
      };
    } finally {
      grid.dispose();
    }
  }

  function setLive(view: LiveView | null) {
    const old = get().live;
    set({ live: view });
    if (old && old !== view) old.bitmap.close();
  }

  async function refreshLiveImage() {
    const source = get().liveSource;
    if (source?.kind !== 'image') return;
    const image = imageSet().find((i) => i.id === source.id);
    if (!image || !network) return;
    const token = ++liveToken;
    const tensor = pixelsToTensor(image.bitmap);
    try {
      const view = await activationPicture(tensor);
      if (token !== liveToken) {
        view?.bitmap.close();
        return;
      }
      set({ liveError: null });
      setLive(view);
    } catch (e) {
      if (token === liveToken) set({ liveError: errorMessage(e) });
    } finally {
      tensor.dispose();
    }
  }

  async function runPatches() {
    const net = network;
    const layer = currentLayer();
    if (!net || !layer || get().network.status !== 'ready') {
      set({ patchStatus: 'error', patchError: 'Load a network and choose a layer first.' });
      return;
    }
    if (get().useSamples && get().samplesStatus !== 'ready') {
      set({ patchStatus: 'running', patchError: null, patchProgress: null });
      await get().loadSamples();
    }
    const images = imageSet();
    if (images.length === 0) {
      set({
        patchStatus: 'error',
        patchError: 'The image set is empty: turn on the samples or the gallery faces, or add your own images.',
      });
      return;
    }
    let chosen: number[] | null = null;
    if (get().channelMode === 'chosen') {
      try {
        chosen = parseChannels(get().channelText, layer.channels);
      } catch (e) {
        set({ patchStatus: 'error', patchError: errorMessage(e) });
        return;
      }
    }
    const { inputSize } = get().network;
    const long = get().feedSize;
    const radius = overlapRadius(layer.rf);
    const key: TopPatchCacheKey = {
      network: net.id,
      layer: layer.name,
      imageSet: imageSetFingerprint(images.map((i) => i.descriptor)),
      params: `k=${PATCHES_PER_UNIT} r=${radius} fed=${inputSize === null ? `long${long}` : `square${inputSize}`}`,
    };
    const activityKey = JSON.stringify(key);
    const controller = new AbortController();
    patchControl = controller;
    set({ patchStatus: 'running', patchError: null, patchProgress: { done: 0, total: images.length } });
    const t0 = performance.now();
    try {
      let result = cache.get(key);
      let means = activityCache.get(activityKey);
      let seen = images.length;
      const fromCache = !!result && !!means;
      if (!result || !means) {
        // Every channel is ranked in one pass, so choosing other units later needs no rerun.
        const acc = new TopPatchAccumulator({ k: PATCHES_PER_UNIT, radius });
        const activity = new ChannelActivity();
        for (const [i, image] of images.entries()) {
          if (controller.signal.aborted) break;
          const size = fedSize(image.bitmap.width, image.bitmap.height, inputSize, long);
          const x = await fedTensor(image.bitmap, size);
          let a: tf.Tensor4D | undefined;
          try {
            a = tf.tidy(() => net.activations(x.expandDims(0) as tf.Tensor4D, [layer.name])[0]);
            if (!a) throw new Error(`The network gave no activations for ${layer.name}.`);
            await acc.add(a);
            await activity.add(a);
          } finally {
            x.dispose();
            a?.dispose();
          }
          set({ patchProgress: { done: i + 1, total: images.length } });
          await yieldToEventLoop();
        }
        result = acc.result();
        means = activity.values('mean');
        seen = acc.imagesSeen;
        if (!controller.signal.aborted) {
          cache.set(key, result);
          activityCache.set(activityKey, means);
        }
      }
      const partial = seen < images.length;
      if (seen === 0) {
        set({ patchStatus: 'stopped', patchProgress: null });
        return;
      }
      const channels =
        chosen ??
        means
          .map((value, channel) => ({ value, channel }))
          .sort((a, b) => b.value - a.value || a.channel - b.channel)
          .slice(0, UNITS_SHOWN)
          .map((c) => c.channel);
      const rendered = await renderPatches(result, means, channels, images, layer, {
        network: get().network.label,
        fromCache,
        ms: performance.now() - t0,
        partial,
        images: seen,
      });
      closePatches(get().patches);
      set({ patches: rendered, patchStatus: partial ? 'stopped' : 'done', patchProgress: null });
      if (get().liveUnits) void refreshLiveImage();
    } catch (e) {
      set({ patchStatus: 'error', patchError: errorMessage(e), patchProgress: null });
    } finally {
      if (patchControl === controller) patchControl = null;
    }
  }

  return {
    networkId: 'vgg19-random',
    network: networkState('vgg19-random'),
    layer: null,

    samples: [],
    galleryImages: [],
    dropped: [],
    useSamples: true,
    useGalleryFaces: false,
    samplesStatus: 'idle',
    galleryStatus: 'idle',
    imageError: null,
    imageNotice: null,

    channelMode: 'auto',
    channelText: '0, 1, 2, 3, 4, 5, 6, 7, 8',
    feedSize: DEFAULT_FEED_SIZE,
    patchStatus: 'idle',
    patchRuns: 0,
    patchProgress: null,
    patchError: null,
    patches: null,

    visSettings: { ...DEFAULT_VIS_SETTINGS },
    visStatus: 'idle',
    visError: null,
    visRows: [],
    visPreview: null,

    liveSource: null,
    liveCount: 16,
    liveUnits: false,
    liveRunning: false,
    liveError: null,
    live: null,

    async chooseNetwork(id) {
      if (busy()) return;
      const token = ++networkToken;
      if (get().liveSource?.kind === 'camera') get().stopLive();
      set({ networkId: id, network: networkState(id, { status: 'loading' }) });
      try {
        let next: LossNetwork;
        if (isFaceNetwork(id)) {
          // The registry owns the graph model (Face ID uses it too); the wrapper does not dispose it.
          const model = await useModels.getState().load(id);
          next = graphModelNetwork(model, FACE_GRAPH_NETWORKS[id]);
        } else {
          next = await loadLossNetwork(id, {
            // Top patches and feature visualisation look at raw activations, not Style Studio's smoothed ones.
            smoothing: false,
            baseUrl: import.meta.env.BASE_URL,
            manifest: (await registry.getManifest()) ?? undefined,
            onProgress: (p) => {
              if (token === networkToken) {
                set({ network: { ...get().network, progress: p.total ? p.loaded / p.total : null } });
              }
            },
          });
        }
        if (token !== networkToken) {
          next.dispose();
          return;
        }
        network?.dispose();
        network = next;
        const layers: ExploreLayer[] = next.layers.map((l) => ({
          name: l.name,
          kind: l.kind,
          channels: l.channels,
          rf: receptiveField(l.path),
          differentiable: 'differentiable' in l ? (l as { differentiable: boolean }).differentiable : true,
        }));
        closePatches(get().patches);
        set({
          network: networkState(id, { status: 'ready', layers, label: next.label }),
          layer: defaultLayer(layers, get().layer),
          patches: null,
          patchStatus: 'idle',
          patchError: null,
        });
        await refreshLiveImage();
      } catch (e) {
        if (token === networkToken) set({ network: networkState(id, { status: 'error', error: errorMessage(e) }) });
      }
    },

    setLayer(name) {
      if (busy()) return;
      set({ layer: name });
      void refreshLiveImage();
    },

    loadSamples() {
      if (get().samplesStatus === 'ready') return Promise.resolve();
      // One load for every caller: the page asks on mount and a run may ask again before it ends.
      samplesLoading ??= (async () => {
        set({ samplesStatus: 'loading' });
        try {
          const base = import.meta.env.BASE_URL;
          const entries = await fetchSampleManifest(base);
          const samples: SetImage[] = [];
          for (const entry of entries) {
            const blob = await loadSample(entry, base);
            const image = await decodeImageFile(new File([blob], entry.file, { type: blob.type }));
            samples.push({
              id: `sample-${entry.id}`,
              name: entry.title,
              origin: 'sample',
              bitmap: image.bitmap,
              descriptor: { name: `sample:${entry.file}`, size: blob.size },
            });
          }
          set({ samples, samplesStatus: 'ready' });
        } catch (e) {
          set({ samplesStatus: 'error', imageError: errorMessage(e) });
        } finally {
          samplesLoading = null;
        }
      })();
      return samplesLoading;
    },

    async setUseSamples(on) {
      if (busy()) return;
      set({ useSamples: on });
      if (on) await get().loadSamples();
    },

    async setUseGalleryFaces(on) {
      if (busy()) return;
      set({ useGalleryFaces: on, imageError: null });
      if (!on || get().galleryStatus === 'loading') return;
      set({ galleryStatus: 'loading' });
      try {
        const g = await useGallery.getState().open();
        if (!g) throw new Error(useGallery.getState().error ?? 'The gallery could not be opened.');
        const identities = await g.listIdentities();
        const images: SetImage[] = [];
        for (const identity of identities) {
          const thumbnails = await g.thumbnails(identity.id);
          for (const [i, t] of thumbnails.entries()) {
            images.push({
              id: `gallery-${t.id}`,
              name: thumbnails.length > 1 ? `${identity.name} (${i + 1})` : identity.name,
              origin: 'gallery',
              bitmap: await createImageBitmap(t.blob),
              descriptor: { name: `gallery:${t.id}`, size: t.blob.size, lastModified: t.created },
            });
          }
        }
        get().galleryImages.forEach((i) => i.bitmap.close());
        set({
          galleryImages: images,
          galleryStatus: 'ready',
          imageNotice: images.length === 0 ? 'The gallery has no face thumbnails yet: enrol people first.' : null,
        });
      } catch (e) {
        const locked = (e as { kind?: string }).kind === 'locked';
        set({
          galleryStatus: 'error',
          useGalleryFaces: false,
          imageError: locked
            ? 'The gallery is locked: unlock it with your passphrase on the People page to use its face thumbnails.'
            : `The gallery’s face thumbnails could not be read: ${errorMessage(e)}`,
        });
      }
    },

    async addImages(files) {
      if (busy()) return;
      set({ imageError: null, imageNotice: null });
      const added: SetImage[] = [];
      const problems: string[] = [];
      const notices: string[] = [];
      for (const file of files) {
        try {
          const image = await decodeImageFile(file);
          if (image.notice) notices.push(image.notice);
          added.push({
            id: `dropped-${++imageCounter}`,
            name: image.name,
            origin: 'dropped',
            bitmap: image.bitmap,
            descriptor: { name: `file:${file.name}`, size: file.size, lastModified: file.lastModified },
          });
        } catch (e) {
          problems.push(errorMessage(e));
        }
      }
      set({
        dropped: [...get().dropped, ...added],
        imageError: problems.length ? problems.join(' ') : null,
        imageNotice: notices.length ? notices.join(' ') : null,
      });
    },

    removeImage(id) {
      if (busy()) return;
      const image = get().dropped.find((i) => i.id === id);
      const source = get().liveSource;
      if (source?.kind === 'image' && source.id === id) void get().chooseLiveSource(null);
      image?.bitmap.close();
      set({ dropped: get().dropped.filter((i) => i.id !== id) });
    },

    clearDropped() {
      if (busy()) return;
      const source = get().liveSource;
      if (source?.kind === 'image' && get().dropped.some((i) => i.id === source.id)) void get().chooseLiveSource(null);
      get().dropped.forEach((i) => i.bitmap.close());
      set({ dropped: [] });
    },

    setPatchOptions(patch) {
      set(patch);
    },

    async computePatches() {
      if (busy()) return;
      try {
        await runPatches();
      } finally {
        set({ patchRuns: get().patchRuns + 1 });
      }
    },

    stopPatches() {
      patchControl?.abort();
    },

    setVisSettings(patch) {
      set({ visSettings: { ...get().visSettings, ...patch } });
    },

    async startFeatureVis() {
      if (busy()) return;
      const net = network;
      const layer = currentLayer();
      if (!net || !layer || get().network.status !== 'ready') {
        set({ visStatus: 'error', visError: 'Load a network and choose a layer first.' });
        return;
      }
      if (tf.getBackend() === 'wasm') {
        set({
          visStatus: 'error',
          visError:
            'Feature visualisation needs gradients of convolutions, which the wasm backend does not have. ' +
            'Choose WebGPU, WebGL or CPU under Settings → Backend, then start again.',
        });
        return;
      }
      if (!layer.differentiable) {
        set({
          visStatus: 'error',
          visError:
            `TensorFlow.js has no gradient for an operation between the input and ${layer.name} in this network, ` +
            'so the image cannot be optimised for it. Choose an earlier layer.',
        });
        return;
      }
      const s = get().visSettings;
      if (!(Number.isInteger(s.channel) && s.channel >= 0 && s.channel < layer.channels)) {
        set({ visStatus: 'error', visError: `This layer has channels 0 to ${layer.channels - 1}; pick one of those.` });
        return;
      }
      const side = get().network.inputSize ?? s.size;
      const control = new RunControl();
      visControl = control;
      get().visPreview?.close();
      set({ visStatus: 'running', visError: null, visRows: [], visPreview: null });
      // Grey with a little seeded noise: a flat start has no gradient for symmetric units to break ties.
      const init = tf.tidy(() => tf.randomUniform([1, side, side, 3], 0.45, 0.55, 'float32', s.seed)) as tf.Tensor4D;
      let finished = false;
      try {
        let unit: { row?: number; col?: number } = {};
        if (s.target === 'centre') {
          const shape = tf.tidy(() => net.activations(init, [layer.name])[0]!.shape);
          unit = { row: Math.floor(shape[1] / 2), col: Math.floor(shape[2] / 2) };
        }
        const loss = featureVisLoss(net, layer.name, s.channel, { tvWeight: s.tvWeight, ...unit });
        const result = await optimiseImage({
          init,
          iterations: s.iterations,
          learningRate: s.learningRate,
          jitter: s.jitter,
          seed: s.seed,
          control,
          signal: control.signal,
          objective: (x) =>
            tf.tidy(() => {
              const l = loss(x);
              const tv = totalVariation(x);
              // loss = −activation + λ·TV, so the activation is recovered for the plot without a second pass.
              const activation = tv.mul(s.tvWeight).sub(l);
              return { loss: l, terms: tf.stack([activation, tv]) as tf.Tensor1D };
            }),
          onIteration: (info) => {
            const row: FeatureVisRow = [
              info.iteration,
              info.terms[0] ?? NaN,
              info.terms[1] ?? NaN,
              info.msPerIteration,
            ];
            set({ visRows: [...get().visRows, row] });
          },
          previewEvery: 4,
          onPreview: (image) => {
            void toBitmaps(image)
              .then(([bitmap]) => {
                if (!bitmap) return;
                // A preview that arrives after the final image would replace it.
                if (finished) {
                  bitmap.close();
                  return;
                }
                get().visPreview?.close();
                set({ visPreview: bitmap });
              })
              .catch(() => undefined)
              .finally(() => image.dispose());
          },
        });
        try {
          const [bitmap] = await toBitmaps(result.image);
          finished = true;
          get().visPreview?.close();
          set({ visPreview: bitmap ?? null, visStatus: result.stoppedBy === 'stopped' ? 'stopped' : 'done' });
        } finally {
          result.image.dispose();
        }
      } catch (e) {
        set({ visStatus: 'error', visError: `Feature visualisation failed: ${errorMessage(e)}` });
      } finally {
        finished = true;
        init.dispose();
        if (visControl === control) visControl = null;
      }
    },

    stopFeatureVis() {
      visControl?.stop();
    },

    setLiveOptions(patch) {
      set(patch);
      void refreshLiveImage();
    },

    async chooseLiveSource(source) {
      get().stopLive();
      setLive(null);
      set({ liveSource: source, liveError: null });
      if (source?.kind === 'image') await refreshLiveImage();
    },

    startCameraActivations(video) {
      get().stopLive();
      liveVideo = video;
      set({ liveSource: { kind: 'camera' }, liveRunning: true, liveError: null });
      const token = ++liveToken;
      const tick = async () => {
        if (liveBusy || token !== liveToken || !liveVideo) return;
        if (!network || get().network.status !== 'ready') return;
        liveBusy = true;
        let frame: tf.Tensor3D | null = null;
        try {
          frame = pixelsToTensor(grabber.grab(liveVideo));
          const view = await activationPicture(frame);
          if (token !== liveToken) {
            view?.bitmap.close();
            return;
          }
          setLive(view);
        } catch (e) {
          if (token === liveToken) {
            get().stopLive();
            set({ liveError: errorMessage(e) });
          }
        } finally {
          frame?.dispose();
          liveBusy = false;
        }
      };
      void tick();
      liveTimer = setInterval(() => void tick(), LIVE_INTERVAL_MS);
    },

    stopLive() {
      liveToken++;
      if (liveTimer !== null) clearInterval(liveTimer);
      liveTimer = null;
      liveVideo = null;
      set({ liveRunning: false });
    },
  };
});
