import { describe, expect, it } from 'vitest';
import type { Box, Detection, Point } from './decode';
import { hardNms, iou, nonMaxSuppression, weightedNms } from './nms';

function box(x: number, y: number, width: number, height: number): Box {
  return { x, y, width, height };
}

/** A detection whose single keypoint is the box's top-left corner, so blending is easy to follow. */
function detection(b: Box, score: number): Detection {
  const corner: Point = [b.x, b.y];
  return { box: b, score, keypoints: [corner] };
}

describe('iou', () => {
  it('is 1 for identical boxes and 0 for disjoint or touching ones', () => {
    expect(iou(box(1, 2, 3, 4), box(1, 2, 3, 4))).toBe(1);
    expect(iou(box(0, 0, 1, 1), box(5, 5, 1, 1))).toBe(0);
    // Sharing an edge is no overlap.
    expect(iou(box(0, 0, 1, 1), box(1, 0, 1, 1))).toBe(0);
  });

  it('matches values worked out by hand', () => {
    // Overlap 1×1 = 1; union 4 + 4 − 1 = 7.
    expect(iou(box(0, 0, 2, 2), box(1, 1, 2, 2))).toBeCloseTo(1 / 7, 12);
    // Overlap 1×1; union 2 + 2 − 1 = 3.
    expect(iou(box(0, 0, 2, 1), box(1, 0, 2, 1))).toBeCloseTo(1 / 3, 12);
    // A 2×2 box inside a 4×4 one: 4 / 16.
    expect(iou(box(0, 0, 4, 4), box(1, 1, 2, 2))).toBe(0.25);
    // Symmetric.
    expect(iou(box(1, 1, 2, 2), box(0, 0, 2, 2))).toBeCloseTo(1 / 7, 12);
  });

  it('is 0 when a box has no area', () => {
    expect(iou(box(0, 0, 0, 0), box(0, 0, 0, 0))).toBe(0);
    expect(iou(box(0, 0, 2, 2), box(1, 1, 0, 0))).toBe(0);
  });
});

describe('hardNms', () => {
  it('keeps only the best of identical boxes', () => {
    const kept = hardNms([detection(box(0, 0, 10, 10), 0.6), detection(box(0, 0, 10, 10), 0.9)], 0.3, 10);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.score).toBe(0.9);
  });

  it('keeps disjoint boxes, best first', () => {
    const kept = hardNms([detection(box(0, 0, 10, 10), 0.6), detection(box(20, 0, 10, 10), 0.9)], 0.3, 10);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.6]);
    expect(kept[0]!.box).toEqual(box(20, 0, 10, 10));
  });

  it('suppresses only above the IoU threshold', () => {
    // IoU 1/3 (see above): suppressed at 0.3, kept at 0.4.
    const pair = [detection(box(0, 0, 2, 1), 0.9), detection(box(1, 0, 2, 1), 0.8)];
    expect(hardNms(pair, 0.3, 10)).toHaveLength(1);
    expect(hardNms(pair, 0.4, 10)).toHaveLength(2);
  });

  it('stops at maxDetections', () => {
    const faces = [0, 1, 2, 3].map((i) => detection(box(20 * i, 0, 10, 10), 0.5 + i / 10));
    expect(hardNms(faces, 0.3, 2).map((d) => d.score)).toEqual([0.8, 0.7]);
  });
});

describe('weightedNms', () => {
  it('merges identical boxes into that box, with the best score', () => {
    const kept = weightedNms([detection(box(0, 0, 10, 10), 0.6), detection(box(0, 0, 10, 10), 0.9)], 0.3, 10);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.score).toBe(0.9);
    expect(kept[0]!.box.x).toBeCloseTo(0, 12);
    expect(kept[0]!.box.width).toBeCloseTo(10, 12);
  });

  it('blends overlapping boxes and keypoints weighted by score', () => {
    // IoU of the first two: overlap 8×10 = 80, union 120 → 2/3. The third is far away.
    const kept = weightedNms(
      [detection(box(0, 0, 10, 10), 0.9), detection(box(2, 0, 10, 10), 0.3), detection(box(50, 50, 10, 10), 0.5)],
      0.3,
      10,
    );
    expect(kept).toHaveLength(2);
    const [merged, alone] = kept;
    // Left (0.9·0 + 0.3·2) / 1.2 = 0.5; right (0.9·10 + 0.3·12) / 1.2 = 10.5.
    expect(merged!.box.x).toBeCloseTo(0.5, 12);
    expect(merged!.box.width).toBeCloseTo(10, 12);
    expect(merged!.box.y).toBeCloseTo(0, 12);
    expect(merged!.box.height).toBeCloseTo(10, 12);
    expect(merged!.keypoints[0]![0]).toBeCloseTo(0.5, 12);
    expect(merged!.score).toBe(0.9);
    expect(alone).toEqual(detection(box(50, 50, 10, 10), 0.5));
  });

  it('clusters around the best box only, not by chains of overlap', () => {
    // A–C overlap 70/130 ≈ 0.54 and merge; A–B overlap 40/160 = 0.25 and stay apart.
    const a = detection(box(0, 0, 10, 10), 0.9);
    const b = detection(box(6, 0, 10, 10), 0.8);
    const c = detection(box(3, 0, 10, 10), 0.7);
    const kept = weightedNms([c, b, a], 0.3, 10);
    expect(kept.map((d) => d.score)).toEqual([0.9, 0.8]);
    // Left (0.9·0 + 0.7·3) / 1.6 = 1.3125.
    expect(kept[0]!.box.x).toBeCloseTo(1.3125, 12);
    // B overlaps the merged box, but clusters are formed before blending, so it survives as is.
    expect(kept[1]!.box).toEqual(box(6, 0, 10, 10));
  });

  it('stops at maxDetections', () => {
    const faces = [0, 1, 2].map((i) => detection(box(20 * i, 0, 10, 10), 0.5 + i / 10));
    expect(weightedNms(faces, 0.3, 1).map((d) => d.score)).toEqual([0.7]);
  });

  it('is the default method', () => {
    const faces = [detection(box(0, 0, 10, 10), 0.9), detection(box(2, 0, 10, 10), 0.3)];
    expect(nonMaxSuppression(faces, { iouThreshold: 0.3, maxDetections: 10 })[0]!.box.x).toBeCloseTo(0.5, 12);
    expect(nonMaxSuppression(faces, { iouThreshold: 0.3, maxDetections: 10, method: 'hard' })[0]!.box.x).toBe(0);
  });

  it('returns nothing for nothing', () => {
    expect(weightedNms([], 0.3, 10)).toEqual([]);
    expect(hardNms([], 0.3, 10)).toEqual([]);
  });
});
