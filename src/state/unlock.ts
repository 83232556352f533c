// Face Unlock: a camera loop that feeds the unlock state machine. Each pass analyses one
// frame, then yields to the browser, so the page stays responsive on slow backends.
import { create } from 'zustand';
import type { Box } from '../ml/face/decode';
import {
  initialUnlockState,
  unlockReducer,
  type UnlockConfig,
  type UnlockEvent,
  type UnlockState,
} from '../ml/face/unlock-machine';
import type * as tf from '@tensorflow/tfjs';
import { blazefacePoints, type FaceAnalysis } from '../ml/face/pipeline';
import { CUE_NAMES, isCueOn, type LivenessSettings } from '../ml/liveness/fusion';
import { PassiveLiveness } from '../ml/liveness/passive';
import { greyFaceCrop, LivenessSession, type LivenessVerdict } from '../ml/liveness/session';
import { faceThreshold, useFaces } from './faces';
import { useModels } from './models';
import { useGallery } from './gallery';
import { useSettings } from './settings';
import { errorMessage } from '../ml/core/errors';

let session: LivenessSession | null = null;
let passive: Promise<PassiveLiveness | null> | null = null;
let passiveFrames = 0;
/** The anti-spoof model is the heaviest stage and only advisory: score every this many frames. */
const PASSIVE_EVERY = 3;

function livenessOff(s: LivenessSettings): boolean {
  return CUE_NAMES.every((c) => !isCueOn(s, c));
}

/** The passive models from the registry (it owns them: never disposed here); null if they will not load. */
function passiveModels(): Promise<PassiveLiveness | null> {
  passive ??= Promise.all([useModels.getState().load('antispoof'), useModels.getState().load('liveness')]).then(
    ([antispoof, liveness]) => new PassiveLiveness({ antispoof, liveness }),
    () => {
      passive = null;
      return null;
    },
  );
  return passive;
}

/** One liveness observation from the frame the pipeline just analysed. */
async function observe(frame: tf.Tensor3D, face: FaceAnalysis, settings: LivenessSettings): Promise<LivenessVerdict> {
  const current = session!;
  const crop = isCueOn(settings, 'motion')
    ? greyFaceCrop(frame, face.shape?.points5 ?? blazefacePoints(face.detection))
    : undefined;
  let scores: { antispoof: number; liveness: number } | undefined;
  if (isCueOn(settings, 'passive') && passiveFrames++ % PASSIVE_EVERY === 0) {
    const model = await passiveModels();
    scores = model ? await model.score(frame, face.detection.box) : undefined;
  }
  return current.observe({
    t: performance.now(),
    eyes: face.shape?.eyes ?? null,
    pose: face.shape?.pose ?? null,
    crop,
    passive: scores,
  });
}

interface UnlockStore {
  machine: UnlockState;
  running: boolean;
  /** null: anyone enrolled may unlock; otherwise 1:1 verification against this identity. */
  target: string | null;
  face: { box: Box; width: number; height: number } | null;
  msPerFrame: number | null;
  error: string | null;
  /** The current attempt's liveness verdict, cue by cue, for the page. */
  liveness: LivenessVerdict | null;
  setTarget(id: string | null): void;
  start(video: HTMLVideoElement): void;
  stop(): void;
  retry(): void;
}

function configFromSettings(): Partial<UnlockConfig> {
  const s = useSettings.getState();
  return { threshold: faceThreshold(), maxFailures: s.unlockMaxFailures, lockoutMs: s.unlockLockoutSeconds * 1000 };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let loopId = 0;

export const useUnlock = create<UnlockStore>()((set, get) => {
  const dispatch = (event: UnlockEvent) => set({ machine: unlockReducer(get().machine, event) });

  async function loop(id: number, video: HTMLVideoElement) {
    while (loopId === id) {
      const phase = get().machine.current.phase;
      if (phase === 'locked-out') {
        dispatch({ type: 'tick', now: Date.now() });
        await pause(250);
        continue;
      }
      if (phase === 'unlocked') break;
      if (phase === 'denied') {
        await pause(1200);
        if (loopId === id) dispatch({ type: 'retry', now: Date.now() });
        continue;
      }
      try {
        const settings = useSettings.getState().liveness;
        const frame = await useFaces
          .getState()
          .analyse(video, 1, (tensor, faces) =>
            faces[0] && session && get().machine.current.phase === 'checking'
              ? observe(tensor, faces[0], settings)
              : null,
          );
        if (loopId !== id) break;
        const face = frame.faces[0];
        set({
          msPerFrame: frame.ms,
          face: face ? { box: face.detection.box, width: frame.width, height: frame.height } : null,
        });
        if (!face) {
          dispatch({ type: 'no-face', now: Date.now() });
        } else {
          if (get().machine.current.phase === 'looking') {
            dispatch({ type: 'face', quality: face.quality.score, reasons: face.quality.reasons, now: Date.now() });
            if (get().machine.current.phase === 'checking') startLiveness(settings);
          }
          if (get().machine.current.phase === 'checking') {
            const verdict = frame.extra ?? session?.verdict ?? null;
            if (livenessOff(settings)) dispatch({ type: 'liveness', pass: true, reasons: [], now: Date.now() });
            else if (verdict) {
              set({ liveness: verdict });
              if (verdict.status !== 'pending') {
                dispatch({
                  type: 'liveness',
                  pass: verdict.status === 'pass',
                  reasons: verdict.reasons,
                  now: Date.now(),
                });
              }
            }
          }
          if (get().machine.current.phase === 'matching') {
            const outcome = await useGallery.getState().match(face.embedding, face.modelId, get().target);
            if (loopId === id) dispatch({ type: 'match', outcome, now: Date.now() });
          }
        }
        set({ error: null });
      } catch (e) {
        set({ error: errorMessage(e) });
        await pause(1000);
      }
      await pause(30);
    }
  }

  function startLiveness(settings: LivenessSettings) {
    session?.dispose();
    session = livenessOff(settings) ? null : new LivenessSession(settings);
    passiveFrames = 0;
    set({ liveness: session?.verdict ?? null });
  }

  return {
    machine: initialUnlockState(),
    running: false,
    target: null,
    face: null,
    msPerFrame: null,
    error: null,
    liveness: null,

    setTarget(target) {
      set({ target });
    },

    start(video) {
      const id = ++loopId;
      const failures = get().machine.failures;
      const previous = get().machine.current;
      // A lockout survives stopping and starting the camera.
      const machine =
        previous.phase === 'locked-out' ? get().machine : { ...initialUnlockState(configFromSettings()), failures };
      set({ running: true, machine: { ...machine, config: { ...machine.config, ...configFromSettings() } } });
      if (get().machine.current.phase !== 'locked-out') dispatch({ type: 'start', now: Date.now() });
      void useGallery.getState().open();
      void loop(id, video).finally(() => {
        if (loopId === id) set({ running: false });
      });
    },

    stop() {
      loopId++;
      if (get().machine.current.phase !== 'locked-out') dispatch({ type: 'stop' });
      session?.dispose();
      session = null;
      set({ running: false, face: null, liveness: null });
    },

    retry() {
      dispatch({ type: 'retry', now: Date.now() });
    },
  };
});
