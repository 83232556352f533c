// What each face embedder is, as plain data: its crop, input range and channel order, and the
// thresholds calibrated for it. Established by measurement on real photos
// (`../shared/datasets/faces-celeb`, see README "Face models" and
// scripts/measure/face-crops.measure.ts), not taken from papers: the same network fed the wrong
// range or crop separates identities at chance level. No tfjs here, so the screens that show these
// facts load without it; embedder.ts runs the networks.
import type { TemplateOptions } from './align';

export type EmbedderId = 'facedescriptor' | 'faceres';

export type InputRange = 'unit' | 'symmetric' | 'byte';

/** Unlock (1:1, opens something) or Identify (1:N, names people). */
export type MatchUse = 'unlock' | 'identify';

/** The thresholds a person may set (by hand or adopted from Evaluate) for one use of a model. */
export interface ThresholdRange {
  min: number;
  max: number;
}

/** Where a threshold sits, measured on real photos, so the app can say what it means. */
export interface OperatingPoint {
  threshold: number;
  /** Impostor pairs accepted at the threshold, and the FAR the threshold was set for. */
  far: number;
  targetFar: number;
  /** Genuine pairs refused at the threshold. */
  frr: number;
  genuinePairs: number;
  impostorPairs: number;
  /** The labelled set it was measured on. */
  set: string;
}

export interface EmbedderSpec {
  id: EmbedderId;
  name: string;
  /** Side of the square aligned crop the model takes. */
  inputSize: number;
  dim: number;
  /** A converted graph model and the node whose output is the embedding, or our own network. */
  network: { kind: 'graph'; output: string } | { kind: 'descriptor' };
  /** unit: 0..1, symmetric: -1..1, byte: 0..255. */
  range: InputRange;
  bgr: boolean;
  /** The five-point template the crop is aligned to (fractions of the crop side) and its zoom. */
  crop: TemplateOptions;
  /** Unlock (1:1) is calibrated for FAR ≤ 0.1 %; Identify (1:N) sits at the equal-error point. */
  unlock: OperatingPoint;
  identify: OperatingPoint;
  /**
   * How far a threshold may move from the calibrated points (see THRESHOLD_RANGES' comment). A
   * stored threshold outside its range is not trusted: settings reset it to the default.
   */
  thresholdRange: Record<MatchUse, ThresholdRange>;
  /** Shown next to the model where it is chosen. */
  note: string;
}

/**
 * Where the five points lie in the crop the 128-D descriptor separates people best: their mean
 * position in a square, eye-line-upright crop of 1.2× the BlazeFace box over the faces of
 * faces-celeb (eyes high, at 31 % of the height, nose at 53 %, mouth at 65 %). The spec then
 * zooms it 1.2× about the centre and moves it down 2 % (scripts/measure/face-crops.measure.ts).
 */
export const DESCRIPTOR_TEMPLATE = Object.freeze([
  [0.3216, 0.3055],
  [0.6661, 0.306],
  [0.4884, 0.5292],
  [0.3407, 0.6514],
  [0.6537, 0.6507],
] as [number, number][]);

/** The real set the thresholds were calibrated on (`npm run eval:faces -- --dir …/faces-celeb`). */
const FACES_CELEB = { genuinePairs: 140, impostorPairs: 1690, set: 'faces-celeb' } as const;

/*
 * Threshold ranges. Each model's scores sit on their own scale, so the bounds come from its own
 * impostor scores on faces-celeb. Reading the two calibrated points as quantiles of the normal fit
 * (Identify at 1 − 1e-2, Unlock at 1 − 1e-3) gives the spread of the impostor scores:
 * σ ≈ (unlock − identify) / (3.090 − 2.326) — 0.031 for the descriptor, 0.063 for FaceRes.
 * - Identify may go half a σ below its operating point and no lower: there about 3 % of impostor
 *   pairs score above it, so with ten people enrolled a stranger is named about one time in four,
 *   and the rate climbs fast below it.
 * - Unlock may go down to Identify's operating point (about 1 impostor pair in 100) and no lower:
 *   what opens something is never looser than what only names people by default.
 * - Neither may go above 1, the highest cosine similarity there is (1 refuses everyone).
 */
const DESCRIPTOR_RANGE = { unlock: { min: 0.911, max: 1 }, identify: { min: 0.895, max: 1 } };
const FACERES_RANGE = { unlock: { min: 0.603, max: 1 }, identify: { min: 0.572, max: 1 } };

export const EMBEDDERS: Record<EmbedderId, EmbedderSpec> = {
  facedescriptor: {
    id: 'facedescriptor',
    name: 'Face descriptor (ResNet, 128-D)',
    inputSize: 150,
    dim: 128,
    network: { kind: 'descriptor' },
    // The network subtracts its training mean and divides by 255 itself.
    range: 'byte',
    bgr: false,
    // Zoom 1.15–1.3 and shift 0–0.04 all gave EER 0 on faces-celeb; this is the middle of that.
    crop: { points: DESCRIPTOR_TEMPLATE, zoom: 1.2, shiftY: 0.02 },
    // Calibrated on faces-celeb (13 people, 61 photos) by calibration.ts: the higher of the
    // empirical and the normal-fit threshold for the target FAR, rounded up to 3 decimals.
    unlock: { threshold: 0.935, far: 0, targetFar: 1e-3, frr: 1 / 140, ...FACES_CELEB },
    identify: { threshold: 0.911, far: 16 / 1690, targetFar: 1e-2, frr: 0, ...FACES_CELEB },
    thresholdRange: DESCRIPTOR_RANGE,
    note: 'Default: the lowest error on real photos of the same people taken on different days.',
  },
  faceres: {
    id: 'faceres',
    name: 'FaceRes (1024-D)',
    inputSize: 224,
    dim: 1024,
    network: { kind: 'graph', output: 'global_pooling/Mean' },
    // 0..255: with 0..1 or -1..1 every face scores above 0.99 against every other.
    range: 'byte',
    bgr: false,
    crop: { zoom: 1 },
    unlock: { threshold: 0.651, far: 0, targetFar: 1e-3, frr: 11 / 140, ...FACES_CELEB },
    identify: { threshold: 0.603, far: 16 / 1690, targetFar: 1e-2, frr: 2 / 140, ...FACES_CELEB },
    thresholdRange: FACERES_RANGE,
    note: 'Kept for galleries enrolled with it; more errors on real photos than the descriptor.',
  },
};

export function isEmbedderId(value: unknown): value is EmbedderId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EMBEDDERS, value);
}

/** Whether `value` is a threshold this model may use for `use`: a number inside its range. */
export function thresholdInRange(modelId: EmbedderId, use: MatchUse, value: unknown): value is number {
  const { min, max } = EMBEDDERS[modelId].thresholdRange[use];
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** `value` moved into the model's range for `use`; the calibrated default when it is not a number. */
export function clampThreshold(modelId: EmbedderId, use: MatchUse, value: number): number {
  const { min, max } = EMBEDDERS[modelId].thresholdRange[use];
  if (!Number.isFinite(value)) return EMBEDDERS[modelId][use].threshold;
  return Math.min(max, Math.max(min, value));
}
