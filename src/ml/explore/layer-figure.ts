// The course's "what are deep convnets learning?" figure as one job: five layers, shallow to deep,
// ranked over the patch pool in a single pass (one forward run per batch gives every layer's
// activations), each layer's nine most active units with their nine top patches; and, for one
// patch, which of its pixels drive the unit (a saliency map: integrated gradients of the unit's
// activation with respect to the input, from a black picture).
import * as tf from '@tensorflow/tfjs';
import { unitToInputRect, overlapRadius, type PixelRect } from '../nets/geometry';
import { imageGradientProblem } from '../runtime/gradients';
import { yieldToEventLoop } from '../runtime/run-control';
import { LruCache, imageSetFingerprint } from './cache';
import type { ExploreLayer, ExploreNetwork, ExploreNetworkId } from './networks';
import { cropPatches, patchesForHits } from './patches';
import { ChannelActivity, TopPatchAccumulator, type ChannelTopPatches } from './top-patches';
import {
  fedSize,
  PATCHES_PER_UNIT,
  UNITS_SHOWN,
  type ExploreImage,
  type FigureLayer,
  type FigureResult,
  type SaliencyView,
  type UnitPatches,
} from './views';

export type ReadImage = (
  bitmap: ImageBitmap,
  size?: { width: number; height: number },
  crop?: PixelRect,
) => Promise<tf.Tensor3D>;
export type EncodePicture = (picture: tf.Tensor3D | tf.Tensor2D) => Promise<ImageBitmap>;

export const FIGURE_LAYERS = 5;
/** Pool images run through the network together. */
const BATCH = 4;
/** Patches are cut from the pool image read at this many times the fed size, so they stay sharp. */
const RENDER_SCALE = 2;
const MAX_PATCH_SIDE = 112;
const SALIENCY_SIDE = 128;
/** Steps from grey to the picture for integrated gradients, run as one batch. */
const SALIENCY_STEPS = 8;

/** The course's five stages where a network has them by name (stage ends, as in the figure). */
const NAMED_FIGURE_LAYERS: Partial<Record<ExploreNetworkId, readonly string[]>> = {
  'vgg19-random': ['conv1_2', 'conv2_2', 'conv3_4', 'conv4_4', 'conv5_4'],
  resnet50: ['conv1', 'res2c', 'res3d', 'res4f', 'res5c'],
};

/**
 * Five layers from shallow to deep whose receptive fields strictly grow: the named stages where
 * the network has them, otherwise evenly spaced through the layers gradients reach (saliency
 * needs them), output heads left out.
 */
export function figureLayers(id: ExploreNetworkId, layers: readonly ExploreLayer[], count = FIGURE_LAYERS) {
  const named = NAMED_FIGURE_LAYERS[id]?.map((n) => layers.find((l) => l.name === n));
  if (named && named.every((l) => !!l)) return named as ExploreLayer[];
  const candidates: ExploreLayer[] = [];
  for (const l of layers.filter((l) => l.differentiable)) {
    const last = candidates[candidates.length - 1];
    if (!last || l.rf.size > last.rf.size) candidates.push(l);
  }
  if (candidates.length <= count) return candidates;
  return Array.from({ length: count }, (_, i) => candidates[Math.round((i * (candidates.length - 1)) / (count - 1))]!);
}

/** Side of a layer's patch bitmaps: its field at the render scale, within bounds. */
export function figurePatchSide(rfSize: number): number {
  return Math.max(8, Math.min(MAX_PATCH_SIDE, Math.round(rfSize * RENDER_SCALE)));
}

export interface FigureRequest {
  network: ExploreNetwork;
  layers: readonly ExploreLayer[];
  /** The patch pool (buildPool): square crops, so every image is fed at one size. */
  images: readonly ExploreImage[];
  /** Side the style networks see each crop at; face networks use their input size. */
  feedSize: number;
}

export interface SaliencyRequest {
  network: ExploreNetwork;
  layer: ExploreLayer;
  image: ExploreImage;
  channel: number;
  row: number;
  col: number;
  feedSize: number;
}

