// The liveness of one unlock attempt, fed from the frame the face engine has just analysed:
// eyes and pose for the blink and challenge cues, an aligned grey crop for the motion cue, and
// the passive models' scores every few frames (they are the heaviest stage and only advisory).
// createLivenessAttempt(settings, passive) → observe(frame, face) → dispose().
import type * as tf from '@tensorflow/tfjs';
import type { FaceAnalysis } from '../face/pipeline';
import { blazefacePoints } from '../face/pipeline';
import { isCueOn, livenessOff, type LivenessSettings } from './fusion';
import type { LightResult } from './light-challenge';
import type { PassiveLiveness } from './passive';
import { greyFaceCrop, LivenessSession, type LivenessVerdict } from './session';

/** Passive scores are taken on one frame in this many. */
export const PASSIVE_EVERY = 3;

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
      if (isCueOn(settings, 'passive') && frames++ % PASSIVE_EVERY === 0) {
        const model = await passive();
        scores = model ? await model.score(frame, face.detection.box) : undefined;
      }
      return session.observe({
        t: t ?? performance.now(),
        eyes: face.shape?.eyes ?? null,
        pose: face.shape?.pose ?? null,
        crop,
        passive: scores,
      });
    },
    dispose() {
      session.dispose();
    },
  };
}
