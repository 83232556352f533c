// The style-transfer job: the generated image G is optimised so that a loss network sees C's
// content and S's style in it, J(G) = α·J_content(C, G) + β·Σ_l λ_l·J_style_l(S, G) + γ·J_tv(G).
// Targets (C's activation at the content layer, S's Gram matrices) are computed once per
// resolution and kept for the whole run; the loop itself is optimiseImage, shared with
// Explorer's feature visualisation.
//
// Stages, in the order they run: resize → initial image (the first preview) → the network's
// weights → targets → optimise (→ upsample → targets at full size → optimise, when coarse to fine) → keep
// the content's colours (optional).
import * as tf from '@tensorflow/tfjs';
import { preserveContentColors } from './color';
import {
  blendGrams,
  contentNormaliser,
  meanGram,
  styleNormaliser,
  totalCost,
  unpackCostTerms,
  type CostReport,
  type StyleLayerTarget,
} from './costs';
import type { ConvNetwork } from '../nets/network';
import { cropTile, planStyleStages, TileBlender, type Tile } from './tiling';
import {
  optimiseImage,
  type AbortSignalLike,
  type ImageObjective,
  type OptimiserKind,
  type PauseControl,
  type StopReason,
} from './optimise';

export type InitKind = 'noise' | 'content' | 'mix';

export interface StyleLayerWeight {
  layer: string;
  /** λ_l; the weights need not add up to 1. */
  weight: number;
}

export interface StyleSettings {
  /** Long side of G in pixels; the content image is resized to it. */
  size: number;
  /** α, weight of the content cost. */
  alpha: number;
  /** β, weight of the style cost. */
  beta: number;
  /** γ, weight of the total-variation cost. */
  tvWeight: number;
  /** Layer of the content cost; null: the network's default. */
  contentLayer: string | null;
  /** Style layers with λ_l; null: the network's defaults, λ = 1/L each. */
  styleLayers: StyleLayerWeight[] | null;
  /**
   * Divide each layer's cost by its value at zero activations (costs.ts, styleNormaliser and
   * contentNormaliser), so that α, β and λ_l mean the same for any loss network. Off gives the
   * textbook costs, whose scale depends on the network's weights.
   */
  normalise: boolean;
  /** G's start: seeded uniform noise, the content image, or a mix of both. */
  init: InitKind;
  /** For 'mix': the share of noise, G₀ = (1 − r)·C + r·noise. */
  mixRatio: number;
  /** Seed of the initial noise: the same seed and settings give the same run. */
  seed: number;
  optimiser: OptimiserKind;
  /** Adam's learning rate; for L-BFGS the RMS size of its steepest-descent steps. */
  learningRate: number;
  iterations: number;
  /**
   * Keep C's colours: G is optimised as usual, then its luminance (Y of YIQ) is recombined
   * with C's chrominance (I, Q). Done after optimising, so the reported costs are those of the
   * full-colour G; previews are recombined too.
   */
  preserveColors: boolean;
  /** Long side of the style images relative to G's: below 1 gives finer brush strokes, above coarser. */
  styleScale: number;
  /**
   * Solve at half size first, then upsample that result as the start at full size; the
   * iterations are split evenly. Half-size iterations cost about a quarter, and large structures
   * settle there. Ignored when half the size would be under MIN_STYLE_SIZE.
   */
  coarseToFine: boolean;
  /** Send a preview every this many iterations (0: only at the end of each stage). */
  previewEvery: number;
  /**
   * The largest long side optimised as one image; above it the result at this size is refined at
   * full size in overlapping tiles of this size, with the style's Gram matrices kept global
   * (tiling.ts). 0: never tile.
   */
  tileSize: number;
}

/** Smallest G: VGG's four poolings leave 1×1 activations at conv5 for 16 px. */
export const MIN_STYLE_SIZE = 16;

