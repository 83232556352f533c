// Enrolment: which faces become templates. From a photo, the one face if it is good enough, or
// the person's own choice when it shows several (the largest offered first); from the
// camera, a few frames with one clear face that differ from each other; from stored thumbnails, one template
// each with the active embedder. Plain functions over the face engine's interface (engine.ts),
// with only type imports, so the gallery store can use them without loading tfjs and tests can
// run them in Node with a fake engine.
import type { Box } from './decode';
import type { AnalysedFrame, FaceEngine, FrameInput } from './engine';
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

/**
 * Two faces count as "of similar size" when the smaller one's side is at least this share of the
 * larger one's. Then neither is clearly the subject of a camera frame, and the frame is skipped.
 */
export const SIMILAR_FACE_RATIO = 0.7;

/** A face box's side in pixels (BlazeFace boxes are near square; the longer side is taken). */
export function faceSide(face: FaceAnalysis): number {
  return Math.max(face.detection.box.width, face.detection.box.height);
}

/** Indices of `faces`, largest first (ties keep their order). */
function bySizeDescending(faces: readonly FaceAnalysis[]): number[] {
  return faces.map((_, i) => i).sort((a, b) => faceSide(faces[b]!) - faceSide(faces[a]!) || a - b);
}

/** Whether the two largest faces are of similar size, so that the largest is no clear choice. */
export function hasSimilarSizedFaces(faces: readonly FaceAnalysis[], ratio = SIMILAR_FACE_RATIO): boolean {
  if (faces.length < 2) return false;
  const [first, second] = bySizeDescending(faces);
  return faceSide(faces[second!]!) >= ratio * faceSide(faces[first!]!);
}

/** Where a box lies in a frame, in words: "at the top left", "at the right", "in the middle". */
export function placeInFrame(box: Box, width: number, height: number): string {
  const u = (box.x + box.width / 2) / Math.max(1, width);
  const v = (box.y + box.height / 2) / Math.max(1, height);
  const across = u < 1 / 3 ? 'left' : u > 2 / 3 ? 'right' : null;
  const down = v < 1 / 3 ? 'top' : v > 2 / 3 ? 'bottom' : null;
  return across || down ? `at the ${[down, across].filter(Boolean).join(' ')}` : 'in the middle';
}

/** A sentence when the face cap left faces out, else null; `found` is the detector's count. */
export function faceCapNotice(found: number | undefined, analysed: number): string | null {
  if (found === undefined || found <= analysed) return null;
  return `${found} faces were found, more than Facet looks at in one photo; only the ${analysed} clearest were used.`;
}

/** What enrolment from a photo does with its faces. */
export type FaceChoice =
  /** The only face of the photo. */
  | { kind: 'face'; index: number }
  /**
   * Several faces: the person enrolling says which one, even when one is much larger (a group
   * photo's largest face need not be the person being enrolled); `largest` is offered first.
   */
  | { kind: 'ask'; largest: number };

/** Which face of a photo to enrol: the only one, or a question with the largest offered first. Refuses a photo without faces. */
export function chooseEnrolmentFace(frame: Pick<AnalysedFrame, 'faces'>, label: string): FaceChoice {
  const { faces } = frame;
  if (faces.length === 0)
    throw new Error(`No face was found in ${label}. Use a photo where the face is clear and frontal.`);
  if (faces.length === 1) return { kind: 'face', index: 0 };
  return { kind: 'ask', largest: bySizeDescending(faces)[0]! };
}

/** The face itself if it is good enough to enrol from a photo; otherwise a sentence why not. */
export function checkPhotoFace(face: FaceAnalysis, label: string): FaceAnalysis {
  if (face.quality.score < MIN_PHOTO_QUALITY) {
    throw new Error(
      `The face in ${label} is not good enough to enroll${face.quality.reasons.length ? `: ${face.quality.reasons.join(' ')}` : '.'}`,
    );
  }
  return face;
}

/** The face to enrol from a photo's faces: the largest, if it is good enough; otherwise a sentence why not. */
export function pickEnrolmentFace(faces: FaceAnalysis[], label: string): FaceAnalysis {
  if (faces.length === 0)
    throw new Error(`No face was found in ${label}. Use a photo where the face is clear and frontal.`);
  return checkPhotoFace(faces[bySizeDescending(faces)[0]!]!, label);
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

export interface CaptureResult {
  kept: EnrolmentFrame[];
  /** Frames skipped because two faces of similar size were in view, so whose is unclear. */
  crowded: number;
}

/**
 * Looks at camera frames until `frames` distinct good ones are kept or time runs out; may keep
 * none. Each frame's largest face is the one looked at, and a frame with two faces of similar
 * size is skipped: the templates must not mix two people.
 */
export async function captureDistinctFrames(
  engine: FaceAnalyser,
  source: FrameInput,
  options: CaptureOptions,
): Promise<CaptureResult> {
  const now = options.now ?? (() => performance.now());
  const pause = options.pause ?? (() => new Promise<void>((r) => setTimeout(r, 150)));
  const kept: EnrolmentFrame[] = [];
  let crowded = 0;
  const deadline = now() + options.timeoutMs;
  while (kept.length < options.frames && now() < deadline) {
    const { faces, thumbnails } = await engine.analyseWithThumbnails(source, 2);
    if (hasSimilarSizedFaces(faces)) crowded++;
    else if (faces.length > 0) {
      const index = bySizeDescending(faces)[0]!;
      const face = faces[index]!;
      if (isDistinctFrame(face, kept)) kept.push({ face, thumbnail: thumbnails[index]! });
    }
    options.onProgress?.(kept.length);
    await pause();
  }
  return { kept, crowded };
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
