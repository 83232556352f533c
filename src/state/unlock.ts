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
import { faceThreshold, useFaces, type AnalysedFrame } from './faces';
import { useGallery } from './gallery';
import { useSettings } from './settings';

/**
 * Where liveness checks plug in. While the machine is 'checking', every analysed frame is
 * given to each check; the attempt proceeds to matching once all have passed, and fails as
 * soon as one fails (its reasons are shown to the user).
 */
export interface LivenessCheck {
  id: string;
  reset(): void;
  observe(frame: AnalysedFrame): { pass: boolean; reasons: string[] } | null;
}

const livenessChecks: LivenessCheck[] = [];

export function registerLivenessCheck(check: LivenessCheck): () => void {
  livenessChecks.push(check);
  return () => livenessChecks.splice(livenessChecks.indexOf(check), 1);
}

interface UnlockStore {
  machine: UnlockState;
  running: boolean;
  /** null: anyone enrolled may unlock; otherwise 1:1 verification against this identity. */
  target: string | null;
  face: { box: Box; width: number; height: number } | null;
  msPerFrame: number | null;
  error: string | null;
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
        const frame = await useFaces.getState().analyse(video, 1);
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
            if (get().machine.current.phase === 'checking') livenessChecks.forEach((c) => c.reset());
          }
          if (get().machine.current.phase === 'checking') {
            const verdicts = livenessChecks.map((c) => c.observe(frame));
            const failed = verdicts.find((v) => v && !v.pass);
            if (failed) dispatch({ type: 'liveness', pass: false, reasons: failed.reasons, now: Date.now() });
            else if (verdicts.every((v) => v?.pass))
              dispatch({ type: 'liveness', pass: true, reasons: [], now: Date.now() });
          }
          if (get().machine.current.phase === 'matching') {
            const outcome = await useGallery.getState().match(face.embedding, face.modelId, get().target);
            if (loopId === id) dispatch({ type: 'match', outcome, now: Date.now() });
          }
        }
        set({ error: null });
      } catch (e) {
        set({ error: e instanceof Error ? e.message : String(e) });
        await pause(1000);
      }
      await pause(30);
    }
  }

  return {
    machine: initialUnlockState(),
    running: false,
    target: null,
    face: null,
    msPerFrame: null,
    error: null,

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
      set({ running: false, face: null });
    },

    retry() {
      dispatch({ type: 'retry', now: Date.now() });
    },
  };
});
