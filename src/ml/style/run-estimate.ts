// What a run will take, shown before Start: its stages and tiles, the memory its largest pass
// needs, and its time from the pace of the last run on this network and backend. No tfjs here,
// so the store and the page can call it.
//
// Memory: during a pass the loss network keeps every activation up to the deepest layer asked
// for, for the backward pass, and the backward pass makes a gradient of each; with the op's own
// temporaries that is about three floats per activation value. The layers' channels and strides
// give the values per input pixel; the largest pass (the whole image at the size limit, or one
// tile) sets the peak. Weights are not counted (VGG-19's are 80 MB, ResNet-50's 100 MB).
import type { LayerInfo } from '../nets/network';
import type { LossNetworkId } from './networks';
import { planStyleStages } from './tiling';
import { MIN_STYLE_SIZE, sizeForLongSide, splitIterations, type StyleSettings } from './transfer';

export interface RunEstimate {
  /** Whole-image stages, smallest first. */
  stages: { width: number; height: number; iterations: number }[];
  /** The tiled pass at full size, or null. */
  tiled: { width: number; height: number; tiles: number; tileSize: number; iterationsPerTile: number } | null;
  /** Iterations in all (each tile counts its own). */
  iterations: number;
  /** Bytes the largest pass needs for activations and their gradients. */
  peakBytes: number;
  /** Milliseconds, from the pace given; null without one. */
  ms: number | null;
}

const FLOATS_PER_VALUE = 3;

/** Activation values per input pixel up to the deepest of `wanted`: Σ channels / (stride product)². */
export function valuesPerPixel(layers: readonly LayerInfo[], wanted: readonly string[]): number {
  const deepest = Math.max(-1, ...wanted.map((w) => layers.findIndex((l) => l.name === w)));
  let sum = 0;
  for (let i = 0; i <= deepest; i++) {
    const layer = layers[i] as LayerInfo;
    const stride = layer.path.reduce((p, g) => p * g.stride, 1);
    sum += layer.channels / (stride * stride);
  }
  return sum;
}

/**
 * Activation values per input pixel of the built-in networks up to their default layers, counted
 * from their architectures with every intermediate (batch norm, ReLU, pooling) included, which the
 * pickable layers alone leave out: VGG-19 to conv5_1 ≈ 320; ResNet-50 to res5c ≈ 400 (its 16
 * bottleneck blocks, each three convolutions with batch norm, at strides 4 to 32).
 */
export const BUILT_IN_VALUES_PER_PIXEL: Record<'vgg19-random' | 'resnet50', number> = {
  'vgg19-random': 320,
  resnet50: 400,
};

/**
 * The plan and costs of a run on a content image of [height, width]. `msPerPixel` is the time of
 * one iteration per pixel of G, measured on an earlier run (null: no estimate of time).
 */
export function estimateStyleRun(
  content: { height: number; width: number },
  settings: Pick<StyleSettings, 'size' | 'iterations' | 'tileSize' | 'coarseToFine'>,
  activationValuesPerPixel: number,
  msPerPixel: number | null,
): RunEstimate {
  const plan = planStyleStages(content.height, content.width, settings.size, {
    tile: settings.tileSize,
    coarseToFine: settings.coarseToFine,
    minSize: MIN_STYLE_SIZE,
  });
  const split = splitIterations(settings.iterations, plan.whole.length + (plan.tiled ? 1 : 0));
  const stages = plan.whole.map((long, i) => {
    const [height, width] = sizeForLongSide(content.height, content.width, long);
    return { width, height, iterations: split[i] as number };
  });
  let tiled: RunEstimate['tiled'] = null;
  if (plan.tiled) {
    const [height, width] = sizeForLongSide(content.height, content.width, plan.tiled.longSide);
    tiled = {
      width,
      height,
      tiles: plan.tiled.tiles.length,
      tileSize: plan.tiled.tile,
      iterationsPerTile: split[split.length - 1] as number,
    };
  }
  const passes = [
    ...stages.map((s) => ({ pixels: s.width * s.height, iterations: s.iterations })),
    ...(plan.tiled && tiled
      ? plan.tiled.tiles.map((t) => ({ pixels: t.width * t.height, iterations: tiled.iterationsPerTile }))
      : []),
  ];
  const largest = Math.max(...passes.map((p) => p.pixels));
  const perPixel = activationValuesPerPixel + 3; // + G itself
  return {
    stages,
    tiled,
    iterations: passes.reduce((n, p) => n + p.iterations, 0),
    peakBytes: Math.round(largest * perPixel * FLOATS_PER_VALUE * 4),
    ms: msPerPixel === null ? null : passes.reduce((t, p) => t + p.pixels * p.iterations * msPerPixel, 0),
  };
}

/** Values per pixel for a network: the built-ins' counts, a custom model's from its listed layers. */
export function networkValuesPerPixel(
  id: LossNetworkId,
  layers: readonly LayerInfo[],
  wanted: readonly string[],
): number | null {
  if (id !== 'custom') return BUILT_IN_VALUES_PER_PIXEL[id];
  return layers.length ? valuesPerPixel(layers, wanted) : null;
}

/** "about 120 MB", "about 1.2 GB". */
export function formatBytes(bytes: number): string {
  const mb = bytes / 2 ** 20;
  if (mb < 1) return 'under 1 MB';
  if (mb < 1000) return `about ${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
  return `about ${(mb / 1024).toFixed(1)} GB`;
}
