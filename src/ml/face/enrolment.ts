// Enrolment: which faces become templates. From a photo, the largest face if it is good enough;
// from the camera, a few frames that differ from each other; from stored thumbnails, one template
// each with the active embedder. Plain functions over the face engine's interface (engine.ts),
// with only type imports, so the gallery store can use them without loading tfjs and tests can
// run them in Node with a fake engine.
import type { FaceEngine, FrameInput } from './engine';
import type { FaceAnalysis } from './pipeline';
import { dot } from './similarity';

/** The analyses enrolment needs from an engine. */
export type FaceAnalyser = Pick<FaceEngine, 'analyse' | 'analyseWithThumbnails'>;

/** Below this a photo's face is refused: its embedding would match its owner poorly. */
export const MIN_PHOTO_QUALITY = 0.25;
/** Camera frames are plentiful, so they can be held to a higher bar than a photo. */
export const MIN_FRAME_QUALITY = 0.3;
/** Frames whose embeddings are this close repeat one moment and add nothing to the templates. */
export const SAME_FRAME_COSINE = 0.995;

/** The face to enrol from a photo's faces: the largest, if it is good enough; otherwise a sentence why not. */
export function pickEnrolmentFace(faces: FaceAnalysis[], label: string): FaceAnalysis {
  if (faces.length === 0)
    throw new Error(`No face was found in ${label}. Use a photo where the face is clear and frontal.`);
  const largest = [...faces].sort((a, b) => b.detection.box.height - a.detection.box.height)[0]!;
  if (largest.quality.score < MIN_PHOTO_QUALITY) {
    throw new Error(
      `The face in ${label} is not good enough to enroll${largest.quality.reasons.length ? `: ${largest.quality.reasons.join(' ')}` : '.'}`,
    );
  }
  return largest;
}

export interface EnrolmentFrame {
  face: FaceAnalysis;
  thumbnail: Blob;
}

/**
 * Whether a camera face is worth keeping next to `kept`: good enough, and not a near copy of one
 * kept already, so the templates cover some variation of pose and expression.
 */
export function isDistinctFrame(face: FaceAnalysis, kept: readonly EnrolmentFrame[]): boolean {
  if (face.quality.score < MIN_FRAME_QUALITY) return false;
  return kept.every(({ face: k }) => dot(k.embedding, face.embedding) < SAME_FRAME_COSINE);
}

export interface CaptureOptions {
  frames: number;
  timeoutMs: number;
  /** Told after every frame looked at how many are kept. */
  onProgress?(kept: number): void;
  now?(): number;
  /** Between frames, so the person has time to move. */
  pause?(): Promise<void>;
}

/** Looks at camera frames until `frames` distinct good ones are kept or time runs out; may keep none. */
export async function captureDistinctFrames(
  engine: FaceAnalyser,
  source: FrameInput,
  options: CaptureOptions,
): Promise<EnrolmentFrame[]> {
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? (() => new Promise<void>((r) => setTimeout(r, 150)));
  const kept: EnrolmentFrame[] = [];
  const deadline = now() + options.timeoutMs;
  while (kept.length < options.frames && now() < deadline) {
    const { faces, thumbnails } = await engine.analyseWithThumbnails(source, 1);
    const face = faces[0];
    if (face && isDistinctFrame(face, kept)) kept.push({ face, thumbnail: thumbnails[0]! });
    options.onProgress?.(kept.length);
    await pause();
  }
  return kept;
}

/** A stored thumbnail's image, decoded; the caller closes it. */
export type ThumbnailDecoder = (blob: Blob) => Promise<ImageBitmap>;

/**
 * One face per stored thumbnail (an aligned face crop), embedded by `engine`; a thumbnail in which
 * no face is found is left out. Refuses faces from another embedder: the active model was changed
 * while this ran, and its templates would be filed under the wrong one.
 */
export async function reembedThumbnails(
  engine: Pick<FaceEngine, 'analyse'>,
  thumbnails: readonly Blob[],
  options: {
    modelId: string;
    decode: ThumbnailDecoder;
    onProgress?(done: number, total: number): void;
    /** Each face as it is made, so that what was stored survives a later failure. */
    onFace?(face: FaceAnalysis): Promise<void>;
  },
): Promise<FaceAnalysis[]> {
  const faces: FaceAnalysis[] = [];
  for (const [i, blob] of thumbnails.entries()) {
    options.onProgress?.(i, thumbnails.length);
    const bitmap = await options.decode(blob);
    try {
      const face = (await engine.analyse(bitmap, 1)).faces[0];
      if (!face) continue;
      if (face.modelId !== options.modelId) {
        throw new Error('The face recognition model was changed while re-embedding; run it again.');
      }
      await options.onFace?.(face);
      faces.push(face);
    } finally {
      bitmap.close();
    }
  }
  return faces;
}
