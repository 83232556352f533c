// The face engine: one service that turns frames (camera, photo) into plain face results with
// one embedder — createFaceEngine(embedder, models) → analyse(source) / analyseWithThumbnails(…)
// → close(). It composes the pipeline's stages (detector, FaceMesh, alignment, embedding) and
// owns the frame tensors it makes; the models stay their loader's.
import * as tf from '@tensorflow/tfjs';
import { tensorToBlob } from '../core/image';
import { FrameGrabber, pixelsToTensor } from '../runtime/frames';
import { FaceDetector } from './detector';
import {
  createEmbeddingNetwork,
  Embedder,
  EMBEDDERS,
  type EmbedderId,
  type EmbedderModels,
  type EmbeddingNetwork,
} from './embedder';
import { LandmarkModel } from './landmarks';
import { FacePipeline, landmarkStage, type FaceAnalysis } from './pipeline';
import { FaceTracker, type Decision, type FrameWork, type TrackerFrame, type TrackerOptions } from './tracker';
import { canvasFrame } from './video-frame';

export type FrameInput = HTMLVideoElement | ImageBitmap;

/** One embedding network per embedder, kept by the caller so engines for one embedder share it. */
export type EmbeddingNetworks = Map<EmbedderId, Promise<EmbeddingNetwork>>;

export interface AnalysedFrame {
  faces: FaceAnalysis[];
  /**
   * How many faces the detector found; more than `faces.length` when the cap (`maxFaces`, by
   * default pipeline.ts MAX_FACES) left some out. Absent where nobody counted (test fakes).
   */
  found?: number;
  width: number;
  height: number;
  ms: number;
}

/** The side of the stored thumbnails: looser than any embedder's crop (pipeline.ts). */
export const THUMBNAIL_SIZE = 160;

export interface FaceEngine {
  readonly embedderId: EmbedderId;
  /** The composed stages, for benchmarks that time them one by one. */
  readonly pipeline: FacePipeline;
  /**
   * Runs every stage on one frame, faces best first. `onFrame` sees the frame tensor ([H, W, 3]
   * in 0..1) and the faces before the frame is released, for work that needs the pixels
   * (liveness crops); it must not dispose the frame.
   */
  analyse<T = void>(
    source: FrameInput,
    maxFaces?: number,
    onFrame?: (frame: tf.Tensor3D, faces: FaceAnalysis[]) => Promise<T> | T,
  ): Promise<AnalysedFrame & { extra?: T }>;
  /** Analyses and also returns a JPEG thumbnail of each face's aligned crop. */
  analyseWithThumbnails(source: FrameInput, maxFaces?: number): Promise<AnalysedFrame & { thumbnails: Blob[] }>;
  /**
   * The video path (tracker.ts): follows one face from the previous call's frame into this one,
   * at most one read-back, no embedding. `faces` holds the tracked face with an empty
   * `embedding` (ask `decide()`); `onFrame` runs only on frames whose landmarks were measured on
   * them (`fresh`), so per-frame cues never see a sample twice. `t`: the frame's time in ms.
   */
  track<T = void>(
    source: FrameInput,
    onFrame?: (frame: tf.Tensor3D, faces: FaceAnalysis[]) => Promise<T> | T,
    t?: number,
  ): Promise<AnalysedFrame & { extra?: T; fresh: boolean; work: FrameWork }>;
  /** The tracked face's probe: the best few frames' crops embedded in one batch and fused. */
  decide(): Promise<Decision | null>;
  /** A new attempt: the crops kept so far are forgotten, the track is kept. */
  newAttempt(): void;
  close(): void;
}

/** Stands in for a frame the tracker will not read (tracker.willCarry). */
const EMPTY_FRAME: TrackerFrame = {
  width: 0,
  height: 0,
  cropSquare: () => {
    throw new Error('A carried frame has no pixels.');
  },
  tensor: () => {
    throw new Error('A carried frame has no pixels.');
  },
};

/** The frame the models are warmed up on: a webcam's usual size, so the same kernels are ready. */
const WARM_UP_FRAME: [number, number] = [480, 640];

async function cropsToJpegs(crops: tf.Tensor4D): Promise<Blob[]> {
  const out: Blob[] = [];
  for (let i = 0; i < crops.shape[0]; i++) {
    const one = tf.tidy(() => crops.slice([i], [1]).squeeze([0]).clipByValue(0, 1) as tf.Tensor3D);
    try {
      out.push(await tensorToBlob(one, 'image/jpeg', 0.85));
    } finally {
      one.dispose();
    }
  }
  return out;
}

