// Receptive-field arithmetic: which input pixels a unit of a convnet layer can see.
//
// Coordinates are pixel indices: pixel i covers [i, i + 1) and its centre sits at i (so the
// first pixel's centre is 0, not 0.5). A layer's geometry chain (kernel, stride, padding per
// spatial op, input to output) gives, by the usual recurrence over the chain,
//   jump  j_out = j_in · s                       (input pixels between neighbouring units)
//   size  r_out = r_in + (k − 1) · j_in           (side of the receptive field)
//   start c_out = c_in + ((k − 1) / 2 − p) · j_in (centre of unit (0, 0))
// and the top-left corner of unit (0, 0)'s field, offset_out = offset_in − p · j_in, which is
// always a whole number even where the centre falls between pixels (even kernels).
import type * as tf from '@tensorflow/tfjs';
import type { LayerGeometry } from './network';

export interface ReceptiveField {
  /** Input pixels between neighbouring units (the product of the strides). */
  jump: number;
  /** Side of the (square) receptive field in input pixels. */
  size: number;
  /** Centre of unit (0, 0) in input pixel indices; may be fractional or negative. */
  start: number;
  /** First input row/column of unit (0, 0)'s field; negative where it reaches into padding. */
  offset: number;
}

/** An axis-aligned block of pixels: rows top .. top + height − 1, columns left .. left + width − 1. */
export interface PixelRect {
  top: number;
  left: number;
  height: number;
  width: number;
}

export interface UnitRect {
  /** The whole receptive field; may extend past the image where the network padded. */
  unclipped: PixelRect;
  /** The part inside the image (height or width 0 if none). */
  clipped: PixelRect;
}

/** Receptive field of a layer's units from its geometry chain (input first). */
export function receptiveField(path: readonly LayerGeometry[]): ReceptiveField {
  let jump = 1;
  let size = 1;
  let start = 0;
  let offset = 0;
  for (const [i, g] of path.entries()) {
    if (!Number.isInteger(g.kernel) || g.kernel < 1 || !Number.isInteger(g.stride) || g.stride < 1) {
      throw new RangeError(`geometry step ${i}: kernel and stride must be positive integers`);
    }
    if (!Number.isInteger(g.padding)) throw new RangeError(`geometry step ${i}: padding must be an integer`);
    size += (g.kernel - 1) * jump;
    start += ((g.kernel - 1) / 2 - g.padding) * jump;
    offset -= g.padding * jump;
    jump *= g.stride;
  }
  return { jump, size, start, offset };
}

/**
 * The input patch seen by unit (row, col) of a layer, for an input of inputHeight × inputWidth.
 * The UI draws `clipped` from the image and pads the rest of `unclipped` (the network saw zeros
 * there, or nothing at all for pooling).
 */
export function unitToInputRect(
  rf: ReceptiveField,
  row: number,
  col: number,
  inputHeight: number,
  inputWidth: number,
): UnitRect {
  const unclipped: PixelRect = {
    top: rf.offset + row * rf.jump,
    left: rf.offset + col * rf.jump,
    height: rf.size,
    width: rf.size,
  };
  return { unclipped, clipped: clipRect(unclipped, inputHeight, inputWidth) };
}

/** The part of a rect inside a height × width image. */
export function clipRect(rect: PixelRect, height: number, width: number): PixelRect {
  const top = Math.min(Math.max(rect.top, 0), height);
  const left = Math.min(Math.max(rect.left, 0), width);
  const bottom = Math.min(Math.max(rect.top + rect.height, top), height);
  const right = Math.min(Math.max(rect.left + rect.width, left), width);
  return { top, left, height: bottom - top, width: right - left };
}

/**
 * The largest Chebyshev distance, in units of the layer's grid, at which two units' fields still
 * overlap by more than `maxOverlap` of their side: the radius to give top-patch duplicate
 * suppression so that the patches shown for a unit are not near-identical crops.
 */
export function overlapRadius(rf: ReceptiveField, maxOverlap = 0.5): number {
  if (!(maxOverlap >= 0 && maxOverlap < 1)) throw new RangeError('maxOverlap must be in [0, 1)');
  // Units d apart share (size − d·jump) / size of their side; keep those with d < (1 − f)·size / jump.
  return Math.max(Math.ceil(((1 - maxOverlap) * rf.size) / rf.jump) - 1, 0);
}

// ---------------------------------------------------------------------------------------------
// Geometry from a tfjs layers model.