/**
 * Measured with random-weight VGG-19 at 64 px from the content image (CPU backend, 30
 * iterations): with β = 10 the normalised style cost fell from 2.95 to 0.41 (Adam) or 0.16
 * (L-BFGS) while α·J_content stayed near 0.13: content still legible, texture clearly taken
 * from the style. L-BFGS reached a lower J than Adam at every iteration count measured
 * (J = 0.52 vs 1.45 after 10, 0.31 vs 0.57 after 30) at one evaluation per iteration after the
 * first, hence the default; Adam remains for jitter and for a gentler, steadier animation.
 */
export const DEFAULT_STYLE_SETTINGS: Readonly<StyleSettings> = {
  size: 256,
  alpha: 1,
  beta: 10,
  tvWeight: 0.1,
  contentLayer: null,
  styleLayers: null,
  normalise: true,
  init: 'content',
  mixRatio: 0.3,
  seed: 1,
  optimiser: 'lbfgs',
  learningRate: 0.02,
  iterations: 200,
  preserveColors: false,
  styleScale: 1,
  coarseToFine: false,
  previewEvery: 10,
  tileSize: 512,
};

/** Smallest tile: small enough for a phone, large enough for conv5's receptive field to see a shape. */
export const MIN_TILE_SIZE = 64;

export interface StyleImage {
  /** [H, W, 3] in 0..1. */
  image: tf.Tensor3D;
  /** Blend weight among the style images (default 1); the target Grams are the weighted mean. */
  weight?: number;
}

/** Settings with the network's defaults filled in and every value checked. */
export interface ResolvedStyleSettings extends StyleSettings {
  contentLayer: string | null;
  styleLayers: StyleLayerWeight[];
}

export interface StyleIterationInfo extends CostReport {
  /** 1-based over the whole run (both stages of coarse to fine). */
  iteration: number;
  iterations: number;
  /** 0-based stage, and how many there are (2 with coarse to fine, else 1). */
  stage: number;
  stages: number;
  /** G's size in this stage. */
  height: number;
  width: number;
  msPerIteration: number;
  /** Cost evaluations this iteration took (L-BFGS's line search may take more than one). */
  evaluations: number;
  /** In the tiled pass: the 0-based tile and how many there are; else absent. */
  tile?: number;
  tiles?: number;
  /** Iterations the whole run will take: `iterations` unless tiled (each tile runs the last stage's share). */
  plannedIterations: number;
}

export interface StyleTransferJob {
  /** [H, W, 3] in 0..1. */
  content: tf.Tensor3D;
  styles: readonly StyleImage[];
  network: ConvNetwork;
  settings?: Partial<StyleSettings>;
  onIteration?: (info: StyleIterationInfo) => void;
  /** A copy of G [h, w, 3] in 0..1; the callee disposes it. The first is G₀ (iteration 0), at once. */
  onPreview?: (image: tf.Tensor3D, iteration: number) => void;
  signal?: AbortSignalLike;
  control?: PauseControl;
  yieldToEventLoop?: () => Promise<void>;
}

export interface StyleTransferResult {
  /** G [H, W, 3] in 0..1 at the full size; the caller disposes it. */
  image: tf.Tensor3D;
  iterations: number;
  stoppedBy: StopReason;
  /** The last iteration's costs (null when none ran). */
  report: CostReport | null;
  settings: ResolvedStyleSettings;
}

/** A failure the person can act on: out of memory, or a GPU that stopped responding. */
export class StyleTransferError extends Error {
  constructor(
    message: string,
    readonly reason: 'out-of-memory' | 'device-lost',
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StyleTransferError';
  }
}

const OUT_OF_MEMORY =
  /out of memory|\boom\b|GPUOutOfMemory|allocation failed|failed to allocate|array buffer allocation|invalid typed array length|exceeds the max|too large|greater than (the )?WebGL maximum|max(imum)? buffer size/i;
const DEVICE_LOST =
  /device (was |is )?lost|context (was |is )?lost|GPU (process )?(crashed|hung|was reset)|CONTEXT_LOST/i;

