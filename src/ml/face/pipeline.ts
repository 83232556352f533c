// The face pipeline as a short composition of stages:
//   frame → detect → (landmarks) → align → embed → plain results
// Landmarks are optional: without them the alignment uses BlazeFace's own keypoints (eyes,
// nose tip, mouth centre), fitted to the same ArcFace template.
import * as tf from '@tensorflow/tfjs';
import {
  alignFaces,
  estimateSimilarity,
  templateFor,
  type Point,
  type SimilarityFit,
  type TemplateOptions,
} from './align';
import type { Detection, FaceDetector } from './detector';
import type { Embedder } from './embedder';
import { QUALITY_ADVICE, rollFromEyes } from './face-geometry';
import type { LandmarkModel } from './landmarks';

/** What a landmark stage contributes for one face. */
export interface FaceShape {
  /** The five ArcFace points in template order: image-left eye, image-right eye, nose, mouth corners. */
  points5: Point[];
  pose: { yaw: number; pitch: number; roll: number } | null;
  eyes: { left: number; right: number } | null;
  confidence: number;
  /** Quality from the landmarks (size, pose, blur, framing), with advice for the user. */
  quality: FaceQuality | null;
}

export interface LandmarkStage {
  estimate(frame: tf.Tensor3D, detections: Detection[]): Promise<FaceShape[]>;
}

export interface FaceQuality {
  /** 0..1: 1 is a large, frontal, well-aligned face. */
  score: number;
  reasons: string[];
}

export interface StageTimings {
  detect: number;
  landmarks: number;
  align: number;
  embed: number;
}

export interface FaceAnalysis {
  detection: Detection;
  shape: FaceShape | null;
  alignment: SimilarityFit;
  quality: FaceQuality;
  /** L2-normalised embedding from `modelId`. */
  embedding: Float32Array;
  modelId: string;
}

/** Template points matching BlazeFace keypoints: the mouth centre is the mean of the corners. */
function blazefaceTemplate(size: number, crop: TemplateOptions): Point[] {
  const t = templateFor(size, crop);
  return [t[0]!, t[1]!, t[2]!, [(t[3]![0] + t[4]![0]) / 2, (t[3]![1] + t[4]![1]) / 2]];
}

/** BlazeFace keypoints in template order (image-left eye first). */
export function blazefacePoints(d: Detection): Point[] {
  const [e0, e1, nose, mouth] = d.keypoints as [Point, Point, Point, Point];
  const [left, right] = e0[0] <= e1[0] ? [e0, e1] : [e1, e0];
  return [left, right, nose, mouth];
}

/**
 * A quality score from what every frame has: face size in the frame, the alignment residual
 * (high for profiles and bad keypoints) and, when known, the head pose.
 */
export function faceQuality(
  d: Detection,
  frameWidth: number,
  frameHeight: number,
  alignment: SimilarityFit,
  cropSize: number,
  shape: FaceShape | null,
): FaceQuality {
  const reasons: string[] = [];
  const relSize = d.box.height / Math.min(frameWidth, frameHeight);
  const sizeScore = Math.min(1, relSize / 0.25);
  if (relSize < 0.12) reasons.push('Move closer to the camera.');
  const fitScore = Math.max(0, 1 - alignment.rms / (0.06 * cropSize));
  if (fitScore < 0.5) reasons.push('Face the camera straight on.');
  let poseScore = 1;
  if (shape?.pose) {
    const worst = Math.max(Math.abs(shape.pose.yaw), Math.abs(shape.pose.pitch));
    poseScore = Math.max(0, 1 - worst / 45);
    if (worst > 25) reasons.push('Turn your head towards the camera.');
  }
  const score =
    Math.min(1, Math.max(0, 0.4 * sizeScore + 0.3 * fitScore + 0.3 * poseScore)) * Math.min(1, d.score / 0.6);
  return { score, reasons };
}

/**
 * Faces analysed in one frame at most (each one costs a FaceMesh and an embedding run). A group
 * photo of 36 people fits; beyond it the detector's count still says how many were found.
 */
export const MAX_FACES = 50;

/** A frame's analysed faces (best first, at most the cap asked for) and how many the detector found. */
export interface CountedFaces {
  faces: FaceAnalysis[];
  /** More than `faces.length` when the cap left some out. */
  found: number;
}

