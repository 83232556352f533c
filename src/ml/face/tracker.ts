// The video path: one face followed from frame to frame, in the manner of MediaPipe's face
// pipeline, so that a camera frame does not redo a still photo's work.
//   - The detector runs only to find a face (no track yet, or the track was lost) and, while a
//     face is tracked, every `detectEvery` frames to re-anchor the track. BlazeFace always sees
//     the frame letterboxed to 256 px, so a large face is detected on a downscaled frame.
//   - Between detections the next FaceMesh crop comes from the last mesh (a tracking box),
//     calibrated against the last BlazeFace box so it frames the face as a detection would.
//   - FaceMesh runs on every frame unless `landmarkIntervalMs` asks for fewer (liveness needs
//     eye openness at camera rate; see DEFAULT_TRACKER_OPTIONS).
//   - Nothing is embedded per frame: the aligned crops of the best few frames of a track (by
//     quality: size, pose, sharpness, framing) are kept on the device, and `decide()` embeds
//     them in one batch and fuses them into one probe.
//   - One read-back per frame at most: when the detector re-anchors a tracked face, its rows
//     and the landmarks are packed into one tensor and read together.
import * as tf from '@tensorflow/tfjs';
import { alignFaces, estimateSimilarity, templateFor, type Point } from './align';
import type { Box, Detection, FaceDetector, Letterbox } from './detector';
import type { Embedder } from './embedder';
import { QUALITY_ADVICE, rollFromEyes } from './face-geometry';
import {
  cropBatch,
  FACEMESH_SIZE,
  LANDMARK_ROW_VALUES,
  type FaceBox,
  type FaceCrop,
  type FaceLandmarks,
  type LandmarkModel,
} from './landmarks';
import { blazefacePoints, faceQuality, type FaceAnalysis, type FaceShape } from './pipeline';

/**
 * One frame as the tracker reads it. Most frames need only the FaceMesh crop, so a frame can cut
 * it without ever making a tensor of the whole frame (in the browser: drawn from the video onto
 * a small canvas); the whole frame is made only when the detector or a kept crop needs it.
 */
export interface TrackerFrame {
  readonly width: number;
  readonly height: number;
  /** The `n`×`n` FaceMesh input for `crop`, [1, n, n, 3] in 0..1, black outside; the caller disposes it. */
  cropSquare(crop: FaceCrop, n: number): tf.Tensor4D;
  /** The whole frame [H, W, 3] in 0..1, made on first use; the frame's owner disposes it. */
  tensor(): tf.Tensor3D;
}

/** A frame that is already a tensor ([H, W, 3] in 0..1; not disposed here). */
export function tensorFrame(image: tf.Tensor3D): TrackerFrame {
  return {
    width: image.shape[1],
    height: image.shape[0],
    cropSquare: (crop, n) => tf.tidy(() => cropBatch(image, [crop], n)),
    tensor: () => image,
  };
}

export interface TrackerOptions {
  /** While a face is tracked, the detector re-anchors it once in this many analysed frames. */
  detectEvery: number;
  /** FaceMesh's face flag below this means the track is lost. */
  minConfidence: number;
  /**
   * Landmarks at most once per this many ms of frame time while the eyes are open; frames in
   * between are answered from the track (`fresh: false`) at no cost. 0: every frame. While the
   * eyes close (openness below `closingShare` of the track's open level) every frame is measured.
   */
  landmarkIntervalMs: number;
  closingShare: number;
  /** Aligned crops kept per track for the decision: the best-scoring frames. */
  keep: number;
  /** Kept crops scoring below this share of the best one are not fused into the probe. */
  fuseShare: number;
}

/**
 * Landmarks on every frame: the blink cue looks for a dip in eye openness that lasts 100–400 ms,
 * a few frames at a webcam's 15–30 fps, so skipping frames would miss short blinks.
 */
export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  detectEvery: 30,
  minConfidence: 0.5,
  landmarkIntervalMs: 80,
  closingShare: 0.85,
  keep: 3,
  fuseShare: 0.8,
};

/** What ran on one frame. */
export type FrameWork = 'acquire' | 'landmarks' | 'landmarks+detect' | 'carried' | 'none';

