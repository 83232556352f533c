// The liveness of one unlock attempt, fed from the frame the face engine has just analysed:
// eyes and pose for the blink and challenge cues, an aligned grey crop for the motion cue, and
// the passive models' scores every few frames (they are the heaviest stage and only advisory).
// createLivenessAttempt(settings, passive) → observe(frame, face) → dispose().
import * as tf from '@tensorflow/tfjs';
import type { FaceAnalysis } from '../face/pipeline';
import { blazefacePoints } from '../face/pipeline';
import { isCueOn, livenessOff, type LivenessSettings } from './fusion';
import type { LightResult } from './light-challenge';
import type { PassiveLiveness } from './passive';
import { bezelScore, gridEnergy } from './replay-cues';
import { greyFaceCrop, LivenessSession, type LivenessVerdict } from './session';

/** Passive scores are taken on one frame in this many. */
export const PASSIVE_EVERY = 3;

/** Side of the crop the replay cues read, px: the size they were measured at (measure-liveness.mjs). */
const SCREEN_CROP = 192;

/** The replay cues of one frame, on a square 1.5 × the face box around its centre. */
async function screenScores(frame: tf.Tensor3D, box: FaceAnalysis['detection']['box']) {
  const [h, w] = frame.shape;
  const side = Math.max(box.width, box.height) * 1.5;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const crop = tf.tidy(() =>
    tf.image.cropAndResize(
      frame.expandDims(0) as tf.Tensor4D,
      [[(cy - side / 2) / (h - 1), (cx - side / 2) / (w - 1), (cy + side / 2) / (h - 1), (cx + side / 2) / (w - 1)]],
      [0],
      [SCREEN_CROP, SCREEN_CROP],
    ),
  );
  try {
    const img = { data: await crop.data(), width: SCREEN_CROP, height: SCREEN_CROP };
    return { grid: gridEnergy(img), bezel: bezelScore(img) };
  } finally {
    crop.dispose();
  }
}

export interface LivenessAttempt {
  readonly verdict: LivenessVerdict;
  /** One observation from an analysed frame (not disposed here); resolves to the verdict so far. */
  observe(frame: tf.Tensor3D, face: FaceAnalysis, t?: number): Promise<LivenessVerdict>;
  /** The screen-light challenge's progress or result. */
  recordLight(light: LightResult | 'running'): LivenessVerdict;
  dispose(): void;
}

/**
 * A new attempt, or null when every cue is off. `passive` gives the passive models (null when
 * they will not load); it is asked only when the passive cue is on.
 */
export function createLivenessAttempt(
  settings: LivenessSettings,
  passive: () => Promise<PassiveLiveness | null>,
): LivenessAttempt | null {
  if (livenessOff(settings)) return null;
  const session = new LivenessSession(settings);
  let frames = 0;
  return {
    get verdict() {
      return session.verdict;
    },
    recordLight(light) {
      return session.recordLight(light);
    },
    async observe(frame, face, t) {
      const crop = isCueOn(settings, 'motion')
        ? greyFaceCrop(frame, face.shape?.points5 ?? blazefacePoints(face.detection))
        : undefined;
      let scores: { antispoof: number; liveness: number } | undefined;
      const due = frames++ % PASSIVE_EVERY === 0;
      if (isCueOn(settings, 'passive') && due) {
        const model = await passive();
        scores = model ? await model.score(frame, face.detection.box) : undefined;
      }
      const screen = isCueOn(settings, 'screen') && due ? await screenScores(frame, face.detection.box) : undefined;
      return session.observe({
        t: t ?? performance.now(),
        eyes: face.shape?.eyes ?? null,
        pose: face.shape?.pose ?? null,
        crop,
        passive: scores,
        screen,
      });
    },
    dispose() {
      session.dispose();
    },
  };
}
