// Decoding BlazeFace's per-anchor regressors into boxes and keypoints, in the model's
// normalised input space (0..1 across the square input). Mapping back to image pixels is the
// detector's job, because only it knows how the frame was letterboxed.
//
// Each anchor has 16 regressors: box centre offset (dx, dy), box size (w, h), then six keypoints
// as (x, y) offsets from the anchor centre — all in input pixels, so they are divided by the input
// size (256). Measured on sample3.jpg (1920×1350), centre face: with 256 the decoded eye centres
// land at (1120, 322) and (1230, 341) against (1120, 325) and (1228, 341) marked by hand, an eye
// distance of 111 px against 109 px; dividing by 192 or 320 instead gives 148 px or 89 px, and the
// nose and mouth points drift off the features the same way. Keypoint order, measured by drawing
// the points on all six sample photos (non-mirrored photos of people facing the camera):
//   0 right eye (of the person: the eye on the image's left), 1 left eye, 2 nose tip,
//   3 mouth centre, 4 right ear tragion (image left), 5 left ear tragion (image right).
// This is MediaPipe's documented order for its face detector.

export interface Box {
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  width: number;
  height: number;
}

export type Point = [number, number];

export interface Detection {
  box: Box;
  /** Face probability, 0..1. */
  score: number;
  /** Six points in FACE_KEYPOINTS order, in the same coordinates as the box. */
  keypoints: Point[];
}

export const FACE_KEYPOINTS = [
  'rightEye',
  'leftEye',
  'noseTip',
  'mouthCenter',
  'rightEarTragion',
  'leftEarTragion',
] as const;

/** 4 box values and 2 per keypoint. */
export const REGRESSORS_PER_ANCHOR = 4 + 2 * FACE_KEYPOINTS.length;

/** One row per anchor in the raw detector output: the score, then the regressors. */
export const VALUES_PER_ANCHOR = 1 + REGRESSORS_PER_ANCHOR;

export interface DecodeOptions {
  /** Side of the square model input in pixels; the regressors are in these pixels. */
  inputSize: number;
  /** Anchors scoring below this probability are skipped. */
  scoreThreshold: number;
}

/**
 * `rows` holds VALUES_PER_ANCHOR floats per anchor — the face probability (sigmoid already
 * applied) followed by the 16 raw regressors — in the order of `anchors` (x, y centre pairs of
 * unit-size anchors, see anchors.ts). Returns the anchors at or above the threshold, decoded into
 * boxes and keypoints normalised to 0..1 of the model input, in anchor order.
 */
export function decodeDetections(rows: Float32Array, anchors: Float32Array, options: DecodeOptions): Detection[] {
  const anchorCount = anchors.length / 2;
  if (rows.length !== anchorCount * VALUES_PER_ANCHOR) {
    throw new Error(
      `Detector output has ${rows.length} values; ${anchorCount} anchors need ${anchorCount * VALUES_PER_ANCHOR}.`,
    );
  }
  const scale = 1 / options.inputSize;
  const detections: Detection[] = [];
  for (let a = 0; a < anchorCount; a++) {
    const base = a * VALUES_PER_ANCHOR;
    const score = rows[base]!;
    // NaN fails this comparison too, so a broken backend yields no detections rather than NaN boxes.
    if (!(score >= options.scoreThreshold)) continue;
    const anchorX = anchors[2 * a]!;
    const anchorY = anchors[2 * a + 1]!;
    const centreX = anchorX + rows[base + 1]! * scale;
    const centreY = anchorY + rows[base + 2]! * scale;
    const width = rows[base + 3]! * scale;
    const height = rows[base + 4]! * scale;
    const keypoints: Point[] = [];
    for (let k = 0; k < FACE_KEYPOINTS.length; k++) {
      keypoints.push([anchorX + rows[base + 5 + 2 * k]! * scale, anchorY + rows[base + 6 + 2 * k]! * scale]);
    }
    detections.push({
      box: { x: centreX - width / 2, y: centreY - height / 2, width, height },
      score,
      keypoints,
    });
  }
  return detections;
}