export interface TrackedFrame {
  /** The tracked face (its `embedding` is empty: see `FaceTracker.decide`), or null. */
  face: FaceAnalysis | null;
  /** True when this frame's landmarks were measured on it (not carried over, not a detection only). */
  fresh: boolean;
  work: FrameWork;
}

export interface Decision {
  /** L2-normalised mean of the kept crops' embeddings. */
  embedding: Float32Array;
  modelId: string;
  /** How many frames were fused. */
  frames: number;
  /** The best fused frame's score. */
  score: number;
}

interface Kept {
  crop: tf.Tensor4D;
  score: number;
}

interface Track {
  /** The box FaceMesh is cropped around on the next frame. */
  box: FaceBox;
  /** The detection the box was last anchored on, to calibrate the mesh box against. */
  anchor: Detection | null;
  /** Analysed frames since the detector last ran. */
  sinceDetect: number;
  /** The last fresh frame's result, answered again on frames whose landmarks are skipped. */
  last: FaceAnalysis | null;
  lastLandmarksAt: number;
  /** The open level of the eyes on this track (mean eye aspect ratio, slowly decaying maximum). */
  openEyes: number;
  /** The last measured frame showed the eyes closing: measure the next one too. */
  closing: boolean;
}

/** How a box from the mesh maps onto a BlazeFace box of the same face: scale and centre shift. */
export interface MeshToBox {
  /** BlazeFace side / mesh-bounds side. */
  scale: number;
  /** Centre shift in units of the mesh-bounds side. */
  dx: number;
  dy: number;
}

/**
 * Measured on the two fixtures' faces (BlazeFace box against the bounds of FaceMesh's 468 points
 * in the same frame: scale 0.932 / 0.955, dx −0.005 / 0.030, dy 0.042 / 0.030); used until a
 * track has its own calibration, which the first landmarks after each detection measure.
 */
export const DEFAULT_MESH_TO_BOX: MeshToBox = { scale: 0.93, dx: 0, dy: 0.04 };

/** The axis-aligned bounds of the mesh's x, y. */
export function meshBounds(points: ArrayLike<number>): Box {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 3) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

const side = (b: Box) => Math.max(b.width, b.height);
const centre = (b: Box): Point => [b.x + b.width / 2, b.y + b.height / 2];

/** The calibration that takes `mesh` bounds onto `detection`'s box. */
export function calibrate(mesh: Box, detection: Box): MeshToBox {
  const s = side(mesh);
  const [mx, my] = centre(mesh);
  const [dx, dy] = centre(detection);
  return { scale: side(detection) / s, dx: (dx - mx) / s, dy: (dy - my) / s };
}

/** A square box where a detection of the face whose mesh has `mesh` bounds would be. */
export function boxFromMesh(mesh: Box, k: MeshToBox): Box {
  const s = side(mesh);
  const [mx, my] = centre(mesh);
  const size = s * k.scale;
  return { x: mx + k.dx * s - size / 2, y: my + k.dy * s - size / 2, width: size, height: size };
}

function iou(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (a.width * a.height + b.width * b.height - inter);
}

function boxOf(d: Detection): FaceBox {
  const [left, right] = blazefacePoints(d) as [Point, Point];
  return { ...d.box, roll: rollFromEyes(left, right) };
}

function newTrack(found: Detection): Track {
  return {
    box: boxOf(found),
    anchor: found,
    sinceDetect: 0,
    last: null,
    lastLandmarksAt: -Infinity,
    openEyes: 0,
    closing: false,
  };
}

function shapeOf(f: FaceLandmarks): FaceShape {
  return {
    points5: f.fivePoints,
    pose: f.pose,
    eyes: f.eyes,
    confidence: f.confidence,
    quality: { score: f.quality.score, reasons: f.quality.reasons.map((r) => QUALITY_ADVICE[r]) },
  };
}

const EMPTY = new Float32Array(0);

export class FaceTracker {
  private readonly options: TrackerOptions;
  private track: Track | null = null;
  private calibration: MeshToBox = DEFAULT_MESH_TO_BOX;
  private kept: Kept[] = [];