/** Turns a backend's memory or device error into advice; other errors pass through unchanged. */
export function explainStyleTransferError(err: unknown, size: number): unknown {
  if (err instanceof StyleTransferError) return err;
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const smaller = Math.max(MIN_STYLE_SIZE, Math.round(size / 2 / 8) * 8);
  if (OUT_OF_MEMORY.test(text)) {
    return new StyleTransferError(
      `Style transfer ran out of memory at ${size} px. Lower the image size (try ${smaller} px), ` +
        'use fewer or shallower style layers, or close other tabs that use the GPU.',
      'out-of-memory',
      { cause: err },
    );
  }
  if (DEVICE_LOST.test(text)) {
    return new StyleTransferError(
      `The GPU stopped responding during style transfer at ${size} px. Reload the page and lower the image ` +
        `size (try ${smaller} px).`,
      'device-lost',
      { cause: err },
    );
  }
  return err;
}

/** Fills in the network's default layers and checks every setting. */
export function resolveStyleSettings(
  settings: Partial<StyleSettings> | undefined,
  network: ConvNetwork,
): ResolvedStyleSettings {
  const s = { ...DEFAULT_STYLE_SETTINGS, ...settings };
  const known = new Set(network.layers.map((l) => l.name));
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(message);
  };
  check(Number.isInteger(s.size) && s.size >= MIN_STYLE_SIZE, `size must be a whole number ≥ ${MIN_STYLE_SIZE} px.`);
  for (const [name, v] of [
    ['alpha', s.alpha],
    ['beta', s.beta],
    ['tvWeight', s.tvWeight],
  ] as const) {
    check(Number.isFinite(v) && v >= 0, `${name} must be a number ≥ 0; got ${v}.`);
  }
  check(s.mixRatio >= 0 && s.mixRatio <= 1, `mixRatio must lie in 0..1; got ${s.mixRatio}.`);
  check(s.styleScale > 0 && Number.isFinite(s.styleScale), `styleScale must be positive; got ${s.styleScale}.`);
  check(Number.isInteger(s.iterations) && s.iterations >= 0, `iterations must be a whole number ≥ 0.`);
  check(
    s.tileSize === 0 || (Number.isInteger(s.tileSize) && s.tileSize >= MIN_TILE_SIZE),
    `tileSize must be 0 (no tiles) or a whole number ≥ ${MIN_TILE_SIZE} px; got ${s.tileSize}.`,
  );
  const contentLayer = s.contentLayer ?? network.defaults.content;
  check(known.has(contentLayer), `"${contentLayer}" is not a layer of ${network.label}.`);
  const defaults = network.defaults.style;
  const styleLayers = s.styleLayers ?? defaults.map((layer) => ({ layer, weight: 1 / defaults.length }));
  check(styleLayers.length > 0, 'Pick at least one style layer.');
  for (const { layer, weight } of styleLayers) {
    check(known.has(layer), `"${layer}" is not a layer of ${network.label}.`);
    check(Number.isFinite(weight) && weight >= 0, `The weight of style layer ${layer} must be ≥ 0.`);
  }
  return { ...s, contentLayer, styleLayers: styleLayers.map((l) => ({ ...l })) };
}

/** [height, width] with the long side `longSide`, keeping the aspect ratio. */
export function sizeForLongSide(height: number, width: number, longSide: number): [number, number] {
  const scale = longSide / Math.max(height, width);
  return [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
}

/** Resizes [H, W, 3] to [h, w, 3]; halves by 2×2 averaging first while far too big, as bilinear alone aliases. */
export function resizeImage(image: tf.Tensor3D, height: number, width: number): tf.Tensor3D {
  return tf.tidy(() => {
    let x = image.expandDims(0) as tf.Tensor4D;
    while (x.shape[1] >= 2 * height && x.shape[2] >= 2 * width) x = tf.avgPool(x, 2, 2, 'valid');
    if (x.shape[1] !== height || x.shape[2] !== width) x = tf.image.resizeBilinear(x, [height, width], false, true);
    return x.squeeze([0]) as tf.Tensor3D;
  });
}

/** G₀ for the given content image [1, H, W, 3]: seeded noise, the content, or a mix. */
export function initialImage(content: tf.Tensor4D, init: InitKind, mixRatio: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (init === 'content') return content.clone();
    const noise = tf.randomUniform(content.shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    if (init === 'noise') return noise;
    return content.mul(1 - mixRatio).add(noise.mul(mixRatio)) as tf.Tensor4D;
  });
}

