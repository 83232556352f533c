// The Explorer's three views of a layer as one service: top-activating patches over an image
// set, feature visualisation by gradient ascent, and activation pictures of one image or of the
// camera's frames. Each run takes a loaded network and plain settings and gives back plain data
// with ImageBitmaps for the pictures (the caller closes those); every tensor stays inside the run.
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../core/errors';
import { tensorToBitmap } from '../core/image';
import { FrameGrabber, pixelsToTensor } from '../runtime/frames';
import { imageGradientProblem } from '../runtime/gradients';
import { RunControl, yieldToEventLoop } from '../runtime/run-control';
import { optimiseImage, type StopReason } from '../style/optimise';
import { activationGrid, gridLayout } from './activation-maps';
import { imageSetFingerprint, TopPatchCache, type TopPatchCacheKey } from './cache';
import { featureVisLoss, totalVariation } from './feature-vis';
import { createFigureJobs, encodeBatch as encodeLayerBatch, type FigureJobs, type ReadImage } from './layer-figure';
import type { ExploreLayer, ExploreNetwork } from './networks';
import { patchesForHits } from './patches';
import { overlapRadius, type PixelRect } from '../nets/geometry';
import { ChannelActivity, TopPatchAccumulator, type ChannelTopPatches } from './top-patches';
import {
  fedSize,
  PATCHES_PER_UNIT,
  UNITS_SHOWN,
  type ExploreImage,
  type FeatureVisRow,
  type FeatureVisSettings,
  type LiveView,
  type PatchResult,
  type UnitPatches,
} from './views';

const MAX_PATCH_SIDE = 128;
const LIVE_GAP = 1;

export interface TopPatchRequest {
  network: ExploreNetwork;
  layer: ExploreLayer;
  images: readonly ExploreImage[];
  /** The channels to show; null: the UNITS_SHOWN with the highest mean activation. */
  channels: number[] | null;
  /** Long side the style networks see each image at. */
  feedSize: number;
}

export interface FeatureVisRequest {
  network: ExploreNetwork;
  layer: ExploreLayer;
  settings: FeatureVisSettings;
}

export interface ActivationRequest {
  network: ExploreNetwork;
  layer: ExploreLayer;
  channels: number[];
  feedSize: number;
}

export interface ExploreJobsOptions {
  /**
   * The bitmap (or its `crop`, in its pixels) as [H, W, 3] floats in 0..1, at `size` when given.
   * Default: the browser crops and resamples it.
   */
  readImage?: ReadImage;
  /** A camera frame as [H, W, 3] floats in 0..1. Default: drawn to a canvas first (safe on WebGPU). */
  grabFrame?(video: HTMLVideoElement): tf.Tensor3D;
  /** A picture in 0..1 as a bitmap. Default: tensorToBitmap. */
  encode?(picture: tf.Tensor3D | tf.Tensor2D): Promise<ImageBitmap>;
  /** The tfjs backend in use (feature visualisation cannot run on wasm). */
  backend?(): string;
  cacheEntries?: number;
  liveIntervalMs?: number;
}

export interface CameraLoop {
  stop(): void;
}

export interface ExploreJobs extends Pick<FigureJobs, 'runLayerFigure' | 'runSaliency'> {
  runTopPatches(
    request: TopPatchRequest,
    run?: { signal?: AbortSignal; onProgress?(done: number, total: number): void },
  ): Promise<PatchResult | null>;
  /** Why feature visualisation cannot run for this request, as a sentence; null when it can. */
  featureVisProblem(request: FeatureVisRequest): string | null;
  runFeatureVis(
    request: FeatureVisRequest,
    run: { control: RunControl; onIteration?(row: FeatureVisRow): void; onPreview?(bitmap: ImageBitmap): void },
  ): Promise<{ bitmap: ImageBitmap; stoppedBy: StopReason }>;
  runActivationPicture(request: ActivationRequest, image: ImageBitmap | tf.Tensor3D): Promise<LiveView>;
  /** Pictures of the camera's frames every interval; `request` is asked afresh each time (null: skip). */
  startCameraActivations(
    video: HTMLVideoElement,
    request: () => ActivationRequest | null,
    on: { view(view: LiveView): void; error(message: string): void },
  ): CameraLoop;
  close(): void;
}