  constructor(
    private readonly detector: FaceDetector,
    private readonly landmarks: LandmarkModel,
    private readonly embedder: Embedder,
    options: Partial<TrackerOptions> = {},
  ) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    if (!(this.options.detectEvery >= 1)) throw new RangeError('detectEvery must be at least 1.');
    if (!(this.options.keep >= 1)) throw new RangeError('keep must be at least 1.');
  }

  get modelId(): string {
    return this.embedder.id;
  }

  /** How many crops are kept for the decision now. */
  get keptFrames(): number {
    return this.kept.length;
  }

  /**
   * Follows the face into the frame taken at `t` ms (a tensor [H, W, 3] in 0..1, or a
   * TrackerFrame; not disposed). At most one read-back. Crops of good frames are kept (on the
   * device) for `decide()`.
   */
  async next(input: tf.Tensor3D | TrackerFrame, t: number): Promise<TrackedFrame> {
    const frame = input instanceof tf.Tensor ? tensorFrame(input) : input;
    const track = this.track;
    if (!track) return this.acquire(frame);
    if (this.willCarry(t)) return { face: track.last, fresh: false, work: 'carried' };
    const redetect = track.sinceDetect + 1 >= this.options.detectEvery;
    const meshCrop = this.landmarks.cropFor(track.box);
    const batch = frame.cropSquare(meshCrop, FACEMESH_SIZE);
    let lm;
    try {
      lm = this.landmarks.prepareBatch(batch, [track.box], [meshCrop], frame.width, frame.height);
    } finally {
      batch.dispose();
    }
    let det: { rows: tf.Tensor2D; fit: Letterbox } | null = null;
    let values: Float32Array;
    try {
      if (redetect) det = this.detector.prepare(frame.tensor());
      const packed = det ? tf.tidy(() => tf.concat([lm.packed.reshape([-1]), det!.rows.reshape([-1])])) : lm.packed;
      try {
        values = (await packed.data()) as Float32Array;
      } finally {
        if (packed !== lm.packed) packed.dispose();
      }
    } finally {
      lm.packed.dispose();
      det?.rows.dispose();
    }
    const mesh = this.landmarks.decode(values.subarray(0, LANDMARK_ROW_VALUES), lm)[0]!;
    const detections = det ? this.detector.decode(values.subarray(LANDMARK_ROW_VALUES), det.fit) : null;
    track.sinceDetect = redetect ? 0 : track.sinceDetect + 1;

    if (mesh.confidence < this.options.minConfidence) {
      // Lost. A detection in this same frame re-anchors the track for the next one.
      const found = detections?.[0];
      if (!found) {
        this.reset();
        return { face: null, fresh: false, work: redetect ? 'landmarks+detect' : 'landmarks' };
      }
      this.dropKept();
      this.track = newTrack(found);
      return { face: this.fromDetection(frame, found), fresh: false, work: 'landmarks+detect' };
    }

    const bounds = meshBounds(mesh.points);
    const match = detections?.find((d) => iou(d.box, boxFromMesh(bounds, this.calibration)) > 0.3);
    if (match) track.anchor = match;
    if (track.anchor) {
      // The anchor was measured on this frame (a re-detection) or on the frame just before.
      this.calibration = calibrate(bounds, track.anchor.box);
      track.anchor = null;
    }
    const box = boxFromMesh(bounds, this.calibration);
    const shape = shapeOf(mesh);
    const [left, right] = shape.points5 as [Point, Point];
    track.box = { ...box, roll: rollFromEyes(left, right) };
    const mouth: Point = [
      (shape.points5[3]![0] + shape.points5[4]![0]) / 2,
      (shape.points5[3]![1] + shape.points5[4]![1]) / 2,
    ];
    const detection: Detection = {
      box,
      score: mesh.confidence,
      keypoints: [left, right, shape.points5[2]!, mouth],
    };
    const { inputSize, crop } = this.embedder.spec;
    const alignment = estimateSimilarity(shape.points5, templateFor(inputSize, crop));
    const quality = faceQuality(detection, frame.width, frame.height, alignment, inputSize, shape);
    const face: FaceAnalysis = {
      detection,
      shape,
      alignment,
      quality,
      embedding: EMPTY,
      modelId: this.embedder.id,
    };
    this.consider(frame, face, quality.score * (shape.quality?.score ?? 1));
    track.last = face;
    track.lastLandmarksAt = t;
    const eyes = shape.eyes ? (shape.eyes.left + shape.eyes.right) / 2 : null;
    if (eyes !== null) {
      track.openEyes = Math.max(eyes, track.openEyes * 0.98);
      track.closing = eyes < this.options.closingShare * track.openEyes;
    }
    return { face, fresh: true, work: redetect ? 'landmarks+detect' : 'landmarks' };
  }

  /** Whether a frame at `t` would be answered from the track alone (so it need not even be read). */
  willCarry(t: number): boolean {
    const track = this.track;
    return !!track?.last && !track.closing && t - track.lastLandmarksAt < this.options.landmarkIntervalMs;
  }

  /**
   * Embeds the kept crops in one batch and fuses them: the probe for this track's decision.
   * Null when no face has been seen since the last reset.
   */
  async decide(): Promise<Decision | null> {
    if (this.kept.length === 0) return null;
    const best = this.kept[0]!.score;
    const used = this.kept.filter((k) => k.score >= best * this.options.fuseShare);
    const batch = used.length === 1 ? used[0]!.crop : tf.concat(used.map((k) => k.crop));
    let embeddings: Float32Array[];
    try {
      embeddings = await this.embedder.embed(batch);
    } finally {
      if (batch !== used[0]!.crop) batch.dispose();
    }
    return { embedding: fuseEmbeddings(embeddings), modelId: this.embedder.id, frames: used.length, score: best };
  }

  /** Forgets the kept crops (a new attempt), keeping the track. */
  newAttempt(): void {
    this.dropKept();
  }

  /** Forgets the track and the kept crops. */
  reset(): void {
    this.track = null;
    this.dropKept();
  }

  dispose(): void {
    this.reset();
  }

  private async acquire(frame: TrackerFrame): Promise<TrackedFrame> {
    const found = (await this.detector.detect(frame.tensor()))[0];
    if (!found) return { face: null, fresh: false, work: 'acquire' };
    this.dropKept();
    this.track = newTrack(found);
    return { face: this.fromDetection(frame, found), fresh: false, work: 'acquire' };
  }

  /** A face from a detection alone (no landmarks on this frame), its crop aligned on BlazeFace's points. */
  private fromDetection(frame: TrackerFrame, d: Detection): FaceAnalysis {
    const { inputSize, crop } = this.embedder.spec;
    const t = templateFor(inputSize, crop);
    const template: Point[] = [t[0]!, t[1]!, t[2]!, [(t[3]![0] + t[4]![0]) / 2, (t[3]![1] + t[4]![1]) / 2]];
    const alignment = estimateSimilarity(blazefacePoints(d), template);
    const quality = faceQuality(d, frame.width, frame.height, alignment, inputSize, null);
    const face: FaceAnalysis = {
      detection: d,
      shape: null,
      alignment,
      quality,
      embedding: EMPTY,
      modelId: this.embedder.id,
    };
    // Without landmarks the crop is rougher: it counts for half, so a measured frame replaces it.
    this.consider(frame, face, quality.score * 0.5);
    return face;
  }

  /** Keeps this frame's aligned crop when it is among the best `keep` of the track. */
  private consider(frame: TrackerFrame, face: FaceAnalysis, score: number): void {
    const { keep } = this.options;
    if (this.kept.length >= keep && score <= this.kept[keep - 1]!.score) return;
    const crop = alignFaces(frame.tensor(), [face.alignment], this.embedder.spec.inputSize);
    this.kept.push({ crop, score });
    this.kept.sort((a, b) => b.score - a.score);
    while (this.kept.length > keep) this.kept.pop()!.crop.dispose();
  }

  private dropKept(): void {
    for (const k of this.kept) k.crop.dispose();
    this.kept = [];
  }
}

/** The L2-normalised mean of L2-normalised embeddings. */
export function fuseEmbeddings(embeddings: Float32Array[]): Float32Array {
  const dim = embeddings[0]?.length ?? 0;
  const out = new Float32Array(dim);
  for (const e of embeddings) for (let i = 0; i < dim; i++) out[i]! += e[i]!;
  let norm = 0;
  for (let i = 0; i < dim; i++) norm += out[i]! * out[i]!;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < dim; i++) out[i]! /= norm;
  return out;
}