/** What the costs compare G with, computed once per resolution. */
export interface StyleTargets {
  contentLayer: string | null;
  /** C's activation at the content layer, and its normaliser (1 when not normalising). */
  content: tf.Tensor4D | null;
  contentScale: tf.Scalar | null;
  styleLayers: string[];
  /** Blended mean Grams with λ_l and normalisers, in the order of styleLayers. */
  style: StyleLayerTarget[];
  dispose(): void;
}

/**
 * Runs C and each style image through the network once: C's activation at the content layer,
 * and per style layer the blend weights' mean of the style images' Grams.
 */
export function prepareStyleTargets(
  network: ConvNetwork,
  content: tf.Tensor4D | null,
  styles: readonly { image: tf.Tensor4D; weight: number }[],
  layers: { contentLayer: string | null; styleLayers: readonly StyleLayerWeight[] },
  normalise: boolean,
): StyleTargets {
  if (styles.length === 0) throw new RangeError('Style transfer needs at least one style image.');
  const names = layers.styleLayers.map((l) => l.layer);
  const kept: tf.Tensor[] = [];
  try {
    let contentTarget: tf.Tensor4D | null = null;
    let contentScale: tf.Scalar | null = null;
    if (content && layers.contentLayer) {
      const [a] = network.activations(content, [layers.contentLayer]);
      contentTarget = a as tf.Tensor4D;
      kept.push(contentTarget);
      contentScale = normalise ? contentNormaliser(contentTarget) : tf.scalar(1);
      kept.push(contentScale);
    }
    // Grams per style image, then one blend per layer; activations are freed image by image.
    const perImage: tf.Tensor2D[][] = [];
    try {
      for (const s of styles) {
        perImage.push(
          tf.tidy(() => {
            const acts = network.activations(s.image, names);
            return acts.map((a) => meanGram(a));
          }),
        );
      }
      const weights = styles.map((s) => s.weight);
      const style = names.map((_, l) => {
        const gram = blendGrams(
          perImage.map((g) => g[l] as tf.Tensor2D),
          weights,
        );
        kept.push(gram);
        const scale = normalise ? styleNormaliser(gram) : tf.scalar(1);
        kept.push(scale);
        return { gram, weight: (layers.styleLayers[l] as StyleLayerWeight).weight, scale };
      });
      return {
        contentLayer: contentTarget ? layers.contentLayer : null,
        content: contentTarget,
        contentScale,
        styleLayers: names,
        style,
        dispose: () => tf.dispose(kept),
      };
    } finally {
      tf.dispose(perImage.flat());
    }
  } catch (err) {
    tf.dispose(kept);
    throw err;
  }
}

/** J(G) for optimiseImage: one pass of G through the network for all layers; terms as in totalCost. */
export function createStyleObjective(
  network: ConvNetwork,
  targets: StyleTargets,
  weights: { alpha: number; beta: number; tvWeight: number },
): ImageObjective {
  const useContent = targets.content !== null && targets.contentLayer !== null && weights.alpha !== 0;
  const wanted = [...(useContent ? [targets.contentLayer as string] : []), ...targets.styleLayers];
  // A layer asked for twice (content layer also a style layer) is computed once.
  const unique = [...new Set(wanted)];
  const index = (name: string) => unique.indexOf(name);
  return (x) =>
    tf.tidy(() => {
      const acts = network.activations(x, unique);
      return totalCost({
        image: x,
        contentActivation: useContent ? (acts[index(targets.contentLayer as string)] as tf.Tensor4D) : null,
        contentTarget: useContent ? targets.content : null,
        contentScale: targets.contentScale ?? 1,
        styleActivations: targets.styleLayers.map((l) => acts[index(l)] as tf.Tensor4D),
        styleTargets: targets.style,
        alpha: weights.alpha,
        beta: weights.beta,
        tvWeight: weights.tvWeight,
      });
    });
}