export interface GeometryChainOptions {
  /**
   * Side of the input along the chosen axis, needed only to resolve TensorFlow's 'same' padding
   * for strided layers (it puts the odd pixel of padding after, and how much there is depends on
   * the size). Defaults to the model's own input shape; if that is unknown too, sizes are assumed
   * to be multiples of every stride, which is exact for VGG and ResNet inputs of 224.
   */
  inputSize?: number;
  /** Axis to follow; the two chains differ only for non-square kernels, strides or padding. */
  axis?: 'height' | 'width';
}

interface ChainResult {
  path: LayerGeometry[];
  size: number;
  /** Spatial size of the layer's output along the axis, when known. */
  extent: number | null;
}

const GRID_CHANGING_CONVS = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D']);
const POOLS = new Set(['MaxPooling2D', 'AveragePooling2D']);
const UNSUPPORTED = new Set([
  'GlobalAveragePooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'UpSampling2D',
  'Conv2DTranspose',
  'Sequential',
  'Functional',
  'Model',
]);

/**
 * Padding before the first row for TensorFlow's 'SAME': the total (out − 1)·s + k − n, where
 * out = ⌈n / s⌉, is split with the smaller half first. Without the input side n, sizes are
 * assumed to divide by the stride (exact for VGG and ResNet inputs of 224).
 */
export function samePadding(kernel: number, stride: number, extent: number | null = null): number {
  const total =
    extent === null
      ? Math.max(kernel - stride, 0)
      : Math.max((Math.ceil(extent / stride) - 1) * stride + kernel - extent, 0);
  return Math.floor(total / 2);
}

/** Distance in input pixels between neighbouring units at the end of `path`. */
export function cumulativeStride(path: readonly LayerGeometry[]): number {
  return path.reduce((j, g) => j * g.stride, 1);
}

/**
 * Default content and style layers for a network nobody has tuned, from candidate layers in
 * order, shallow to deep: group them by resolution (their cumulative stride, one group per
 * block as in VGG), take the first of each of the five shallowest groups for style (Gatys et
 * al. take conv1_1 … conv5_1) and, for content, the second of the next-to-deepest (conv4_2).
 */