/** The image at the size the network sees it, resampled by the browser (better than bilinear for large steps). */
async function browserReadImage(bitmap: ImageBitmap, size?: { width: number; height: number }, crop?: PixelRect) {
  const whole =
    !crop || (crop.top === 0 && crop.left === 0 && crop.width === bitmap.width && crop.height === bitmap.height);
  if (whole && (!size || (bitmap.width === size.width && bitmap.height === size.height))) return pixelsToTensor(bitmap);
  const resize = { resizeWidth: size?.width, resizeHeight: size?.height, resizeQuality: 'high' } as const;
  const scaled = crop
    ? await createImageBitmap(bitmap, crop.left, crop.top, crop.width, crop.height, resize)
    : await createImageBitmap(bitmap, resize);
  try {
    return pixelsToTensor(scaled);
  } finally {
    scaled.close();
  }
}

export function createExploreJobs(options: ExploreJobsOptions = {}): ExploreJobs {
  const readImage = options.readImage ?? browserReadImage;
  const encode = options.encode ?? tensorToBitmap;
  const backend = options.backend ?? (() => tf.getBackend());
  const liveInterval = options.liveIntervalMs ?? 700;
  let grabber: FrameGrabber | null = null;
  const grabFrame = options.grabFrame ?? ((video) => (grabber ??= new FrameGrabber()).toTensor(video));
  const cache = new TopPatchCache({ maxEntries: options.cacheEntries ?? 24 });
  /** Per-channel mean activation over the image set, under the same keys as `cache`. */
  const activityCache = new Map<string, number[]>();
  const loops = new Set<CameraLoop>();
  const figure = createFigureJobs({ readImage, encode, backend });

  const encodeBatch = (batch: tf.Tensor4D) => encodeLayerBatch(batch, encode);

  async function renderPatches(
    request: TopPatchRequest,
    result: ChannelTopPatches[],
    means: number[],
    channels: number[],
    meta: Pick<PatchResult, 'network' | 'fromCache' | 'ms' | 'partial' | 'images'>,
  ): Promise<PatchResult> {
    const { layer, images, feedSize } = request;
    const { inputSize } = request.network;
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
          await readImage(image.bitmap, fedSize(image.bitmap.width, image.bitmap.height, inputSize, feedSize)),
        );
      }
      for (const unit of wanted) {
        const hits = unit.hits.filter((h) => sources.has(h.image));
        const crops = patchesForHits(sources, hits, layer.rf, { size: patchSide });
        let bitmaps: ImageBitmap[];
        try {
          bitmaps = await encodeBatch(crops);
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
      units.forEach((u) => u.patches.forEach((p) => p.bitmap.close()));
      throw e;
    } finally {
      tf.dispose([...sources.values()]);
    }
    return { ...meta, layer: layer.name, rf: layer.rf, fedSide: inputSize ?? feedSize, patchSide, units };
  }

  async function runActivationPicture(request: ActivationRequest, image: ImageBitmap | tf.Tensor3D) {
    const { network, layer, channels, feedSize } = request;
    const t0 = performance.now();
    const owned = image instanceof tf.Tensor ? null : await readImage(image);
    const pixels = owned ?? (image as tf.Tensor3D);
    let tile = { height: 0, width: 0 };
    let grid: tf.Tensor2D;
    try {
      grid = tf.tidy(() => {
        const [h, w] = pixels.shape;
        const size = fedSize(w, h, network.inputSize, feedSize);
        const x = tf.image.resizeBilinear(pixels.expandDims(0) as tf.Tensor4D, [size.height, size.width], false, true);
        const [a] = network.net.activations(x, [layer.name]);
        if (!a) throw new Error(`The network gave no activations for ${layer.name}.`);
        tile = { height: a.shape[1], width: a.shape[2] };
        return activationGrid(a, channels, { gap: LIVE_GAP });
      });
    } finally {
      owned?.dispose();
    }
    try {
      return {
        bitmap: await encode(grid),
        layout: gridLayout(channels.length, tile.height, tile.width, { gap: LIVE_GAP }),
        channels,
        ms: performance.now() - t0,
        layer: layer.name,
      };
    } finally {
      grid.dispose();
    }
  }

  return {
    async runTopPatches(request, run = {}) {
      const { network, layer, images, feedSize } = request;
      const { inputSize } = network;
      const radius = overlapRadius(layer.rf);
      const key: TopPatchCacheKey = {
        network: network.net.id,
        layer: layer.name,
        imageSet: imageSetFingerprint(images.map((i) => i.descriptor)),
        params: `k=${PATCHES_PER_UNIT} r=${radius} fed=${inputSize === null ? `long${feedSize}` : `square${inputSize}`}`,
      };
      const activityKey = JSON.stringify(key);
      const t0 = performance.now();
      let result = cache.get(key);
      let means = activityCache.get(activityKey);
      let seen = images.length;
      const fromCache = !!result && !!means;
      if (!result || !means) {
        // Every channel is ranked in one pass, so choosing other units later needs no rerun.
        const acc = new TopPatchAccumulator({ k: PATCHES_PER_UNIT, radius });
        const activity = new ChannelActivity();
        for (const [i, image] of images.entries()) {
          if (run.signal?.aborted) break;
          const x = await readImage(
            image.bitmap,
            fedSize(image.bitmap.width, image.bitmap.height, inputSize, feedSize),
          );
          let a: tf.Tensor4D | undefined;
          try {
            a = tf.tidy(() => network.net.activations(x.expandDims(0) as tf.Tensor4D, [layer.name])[0]);
            if (!a) throw new Error(`The network gave no activations for ${layer.name}.`);
            await acc.add(a);
            await activity.add(a);
          } finally {
            x.dispose();
            a?.dispose();
          }
          run.onProgress?.(i + 1, images.length);
          await yieldToEventLoop();
        }
        result = acc.result();
        means = activity.values('mean');
        seen = acc.imagesSeen;
        if (!run.signal?.aborted) {
          cache.set(key, result);
          activityCache.set(activityKey, means);
        }
      }
      if (seen === 0) return null;
      const channels =
        request.channels ??
        means
          .map((value, channel) => ({ value, channel }))
          .sort((a, b) => b.value - a.value || a.channel - b.channel)
          .slice(0, UNITS_SHOWN)
          .map((c) => c.channel);
      return renderPatches(request, result, means, channels, {
        network: network.label,
        fromCache,
        ms: performance.now() - t0,
        partial: seen < images.length,
        images: seen,
      });
    },

    featureVisProblem({ network, layer, settings: s }) {
      const wasm = imageGradientProblem(backend(), 'Feature visualisation', network.net);
      if (wasm) return wasm;
      if (!layer.differentiable) {
        return (
          `TensorFlow.js has no gradient for an operation between the input and ${layer.name} in this network, ` +
          'so the image cannot be optimised for it. Choose an earlier layer.'
        );
      }
      if (!(Number.isInteger(s.channel) && s.channel >= 0 && s.channel < layer.channels)) {
        return `This layer has channels 0 to ${layer.channels - 1}; pick one of those.`;
      }
      return null;
    },

    async runFeatureVis({ network, layer, settings: s }, run) {
      const net = network.net;
      const side = network.inputSize ?? s.size;
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
          control: run.control,
          signal: run.control.signal,
          objective: (x) =>
            tf.tidy(() => {
              const l = loss(x);
              const tv = totalVariation(x);
              // loss = −activation + λ·TV, so the activation is recovered for the plot without a second pass.
              const activation = tv.mul(s.tvWeight).sub(l);
              return { loss: l, terms: tf.stack([activation, tv]) as tf.Tensor1D };
            }),
          onIteration: (info) =>
            run.onIteration?.([info.iteration, info.terms[0] ?? NaN, info.terms[1] ?? NaN, info.msPerIteration]),
          previewEvery: 4,
          onPreview: (image) => {
            void encodeBatch(image)
              .then(([bitmap]) => {
                if (!bitmap) return;
                // A preview that arrives after the final image would replace it.
                if (finished || !run.onPreview) bitmap.close();
                else run.onPreview(bitmap);
              })
              .catch(() => undefined)
              .finally(() => image.dispose());
          },
        });
        try {
          const [bitmap] = await encodeBatch(result.image);
          finished = true;
          if (!bitmap) throw new Error('The optimiser returned no image.');
          return { bitmap, stoppedBy: result.stoppedBy };
        } finally {
          result.image.dispose();
        }
      } finally {
        finished = true;
        init.dispose();
      }
    },

    runActivationPicture,
    runLayerFigure: figure.runLayerFigure,
    runSaliency: figure.runSaliency,

    startCameraActivations(video, request, on) {
      let active = true;
      let busy = false;
      const loop: CameraLoop = {
        stop() {
          active = false;
          clearInterval(timer);
          loops.delete(loop);
        },
      };
      const tick = async () => {
        if (busy || !active) return;
        const req = request();
        if (!req) return;
        busy = true;
        let frame: tf.Tensor3D | null = null;
        try {
          frame = grabFrame(video);
          const view = await runActivationPicture(req, frame);
          if (active) on.view(view);
          else view.bitmap.close();
        } catch (e) {
          if (active) {
            loop.stop();
            on.error(errorMessage(e));
          }
        } finally {
          frame?.dispose();
          busy = false;
        }
      };
      const timer = setInterval(() => void tick(), liveInterval);
      loops.add(loop);
      void tick();
      return loop;
    },

    close() {
      [...loops].forEach((l) => l.stop());
      cache.clear();
      activityCache.clear();
      figure.clear();
    },
  };
}