/** Runs a style-transfer job to the end (or until stopped: not an error). */
export async function runStyleTransfer(job: StyleTransferJob): Promise<StyleTransferResult> {
  const s = resolveStyleSettings(job.settings, job.network);
  if (job.content.rank !== 3 || job.content.shape[2] !== 3) {
    throw new RangeError(`The content image must be [H, W, 3]; got [${job.content.shape}].`);
  }
  if (job.styles.length === 0) throw new RangeError('Style transfer needs at least one style image.');
  for (const st of job.styles) {
    if (st.image.rank !== 3 || st.image.shape[2] !== 3) {
      throw new RangeError(`Each style image must be [H, W, 3]; got [${st.image.shape}].`);
    }
  }
  try {
    return await transfer(job, s);
  } catch (err) {
    throw explainStyleTransferError(err, s.size);
  }
}

/** Iterations per stage: an even split, the remainder to the last stage. */
export function splitIterations(iterations: number, stages: number): number[] {
  const each = Math.floor(iterations / stages);
  return Array.from({ length: stages }, (_, i) => (i === stages - 1 ? iterations - each * (stages - 1) : each));
}

/** The style images resized for a stage whose G has long side `long`. */
function resizedStyles(job: StyleTransferJob, long: number, owned: tf.Tensor[]) {
  return job.styles.map((st) => {
    const [sh, sw] = sizeForLongSide(st.image.shape[0], st.image.shape[1], Math.max(MIN_STYLE_SIZE, long));
    const image = tf.tidy(() => resizeImage(st.image, sh, sw).expandDims(0) as tf.Tensor4D);
    owned.push(image);
    return { image, weight: st.weight ?? 1 };
  });
}

