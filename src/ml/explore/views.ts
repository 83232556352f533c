// What the Explorer's jobs give back, as plain data: top-patch results, feature-visualisation
// settings and rows, activation pictures; and the small pure rules around them (how an image is
// sized for a network, which channels a typed list means, which unit a pixel of a picture shows).
import { gridUnitAt, type GridLayout } from './activation-maps';
import type { ImageDescriptor } from './cache';
import type { PixelRect, ReceptiveField } from '../nets/geometry';

/** How many units the patch view shows, and how many patches per unit. */
export const UNITS_SHOWN = 9;
export const PATCHES_PER_UNIT = 9;

export interface ExploreImage {
  name: string;
  bitmap: ImageBitmap;
  descriptor: ImageDescriptor;
  /** The part of the bitmap this image is (a crop of the patch pool); absent: all of it. */
  crop?: PixelRect;
}

export interface PatchView {
  bitmap: ImageBitmap;
  value: number;
  imageName: string;
  row: number;
  col: number;
  /** Index of the image in the set the patches were ranked over (the figure's pool). */
  source?: number;
}

export interface UnitPatches {
  channel: number;
  /** Mean activation of the channel over the image set. */
  mean: number;
  patches: PatchView[];
  /** ImageNet classes this unit most supports through the classifier (ResNet-50's last layer only). */
  classes?: string[];
}

/** One column of the layer-by-layer figure. */
export interface FigureLayer {
  layer: string;
  rf: ReceptiveField;
  /** Side of each patch bitmap in pixels. */
  patchSide: number;
  units: UnitPatches[];
}

/** The course's figure: several layers, shallow to deep, each with its units' top patches. */
export interface FigureResult {
  network: string;
  /** Side of the (square) pool images as fed to the network. */
  fedSide: number;
  layers: FigureLayer[];
  /** Pool images the units were ranked over. */
  images: number;
  fromCache: boolean;
  ms: number;
  partial: boolean;
}

/** Which input pixels drive one unit, over its receptive field: integrated gradients' size, 0..1. */
export interface SaliencyView {
  layer: string;
  channel: number;
  row: number;
  col: number;
  rf: ReceptiveField;
  /** The unit's activation on this image. */
  value: number;
  /** The receptive field's pixels, the gradient map over them, and the map laid over the pixels. */
  patch: ImageBitmap;
  map: ImageBitmap;
  overlay: ImageBitmap;
  /** Share of the attribution's total size that falls inside the receptive field (1 up to rounding). */
  inside: number;
  ms: number;
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

export interface LiveView {
  bitmap: ImageBitmap;
  layout: GridLayout;
  channels: number[];
  ms: number;
  layer: string;
}

/** The size an image is fed at: square input for face networks, the long side scaled for the others. */
export function fedSize(width: number, height: number, inputSize: number | null, long: number) {
  if (inputSize !== null) return { width: inputSize, height: inputSize };
  const scale = long / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
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

export function closePatches(result: PatchResult | null): void {
  result?.units.forEach((u) => u.patches.forEach((p) => p.bitmap.close()));
}

export function closeFigure(result: FigureResult | null): void {
  result?.layers.forEach((l) => l.units.forEach((u) => u.patches.forEach((p) => p.bitmap.close())));
}

export function closeSaliency(view: SaliencyView | null): void {
  if (!view) return;
  [view.patch, view.map, view.overlay].forEach((b) => b.close());
}