/**
 * Runs every model once on a blank webcam-sized frame, so that the first unlock does not pay for
 * shader compilation, kernel set-up and the first weight uploads.
 */
async function warmUp(detector: FaceDetector, landmarks: LandmarkModel, embedder: Embedder): Promise<void> {
  const [h, w] = WARM_UP_FRAME;
  const frame = tf.zeros<tf.Rank.R3>([h, w, 3]);
  const size = embedder.spec.inputSize;
  const crop = tf.zeros<tf.Rank.R4>([1, size, size, 3]);
  try {
    await detector.detect(frame);
    await landmarks.estimate(frame, [{ x: w / 4, y: h / 4, width: h / 2, height: h / 2, roll: 5 }]);
    await embedder.embed(crop);
  } finally {
    frame.dispose();
    crop.dispose();
  }
}

/**
 * Builds the engine for `embedderId` from `models`. Our own embedding networks hold folded weight
 * copies, so `networks` (one per embedder, kept by the caller for the page's life) lets engines
 * for the same embedder share one.
 */
export async function createFaceEngine(
  embedderId: EmbedderId,
  models: EmbedderModels,
  networks: EmbeddingNetworks = new Map(),
  trackerOptions: Partial<TrackerOptions> = {},
): Promise<FaceEngine> {
  let network = networks.get(embedderId);
  if (!network) {
    network = createEmbeddingNetwork(EMBEDDERS[embedderId], models);
    network.catch(() => networks.delete(embedderId));
    networks.set(embedderId, network);
  }
  const [blazeface, facemesh, embedding] = await Promise.all([
    models.graph('blazeface'),
    models.graph('facemesh'),
    network,
  ]);
  const detector = new FaceDetector(blazeface);
  const embedder = new Embedder(embedding, EMBEDDERS[embedderId]);
  const landmarks = new LandmarkModel(facemesh);
  const pipeline = new FacePipeline(detector, embedder, landmarkStage(landmarks));
  const tracker = new FaceTracker(detector, landmarks, embedder, trackerOptions);
  await warmUp(detector, landmarks, embedder);
  const grabber = new FrameGrabber();
  let scratch: HTMLCanvasElement | null = null;
  const toTensor = (source: FrameInput) =>
    typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement
      ? grabber.toTensor(source)
      : pixelsToTensor(source as ImageBitmap);

  const engine: FaceEngine = {
    embedderId,
    pipeline,

    async analyse(source, maxFaces, onFrame) {
      const t0 = performance.now();
      const frame = toTensor(source);
      try {
        const { faces, found } = await pipeline.analyseCounted(frame, maxFaces);
        const ms = performance.now() - t0;
        const extra = onFrame ? await onFrame(frame, faces) : undefined;
        return { faces, found, width: frame.shape[1], height: frame.shape[0], ms, extra };
      } finally {
        frame.dispose();
      }
    },

    async analyseWithThumbnails(source, maxFaces) {
      const result = await engine.analyse(source, maxFaces, async (frame, faces) => {
        const crops = pipeline.alignedCrops(frame, faces, THUMBNAIL_SIZE);
        try {
          return await cropsToJpegs(crops);
        } finally {
          crops.dispose();
        }
      });
      return { ...result, thumbnails: result.extra ?? [] };
    },

    async track(source, onFrame, t = performance.now()) {
      const t0 = performance.now();
      const width = source instanceof ImageBitmap ? source.width : source.videoWidth;
      const height = source instanceof ImageBitmap ? source.height : source.videoHeight;
      if (tracker.willCarry(t)) {
        // Between landmark runs: the last face again, and the frame is not even read.
        const { face } = await tracker.next(EMPTY_FRAME, t);
        const faces = face ? [face] : [];
        return { faces, found: faces.length, width, height, ms: performance.now() - t0, fresh: false, work: 'carried' };
      }
      // A video frame is copied once so that every stage sees the same picture; a bitmap is one.
      const frame = canvasFrame(
        source instanceof ImageBitmap ? source : grabber.grab(source),
        (scratch ??= document.createElement('canvas')),
      );
      try {
        const { face, fresh, work } = await tracker.next(frame, t);
        const faces = face ? [face] : [];
        const ms = performance.now() - t0;
        const extra = onFrame && fresh ? await onFrame(frame.tensor(), faces) : undefined;
        return { faces, found: faces.length, width: frame.width, height: frame.height, ms, extra, fresh, work };
      } finally {
        frame.dispose();
      }
    },

    decide: () => tracker.decide(),
    newAttempt: () => tracker.newAttempt(),

    close() {
      // The models and networks are the loader's and the cache's; only the kept crops are ours.
      tracker.dispose();
    },
  };
  return engine;
}
