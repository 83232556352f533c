// Non-maximum suppression in plain TypeScript. WebGPU has no synchronous NMS kernel, and after
// the score threshold only a handful of boxes are left, so this runs on the CPU over the
// detections read back from the device.
import type { Box, Detection, Point } from './decode';

/** Intersection over union; 0 when the union has no area. */
export function iou(a: Box, b: Box): number {
  const overlapWidth = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const overlapHeight = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (overlapWidth <= 0 || overlapHeight <= 0) return 0;
  const intersection = overlapWidth * overlapHeight;
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

export type NmsMethod = 'weighted' | 'hard';

export interface NmsOptions {
  /** Boxes overlapping a kept box by more than this IoU are suppressed (or merged). */
  iouThreshold: number;
  maxDetections: number;
  /** 'weighted' (default) blends each cluster of overlapping boxes; 'hard' keeps only the best. */
  method?: NmsMethod;
}

export function nonMaxSuppression(detections: readonly Detection[], options: NmsOptions): Detection[] {
  return options.method === 'hard'
    ? hardNms(detections, options.iouThreshold, options.maxDetections)
    : weightedNms(detections, options.iouThreshold, options.maxDetections);
}

function byScoreDescending(detections: readonly Detection[]): Detection[] {
  return [...detections].sort((a, b) => b.score - a.score);
}

/** Greedy NMS: keep the best box, drop every box overlapping it by more than the threshold. */
export function hardNms(detections: readonly Detection[], iouThreshold: number, maxDetections: number): Detection[] {
  const kept: Detection[] = [];
  for (const candidate of byScoreDescending(detections)) {
    if (kept.length >= maxDetections) break;
    if (kept.every((k) => iou(k.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}

/**
 * MediaPipe's weighted NMS: take the best remaining box and every remaining box overlapping it by
 * more than the threshold; the kept detection has the score-weighted mean of their box edges and
 * keypoints, and the best box's score. Several neighbouring anchors fire on one face, and their
 * mean is steadier from frame to frame than any single anchor's box.
 */
export function weightedNms(
  detections: readonly Detection[],
  iouThreshold: number,
  maxDetections: number,
): Detection[] {
  let remaining = byScoreDescending(detections);
  const kept: Detection[] = [];
  while (remaining.length > 0 && kept.length < maxDetections) {
    const best = remaining[0]!;
    const cluster: Detection[] = [];
    const rest: Detection[] = [];
    for (const d of remaining) (d === best || iou(best.box, d.box) > iouThreshold ? cluster : rest).push(d);
    kept.push(cluster.length === 1 ? best : blend(cluster, best.score));
    remaining = rest;
  }
  return kept;
}

function blend(cluster: readonly Detection[], score: number): Detection {
  let totalWeight = 0;
  let left = 0;
  let top = 0;
  let right = 0;
  let bottom = 0;
  const keypoints: Point[] = cluster[0]!.keypoints.map(() => [0, 0]);
  for (const d of cluster) {
    const w = d.score;
    totalWeight += w;
    left += w * d.box.x;
    top += w * d.box.y;
    right += w * (d.box.x + d.box.width);
    bottom += w * (d.box.y + d.box.height);
    d.keypoints.forEach(([x, y], k) => {
      const sum = keypoints[k];
      if (!sum) return;
      sum[0] += w * x;
      sum[1] += w * y;
    });
  }
  // Scores are positive above any useful threshold, but guard the division all the same.
  if (!(totalWeight > 0)) return cluster[0]!;
  left /= totalWeight;
  top /= totalWeight;
  right /= totalWeight;
  bottom /= totalWeight;
  return {
    box: { x: left, y: top, width: right - left, height: bottom - top },
    score,
    keypoints: keypoints.map(([x, y]) => [x / totalWeight, y / totalWeight]),
  };
}