async function transfer(job: StyleTransferJob, s: ResolvedStyleSettings): Promise<StyleTransferResult> {
  const [ch, cw] = job.content.shape;
  const full = sizeForLongSide(ch, cw, s.size);
  const plan = planStyleStages(ch, cw, s.size, {
    tile: s.tileSize,
    coarseToFine: s.coarseToFine,
    minSize: MIN_STYLE_SIZE,
  });
  const stages = plan.whole.map((long) => sizeForLongSide(ch, cw, long));
  const stageCount = stages.length + (plan.tiled ? 1 : 0);
  const stageIterations = splitIterations(s.iterations, stageCount);
  const tileCount = plan.tiled?.tiles.length ?? 0;
  const plannedIterations = plan.tiled
    ? stageIterations.slice(0, -1).reduce((a, b) => a + b, 0) + tileCount * (stageIterations[stageCount - 1] as number)
    : s.iterations;
  const layerCount = s.styleLayers.length;
  const layerNames = [...(s.contentLayer ? [s.contentLayer] : []), ...s.styleLayers.map((l) => l.layer)];

  let g: tf.Tensor4D | null = null;
  let done = 0;
  let report: CostReport | null = null;
  let stoppedBy: StopReason = 'done';

  /** One optimiseImage run of `init` against `targets`, reporting as stage `stage` (and tile). */
  const optimiseStage = async (
    init: tf.Tensor4D,
    targets: StyleTargets,
    iterations: number,
    stage: number,
    place: { height: number; width: number; tile?: number },
    preview: ((image: tf.Tensor4D, iteration: number) => void) | undefined,
  ) =>
    optimiseImage({
      init,
      objective: createStyleObjective(job.network, targets, s),
      optimiser: s.optimiser,
      learningRate: s.learningRate,
      iterations,
      clip: [0, 1],
      firstIteration: done,
      signal: job.signal,
      control: job.control,
      yieldToEventLoop: job.yieldToEventLoop,
      previewEvery: preview ? s.previewEvery || Number.MAX_SAFE_INTEGER : 0,
      onPreview: preview,
      onIteration: job.onIteration
        ? (info) =>
            job.onIteration?.({
              ...unpackCostTerms(info.terms, layerCount),
              iteration: info.iteration,
              iterations: s.iterations,
              plannedIterations,
              stage,
              stages: stageCount,
              height: place.height,
              width: place.width,
              msPerIteration: info.msPerIteration,
              evaluations: info.evaluations,
              ...(place.tile !== undefined ? { tile: place.tile, tiles: tileCount } : {}),
            })
        : undefined,
    });

  try {
    for (let stage = 0; stage < stages.length; stage++) {
      const [h, w] = stages[stage] as [number, number];
      const owned: tf.Tensor[] = [];
      let targets: StyleTargets | null = null;
      try {
        const content3 = resizeImage(job.content, h, w);
        owned.push(content3);
        const content = content3.expandDims(0) as tf.Tensor4D;
        owned.push(content);
        const styles = resizedStyles(job, Math.round(Math.max(h, w) * s.styleScale), owned);
        let start: tf.Tensor4D;
        if (g) {
          const previous: tf.Tensor4D = g;
          start = tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(previous, [h, w], false, true), 0, 1));
        } else {
          start = initialImage(content, s.init, s.mixRatio, s.seed);
          // The first preview is G₀ itself, before any program of the loss network has run.
          job.onPreview?.(finishImage(start, s.preserveColors ? content3 : null), done);
        }
        owned.push(start);

        // The network's weights made and moved to the GPU a layer at a time, so the page keeps painting.
        await job.network.prepare?.(layerNames);
        targets = prepareStyleTargets(job.network, content, styles, s, s.normalise);
        tf.dispose(styles.map((st) => st.image));

        const result = await optimiseStage(
          start,
          targets,
          stageIterations[stage] as number,
          stage,
          { height: h, width: w },
          job.onPreview
            ? (image, iteration) => {
                const out = finishImage(image, s.preserveColors ? content3 : null);
                image.dispose();
                job.onPreview?.(out, iteration);
              }
            : undefined,
        );
        done += result.iterations;
        if (result.terms.length > 0) report = unpackCostTerms(result.terms, layerCount);
        if (g) g.dispose();
        g = result.image;
        if (result.stoppedBy !== 'done' && stage < stageCount - 1) {
          // Stopped (or converged) before the last stage: hand back the result at full size.
          const coarse: tf.Tensor4D = g;
          g = tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(coarse, full, false, true), 0, 1));
          coarse.dispose();
        }
        if (result.stoppedBy === 'stopped') {
          stoppedBy = 'stopped';
          break;
        }
        if (result.stoppedBy === 'converged') stoppedBy = 'converged';
      } finally {
        targets?.dispose();
        tf.dispose(owned);
      }
    }
    if (plan.tiled && stoppedBy !== 'stopped' && g) {
      const tiled = await tiledPass(g, plan.tiled.tiles, stageIterations[stageCount - 1] as number, stageCount - 1);
      g.dispose();
      g = tiled.image;
      if (tiled.report) report = tiled.report;
      if (tiled.stopped) stoppedBy = 'stopped';
    }
    const final = g as tf.Tensor4D;
    let image: tf.Tensor3D;
    if (s.preserveColors) {
      const content = resizeImage(job.content, full[0], full[1]);
      try {
        image = finishImage(final, content);
      } finally {
        content.dispose();
      }
    } else {
      image = finishImage(final, null);
    }
    return { image, iterations: done, stoppedBy, report, settings: s };
  } finally {
    if (g) (g as tf.Tensor).dispose();
  }

  /**
   * The last stage above the size limit: G upsampled to full size and refined tile by tile. The
   * style targets (S's Grams at most the tile's size) are computed once, before the first tile;
   * each tile has its own content target. Tiles all start from the same upsampled G and are
   * blended at the end, so the order they run in does not show.
   */
  async function tiledPass(
    coarse: tf.Tensor4D,
    tiles: readonly Tile[],
    iterations: number,
    stage: number,
  ): Promise<{ image: tf.Tensor4D; report: CostReport | null; stopped: boolean }> {
    const [h, w] = full;
    const owned: tf.Tensor[] = [];
    let style: StyleTargets | null = null;
    try {
      const content3 = resizeImage(job.content, h, w);
      owned.push(content3);
      const content = content3.expandDims(0) as tf.Tensor4D;
      owned.push(content);
      const start = tf.tidy(() => tf.clipByValue(tf.image.resizeBilinear(coarse, [h, w], false, true), 0, 1));
      owned.push(start);
      const startPixels = await start.data();
      const styles = resizedStyles(job, Math.min(Math.round(Math.max(h, w) * s.styleScale), s.tileSize), owned);
      style = prepareStyleTargets(
        job.network,
        null,
        styles,
        { contentLayer: null, styleLayers: s.styleLayers },
        s.normalise,
      );
      const blender = new TileBlender(h, w, 3, tiles);
      let tileReport: CostReport | null = null;
      const picture = () =>
        tf.tidy(() => {
          const now = tf.tensor4d(blender.result(startPixels), [1, h, w, 3]);
          return finishImage(now, s.preserveColors ? content3 : null);
        });
      for (let i = 0; i < tiles.length; i++) {
        const tile = tiles[i] as Tile;
        const init = cropTile(start, tile);
        const contentTile = cropTile(content, tile);
        let contentTarget: tf.Tensor4D | null = null;
        let contentScale: tf.Scalar | null = null;
        try {
          if (s.contentLayer) {
            contentTarget = job.network.activations(contentTile, [s.contentLayer])[0] as tf.Tensor4D;
            contentScale = s.normalise ? contentNormaliser(contentTarget) : tf.scalar(1);
          }
          const targets: StyleTargets = {
            ...style,
            contentLayer: contentTarget ? s.contentLayer : null,
            content: contentTarget,
            contentScale,
            dispose: () => {},
          };
          const result = await optimiseStage(
            init,
            targets,
            iterations,
            stage,
            {
              height: tile.height,
              width: tile.width,
              tile: i,
            },
            undefined,
          );
          done += result.iterations;
          if (result.terms.length > 0) tileReport = unpackCostTerms(result.terms, layerCount);
          blender.add(tile, await result.image.data());
          result.image.dispose();
          if (result.stoppedBy === 'stopped') {
            // What is done so far, the rest from the upsampled start.
            return { image: tf.tensor4d(blender.result(startPixels), [1, h, w, 3]), report: tileReport, stopped: true };
          }
          job.onPreview?.(picture(), done);
        } finally {
          tf.dispose([
            init,
            contentTile,
            ...(contentTarget ? [contentTarget] : []),
            ...(contentScale ? [contentScale] : []),
          ]);
        }
      }
      return { image: tf.tensor4d(blender.result(), [1, h, w, 3]), report: tileReport, stopped: false };
    } finally {
      style?.dispose();
      tf.dispose(owned);
    }
  }
}

/** G [1, h, w, 3] → [h, w, 3], with C's colours when given C [h, w, 3]. */
function finishImage(g: tf.Tensor4D, content: tf.Tensor3D | null): tf.Tensor3D {
  return tf.tidy(() => {
    const image = g.squeeze([0]) as tf.Tensor3D;
    return content ? preserveContentColors(image, content) : image.clone();
  });
}