/** Thumbnails are looser than any embedder's crop, so re-embedding from them sees the whole face. */
const THUMBNAIL_CROP: TemplateOptions = { zoom: 0.8 };

/** The image → crop similarity for one face: from the FaceMesh points, or BlazeFace's without them. */
function alignmentOf(d: Detection, shape: FaceShape | null, size: number, crop: TemplateOptions): SimilarityFit {
  return shape
    ? estimateSimilarity(shape.points5, templateFor(size, crop))
    : estimateSimilarity(blazefacePoints(d), blazefaceTemplate(size, crop));
}

export class FacePipeline {
  constructor(
    private readonly detector: FaceDetector,
    private readonly embedder: Embedder,
    private readonly landmarks: LandmarkStage | null = null,
  ) {}

  get modelId(): string {
    return this.embedder.id;
  }

  detect(frame: tf.Tensor3D): Promise<Detection[]> {
    return this.detector.detect(frame);
  }

  /**
   * Runs every stage on `frame` ([H, W, 3] in 0..1, not disposed). Faces come best first.
   * With `timings`, each stage's milliseconds are added to it; alignment then waits for the
   * GPU so that its time is not counted in the embedding's.
   */
  async analyse(frame: tf.Tensor3D, maxFaces = MAX_FACES, timings?: StageTimings): Promise<FaceAnalysis[]> {
    return (await this.analyseCounted(frame, maxFaces, timings)).faces;
  }

  /** `analyse`, also saying how many faces the detector found before the cap. */
  async analyseCounted(frame: tf.Tensor3D, maxFaces = MAX_FACES, timings?: StageTimings): Promise<CountedFaces> {
    let t = performance.now();
    const lap = (stage: keyof StageTimings) => {
      if (!timings) return;
      const now = performance.now();
      timings[stage] += now - t;
      t = now;
    };
    const found = await this.detector.detect(frame);
    const detections = found.slice(0, maxFaces);
    lap('detect');
    if (detections.length === 0) return { faces: [], found: found.length };
    const shapes = this.landmarks ? await this.landmarks.estimate(frame, detections) : null;
    lap('landmarks');
    const { inputSize, crop } = this.embedder.spec;
    const fits = detections.map((d, i) => alignmentOf(d, shapes?.[i] ?? null, inputSize, crop));
    const crops = alignFaces(frame, fits, inputSize);
    let embeddings: Float32Array[];
    try {
      if (timings) await crops.data();
      lap('align');
      embeddings = await this.embedder.embed(crops);
      lap('embed');
    } finally {
      crops.dispose();
    }
    const [height, width] = frame.shape;
    const faces = detections.map((detection, i): FaceAnalysis => {
      const shape = shapes?.[i] ?? null;
      return {
        detection,
        shape,
        alignment: fits[i]!,
        quality: faceQuality(detection, width, height, fits[i]!, inputSize, shape),
        embedding: embeddings[i]!,
        modelId: this.embedder.id,
      };
    });
    return { faces, found: found.length };
  }

  /** Aligned crops for display (e.g. thumbnails), [N, size, size, 3] in 0..1; caller disposes. */
  alignedCrops(frame: tf.Tensor3D, faces: FaceAnalysis[], size = 112): tf.Tensor4D {
    return alignFaces(
      frame,
      faces.map((f) => alignmentOf(f.detection, f.shape, size, THUMBNAIL_CROP)),
      size,
    );
  }
}

/** Adapts the FaceMesh stage to the pipeline, rotating each crop upright by the detector's eye line. */
export function landmarkStage(model: LandmarkModel): LandmarkStage {
  return {
    async estimate(frame, detections) {
      const boxes = detections.map((d) => {
        const [left, right] = blazefacePoints(d) as [Point, Point];
        return { ...d.box, roll: rollFromEyes(left, right) };
      });
      const faces = await model.estimate(frame, boxes);
      return faces.map((f) => ({
        points5: f.fivePoints,
        pose: f.pose,
        eyes: f.eyes,
        confidence: f.confidence,
        quality: { score: f.quality.score, reasons: f.quality.reasons.map((r) => QUALITY_ADVICE[r]) },
      }));
    },
  };
}