interface Ranked {
  perLayer: ChannelTopPatches[][];
  means: number[][];
}

export interface FigureJobs {
  runLayerFigure(
    request: FigureRequest,
    run?: { signal?: AbortSignal; onProgress?(done: number, total: number): void },
  ): Promise<FigureResult | null>;
  runSaliency(request: SaliencyRequest): Promise<SaliencyView>;
  clear(): void;
}

const sizeOf = (image: ExploreImage) => image.crop ?? { width: image.bitmap.width, height: image.bitmap.height };

/** Each image of a batch [n, h, w, 3] as a bitmap; clipped, since toPixels refuses floats outside 0..1. */
export async function encodeBatch(batch: tf.Tensor4D, encode: EncodePicture): Promise<ImageBitmap[]> {
  const out: ImageBitmap[] = [];
  try {
    for (let i = 0; i < batch.shape[0]; i++) {
      const one = tf.tidy(() => batch.slice(i, 1).squeeze([0]).clipByValue(0, 1) as tf.Tensor3D);
      try {
        out.push(await encode(one));
      } finally {
        one.dispose();
      }
    }
  } catch (e) {
    out.forEach((b) => b.close());
    throw e;
  }
  return out;
}

export function createFigureJobs(deps: {
  readImage: ReadImage;
  encode: EncodePicture;
  /** The tfjs backend in use (wasm lacks some convolution gradients). */
  backend?(): string;
}): FigureJobs {
  const { readImage, encode } = deps;
  const cache = new LruCache<string, Ranked>({ maxEntries: 8 });

  const fed = (image: ExploreImage, network: ExploreNetwork, feedSize: number, scale = 1) => {
    const { width, height } = sizeOf(image);
    const s = fedSize(width, height, network.inputSize, feedSize);
    return { width: s.width * scale, height: s.height * scale };
  };
  const read = (image: ExploreImage, size: { width: number; height: number }) =>
    readImage(image.bitmap, size, image.crop);

  async function rank(request: FigureRequest, run: Parameters<FigureJobs['runLayerFigure']>[1] = {}) {
    const { network, layers, images, feedSize } = request;
    const names = layers.map((l) => l.name);
    const accs = layers.map((l) => new TopPatchAccumulator({ k: PATCHES_PER_UNIT, radius: overlapRadius(l.rf) }));
    const activity = layers.map(() => new ChannelActivity());
    let done = 0;
    while (done < images.length && !run.signal?.aborted) {
      // A batch holds consecutive images fed at one size (the pool's crops all are).
      const first = fed(images[done]!, network, feedSize);
      let end = done + 1;
      while (end < images.length && end - done < BATCH) {
        const next = fed(images[end]!, network, feedSize);
        if (next.width !== first.width || next.height !== first.height) break;
        end++;
      }
      const pixels: tf.Tensor3D[] = [];
      let maps: tf.Tensor4D[] = [];
      try {
        for (const image of images.slice(done, end)) pixels.push(await read(image, first));
        maps = tf.tidy(() => network.net.activations(tf.stack(pixels) as tf.Tensor4D, names));
        for (const [i, a] of maps.entries()) {
          await accs[i]!.add(a);
          await activity[i]!.add(a);
        }
      } finally {
        tf.dispose([...pixels, ...maps]);
      }
      done = end;
      run.onProgress?.(done, images.length);
      await yieldToEventLoop();
    }
    return {
      ranked: { perLayer: accs.map((a) => a.result()), means: activity.map((a) => a.values('mean')) },
      seen: accs[0]?.imagesSeen ?? 0,
    };
  }

  async function renderLayer(
    request: FigureRequest,
    layer: ExploreLayer,
    result: ChannelTopPatches[],
    means: number[],
  ): Promise<FigureLayer> {
    const { network, images, feedSize } = request;
    const patchSide = figurePatchSide(layer.rf.size);
    const channels = means
      .map((value, channel) => ({ value, channel }))
      .sort((a, b) => b.value - a.value || a.channel - b.channel)
      .slice(0, UNITS_SHOWN)
      .map((c) => c.channel);
    const units: UnitPatches[] = [];
    try {
      for (const channel of channels) {
        const hits = (result.find((r) => r.channel === channel)?.hits ?? []).filter((h) => images[h.image]);
        // Each unit reads only its own nine images, so a layer never holds the whole pool at once.
        const sources = new Map<number, tf.Tensor3D>();
        let bitmaps: ImageBitmap[];
        try {
          for (const h of hits) {
            if (sources.has(h.image)) continue;
            const image = images[h.image]!;
            sources.set(h.image, await read(image, fed(image, network, feedSize, RENDER_SCALE)));
          }
          const inputSize = fed(images[hits[0]?.image ?? 0]!, network, feedSize);
          const crops = patchesForHits(sources, hits, layer.rf, { size: patchSide, inputSize });
          try {
            bitmaps = await encodeBatch(crops, encode);
          } finally {
            crops.dispose();
          }
        } finally {
          tf.dispose([...sources.values()]);
        }
        units.push({
          channel,
          mean: means[channel] ?? NaN,
          patches: hits.map((h, j) => ({
            bitmap: bitmaps[j]!,
            value: h.value,
            imageName: images[h.image]?.name ?? `image ${h.image + 1}`,
            row: h.row,
            col: h.col,
            source: h.image,
          })),
        });
      }
      const classes = await network.classHints?.(layer.name, channels);
      if (classes) units.forEach((u, i) => (u.classes = classes[i] ?? []));
    } catch (e) {
      units.forEach((u) => u.patches.forEach((p) => p.bitmap.close()));
      throw e;
    }
    return { layer: layer.name, rf: layer.rf, patchSide, units };
  }

  return {
    async runLayerFigure(request, run = {}) {
      const { network, layers, images, feedSize } = request;
      if (layers.length === 0 || images.length === 0) return null;
      const t0 = performance.now();
      const fedSide = network.inputSize ?? feedSize;
      const key = JSON.stringify([
        network.net.id,
        layers.map((l) => l.name),
        imageSetFingerprint(images.map((i) => i.descriptor)),
        `k=${PATCHES_PER_UNIT} fed=${network.inputSize === null ? `long${feedSize}` : `square${fedSide}`}`,
      ]);
      let ranked = cache.get(key);
      const fromCache = !!ranked;
      let seen = images.length;
      if (!ranked) {
        const out = await rank(request, run);
        ranked = out.ranked;
        seen = out.seen;
        if (seen === images.length) cache.set(key, ranked);
      }
      if (seen === 0) return null;
      const out: FigureLayer[] = [];
      try {
        for (const [i, layer] of layers.entries()) {
          out.push(await renderLayer(request, layer, ranked.perLayer[i] ?? [], ranked.means[i] ?? []));
        }
      } catch (e) {
        out.forEach((l) => l.units.forEach((u) => u.patches.forEach((p) => p.bitmap.close())));
        throw e;
      }
      return {
        network: network.label,
        fedSide,
        layers: out,
        images: seen,
        fromCache,
        ms: performance.now() - t0,
        partial: seen < images.length,
      };
    },

    async runSaliency({ network, layer, image, channel, row, col, feedSize }) {
      if (!layer.differentiable) {
        throw new Error(
          `TensorFlow.js has no gradient for an operation between the input and ${layer.name}, so it cannot show ` +
            'which pixels drive this unit. Pick a patch of another layer.',
        );
      }
      try {
        return await saliency({ network, layer, image, channel, row, col, feedSize });
      } catch (e) {
        // wasm has no gradient for depthwise convolutions (FaceRes, BlazeFace, FaceMesh): say what to do.
        const problem =
          deps.backend?.() === 'wasm'
            ? imageGradientProblem('wasm', 'This saliency map', { layers: [], depthwise: true })
            : null;
        throw problem ? new Error(problem) : e;
      }
    },

    clear() {
      cache.clear();
    },
  };

  async function saliency({
    network,
    layer,
    image,
    channel,
    row,
    col,
    feedSize,
  }: SaliencyRequest): Promise<SaliencyView> {
    const t0 = performance.now();
    const x = await read(image, fed(image, network, feedSize));
    const { unclipped } = unitToInputRect(layer.rf, row, col, 0, 0);
    let value: number;
    let inside: number;
    const pictures: tf.Tensor3D[] = [];
    try {
      const [valueT, insideT, patch, heat, overlay] = tf.tidy(() => {
        const batch = x.expandDims(0) as tf.Tensor4D;
        const unit = (input: tf.Tensor4D) => {
          const [a] = network.net.activations(input, [layer.name]);
          if (!a) throw new Error(`The network gave no activations for ${layer.name}.`);
          return a.slice([0, row, col, channel], [-1, 1, 1, 1]).sum() as tf.Scalar;
        };
        const v = unit(batch);
        // Integrated gradients: the gradient averaged along the way from a black picture to this one,
        // times the pixel. A top patch often saturates its unit (FaceRes's ReLU6 sits at 6), where
        // the plain gradient is zero; part of the way there the unit still responds to its pixels.
        const alphas = tf.linspace(1 / SALIENCY_STEPS, 1, SALIENCY_STEPS).reshape([SALIENCY_STEPS, 1, 1, 1]);
        const path = batch.mul(alphas) as tf.Tensor4D;
        const grad = tf.grad((input: tf.Tensor) => unit(input as tf.Tensor4D))(path);
        const attribution = grad.mean(0, true).mul(batch);
        // How strongly each pixel (any of its colours) drives the unit.
        const size = attribution.abs().max(3, true) as tf.Tensor4D; // [1, H, W, 1]
        const total = size.sum();
        const inField = cropPatches(size, [{ image: 0, rect: unclipped }], { size: SALIENCY_SIDE, fill: 0 });
        const [h, w] = x.shape;
        const clippedSum = size
          .slice(
            [0, Math.max(0, unclipped.top), Math.max(0, unclipped.left), 0],
            [
              1,
              Math.max(0, Math.min(h, unclipped.top + unclipped.height) - Math.max(0, unclipped.top)),
              Math.max(0, Math.min(w, unclipped.left + unclipped.width) - Math.max(0, unclipped.left)),
              1,
            ],
          )
          .sum();
        const map = inField.div(inField.max().add(1e-12)).squeeze([0]) as tf.Tensor3D; // [S, S, 1], 0..1
        const pixels = cropPatches(batch, [{ image: 0, rect: unclipped }], { size: SALIENCY_SIDE })
          .squeeze([0])
          .clipByValue(0, 1) as tf.Tensor3D;
        // A hot scale: black → red → yellow → white as the gradient grows.
        const colour = tf.concat(
          [map.mul(3).clipByValue(0, 1), map.mul(3).sub(1).clipByValue(0, 1), map.mul(3).sub(2).clipByValue(0, 1)],
          2,
        ) as tf.Tensor3D;
        const alpha = map.sqrt();
        const shade = pixels.mean(2, true).mul(0.6).add(0.2);
        const blend = shade.mul(tf.scalar(1).sub(alpha)).add(colour.mul(alpha)).clipByValue(0, 1) as tf.Tensor3D;
        return [v, clippedSum.div(total.add(1e-12)), pixels, colour, blend] as const;
      });
      pictures.push(valueT as unknown as tf.Tensor3D, insideT as unknown as tf.Tensor3D, patch, heat, overlay);
      [value, inside] = await Promise.all([valueT.data(), insideT.data()]).then(([a, b]) => [a[0]!, b[0]!]);
      const bitmaps: ImageBitmap[] = [];
      try {
        for (const p of [patch, heat, overlay]) bitmaps.push(await encode(p));
      } catch (e) {
        bitmaps.forEach((b) => b.close());
        throw e;
      }
      return {
        layer: layer.name,
        channel,
        row,
        col,
        rf: layer.rf,
        value,
        patch: bitmaps[0]!,
        map: bitmaps[1]!,
        overlay: bitmaps[2]!,
        inside,
        ms: performance.now() - t0,
      };
    } finally {
      x.dispose();
      tf.dispose(pictures);
    }
  }
}