export function defaultLayers(candidates: readonly { name: string; path: readonly LayerGeometry[] }[]): {
  content: string;
  style: string[];
} {
  const stages = new Map<number, string[]>();
  for (const l of candidates) {
    const s = cumulativeStride(l.path);
    stages.set(s, [...(stages.get(s) ?? []), l.name]);
  }
  const groups = [...stages.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
  if (groups.length === 0) throw new Error('The network has no layers to compare.');
  const contentGroup = groups.length >= 2 ? groups[groups.length - 2]! : groups[0]!;
  return { content: contentGroup[1] ?? contentGroup[0]!, style: groups.slice(0, 5).map((g) => g[0]!) };
}

/**
 * The geometry chain from the model's input to every layer, for `LayerInfo.path`, by name.
 * A layer whose geometry cannot be worked out (no grid, an unsupported kind) maps to the reason,
 * and so does every layer after it.
 *
 * Where branches meet (Add, Concatenate, ...) the chain follows the branch whose units see the
 * largest receptive field. In a ResNet block that is the main branch (1×1, 3×3, 1×1 convs) rather
 * than the identity or 1×1 projection shortcut; the sum's units see the union of both fields,
 * and the main branch's field contains the shortcut's, so its chain describes the union.
 * Layers that keep the grid (activations, batch norm, dropout, dense-on-channels) add nothing.
 */
export function geometryChains(
  model: tf.LayersModel,
  options: GeometryChainOptions = {},
): Map<string, LayerGeometry[] | Error> {
  const axis = options.axis === 'width' ? 1 : 0;
  const memo = new Map<tf.layers.Layer, ChainResult | Error>();

  const visit = (layer: tf.layers.Layer): ChainResult | Error => {
    const known = memo.get(layer);
    if (known) return known;
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    let result: ChainResult | Error;
    if (inbound.length === 0) {
      const shape = layer.batchInputShape;
      const modelExtent = shape?.[axis + 1];
      const extent = options.inputSize ?? (typeof modelExtent === 'number' ? modelExtent : null);
      result = { path: [], size: 1, extent };
    } else {
      const parents = inbound.map(visit);
      const failed = parents.find((p) => p instanceof Error);
      if (failed) {
        result = failed;
      } else {
        const best = (parents as ChainResult[]).reduce((a, b) => (b.size > a.size ? b : a));
        try {
          result = extend(layer, best, axis);
        } catch (e) {
          result = e instanceof Error ? e : new Error(String(e));
        }
      }
    }
    memo.set(layer, result);
    return result;
  };

  return new Map(model.layers.map((l) => [l.name, ((r) => (r instanceof Error ? r : r.path))(visit(l))]));
}

/** The geometry chain from the model's input to `layerName`; throws where it cannot be worked out. */
export function geometryChain(
  model: tf.LayersModel,
  layerName: string,
  options: GeometryChainOptions = {},
): LayerGeometry[] {
  const chain = geometryChains(model, options).get(model.getLayer(layerName).name);
  if (!chain) throw new Error(`The model has no layer called "${layerName}".`);
  if (chain instanceof Error) throw chain;
  return chain;
}

function extend(layer: tf.layers.Layer, from: ChainResult, axis: 0 | 1): ChainResult {
  const className = layer.getClassName();
  const config = layer.getConfig();
  if (UNSUPPORTED.has(className)) {
    throw new Error(`layer ${layer.name} (${className}) has no receptive-field geometry`);
  }
  if (config.dataFormat === 'channelsFirst') {
    throw new Error(`layer ${layer.name} is channels-first; only channels-last models are supported`);
  }

  let step: LayerGeometry | null = null;
  let extent: number | null = from.extent;
  if (GRID_CHANGING_CONVS.has(className) || POOLS.has(className)) {
    const kernel = pick(POOLS.has(className) ? config.poolSize : config.kernelSize, axis);
    const stride = pick(config.strides ?? (POOLS.has(className) ? kernel : 1), axis);
    const dilation = POOLS.has(className) ? 1 : pick(config.dilationRate ?? 1, axis);
    const effective = dilation * (kernel - 1) + 1;
    let padding = 0;
    if (config.padding === 'same') {
      padding = samePadding(effective, stride, extent);
      extent = extent === null ? null : Math.ceil(extent / stride);
    } else if (config.padding === 'valid') {
      extent = extent === null ? null : Math.ceil((extent - effective + 1) / stride);
    } else {
      throw new Error(`layer ${layer.name}: padding '${String(config.padding)}' is not supported`);
    }
    step = { kernel: effective, stride, padding };
  } else if (className === 'ZeroPadding2D' || className === 'Cropping2D') {
    const pairs = (className === 'ZeroPadding2D' ? config.padding : config.cropping) as number[][];
    const pair = pairs[axis] ?? [0, 0];
    const before = pair[0] ?? 0;
    const after = pair[1] ?? 0;
    const sign = className === 'ZeroPadding2D' ? 1 : -1;
    // Cropping is padding by a negative amount.
    step = { kernel: 1, stride: 1, padding: sign * before };
    extent = extent === null ? null : extent + sign * (before + after);
  } else {
    // Anything else must keep the grid; check rather than assume, so new layer kinds fail loudly.
    const inShape = firstShape(layer.inboundNodes[0]?.inputShapes);
    const outShape = firstShape(layer.inboundNodes[0]?.outputShapes);
    if (inShape && outShape && inShape.length === 4 && outShape.length === 4) {
      if (inShape[1] !== outShape[1] || inShape[2] !== outShape[2]) {
        throw new Error(`layer ${layer.name} (${className}) changes the grid in a way not understood`);
      }
    }
  }
  if (!step || (step.kernel === 1 && step.stride === 1 && step.padding === 0)) return { ...from, extent };
  return {
    path: appendStep(from.path, step),
    size: from.size + (step.kernel - 1) * cumulativeStride(from.path),
    extent,
  };
}

/** Padding or cropping alone: a 1×1 stride-1 step that only moves the grid. */
const isPadStep = (g: LayerGeometry) => g.kernel === 1 && g.stride === 1;

/** Adds a step, folding a ZeroPadding2D / Cropping2D before it into its padding. */
function appendStep(path: readonly LayerGeometry[], step: LayerGeometry): LayerGeometry[] {
  const last = path.at(-1);
  if (last && isPadStep(last)) {
    const merged = { ...step, padding: step.padding + last.padding };
    return isPadStep(merged) && merged.padding === 0 ? path.slice(0, -1) : [...path.slice(0, -1), merged];
  }
  return [...path, step];
}

function pick(value: unknown, axis: 0 | 1): number {
  const v = Array.isArray(value) ? value[axis] : value;
  if (typeof v !== 'number') throw new Error(`expected a number or pair, got ${JSON.stringify(value)}`);
  return v;
}

function firstShape(shapes: unknown): (number | null)[] | null {
  if (!Array.isArray(shapes) || shapes.length === 0) return null;
  return Array.isArray(shapes[0]) ? (shapes[0] as (number | null)[]) : (shapes as (number | null)[]);
}
