// Face Unlock: a camera loop that feeds the unlock state machine. Each pass analyses one
// frame, then yields to the browser, so the page stays responsive on slow backends.
import { create } from 'zustand';
import type { Box } from '../ml/face/decode';
import {
  initialUnlockState,
  lockoutAfterFailure,
  lockoutAfterSuccess,
  unlockReducer,
  type UnlockConfig,
  type UnlockEvent,
  type UnlockState,
  type MatchOutcome,
} from '../ml/face/unlock-machine';
import type { FaceEngine } from '../ml/face/engine';
import type { LivenessAttempt } from '../ml/liveness/attempt';
import { livenessOff, type LivenessSettings } from '../ml/liveness/fusion';
import type { PassiveLiveness } from '../ml/liveness/passive';
import type { LivenessVerdict } from '../ml/liveness/session';
import { faceThreshold, useFaces } from './faces';
import { useModels } from './models';
import { useGallery } from './gallery';
import { useSettings } from './settings';
import { errorMessage } from '../ml/core/errors';
import type { AttemptGuard, GuardRecord } from './attempt-guard';
import { faceUnlockGuard } from './security';

let passive: Promise<PassiveLiveness | null> | null = null;

/** The passive models from the registry (it owns them: never disposed here); null if they will not load. */
function passiveModels(): Promise<PassiveLiveness | null> {
  passive ??= Promise.all([
    import('../ml/liveness/passive'),
    useModels.getState().load('antispoof'),
    useModels.getState().load('liveness'),
  ]).then(
    ([{ PassiveLiveness }, antispoof, liveness]) => new PassiveLiveness({ antispoof, liveness }),
    () => {
      passive = null;
      return null;
    },
  );
  return passive;
}

/** What the unlock loop needs from the rest of the app; tests pass fakes. */
export interface UnlockServices {
  analyse: FaceEngine['analyse'];
  match(embedding: Float32Array, modelId: string, target: string | null): Promise<MatchOutcome>;
  openGallery(): Promise<unknown>;
  /** Threshold and lockout as set now (read at each start). */
  config(): Partial<UnlockConfig>;
  liveness(): LivenessSettings;
  /** A new attempt's liveness, or null when every cue is off. */
  createAttempt(settings: LivenessSettings): Promise<LivenessAttempt | null>;
  pause(ms: number): Promise<void>;
  now(): number;
  /**
   * The failure count and lockout end every tab shares and a reload keeps (IndexedDB): each failure
   * and success is recorded there, and what is stored there (by any tab) is what this tab shows.
   */
  guard: AttemptGuard;
}

export interface UnlockStore {
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

/** The unlock store over `services`: the camera loop that feeds the unlock state machine. */
export function createUnlockStore(services: UnlockServices) {
  const { pause, now, guard } = services;
  let session: LivenessAttempt | null = null;
  let loopId = 0;
  /** The last failure or success being written to the shared counter. */
  let recording: Promise<unknown> = Promise.resolve();
  const syncEvent = (g: GuardRecord): UnlockEvent => ({
    type: 'sync',
    failures: g.failures,
    lockedUntil: g.until,
    now: now(),
  });
  const store = create<UnlockStore>()((set, get) => {
    const apply = (event: UnlockEvent) => set({ machine: unlockReducer(get().machine, event) });
    /** Moves the machine on; a failed attempt or an unlock is also recorded in the shared counter. */
    const dispatch = (event: UnlockEvent) => {
      const before = get().machine;
      apply(event);
      const after = get().machine;
      if (after.failures === before.failures + 1) {
        recording = guard.getState().fail(lockoutAfterFailure(after.config));
      } else if (after.current.phase === 'unlocked' && before.current.phase !== 'unlocked') {
        recording = guard.getState().succeed(lockoutAfterSuccess);
      }
    };

    async function loop(id: number, video: HTMLVideoElement) {
      while (loopId === id) {
        const phase = get().machine.current.phase;
        if (phase === 'locked-out') {
          dispatch({ type: 'tick', now: now() });
          await pause(250);
          continue;
        }
        if (phase === 'unlocked') break;
        if (phase === 'denied') {
          await pause(1200);
          // The next attempt waits until this failure is stored, so a reload cannot skip it.
          await recording.catch(() => undefined);
          if (loopId === id) dispatch({ type: 'retry', now: now() });
          continue;
        }
        try {
          const settings = services.liveness();
          const frame = await services.analyse(video, 1, (tensor, faces) =>
            faces[0] && session && get().machine.current.phase === 'checking'
              ? session.observe(tensor, faces[0])
              : null,
          );
          if (loopId !== id) break;
          const face = frame.faces[0];
          set({
            msPerFrame: frame.ms,
            face: face ? { box: face.detection.box, width: frame.width, height: frame.height } : null,
          });
          if (!face) {
            dispatch({ type: 'no-face', now: now() });
          } else {
            if (get().machine.current.phase === 'looking') {
              dispatch({ type: 'face', quality: face.quality.score, reasons: face.quality.reasons, now: now() });
              if (get().machine.current.phase === 'checking') await startLiveness(settings);
            }
            if (get().machine.current.phase === 'checking') {
              const verdict = frame.extra ?? session?.verdict ?? null;
              if (livenessOff(settings)) dispatch({ type: 'liveness', pass: true, reasons: [], now: now() });
              else if (verdict) {
                set({ liveness: verdict });
                if (verdict.status !== 'pending') {
                  dispatch({
                    type: 'liveness',
                    pass: verdict.status === 'pass',
                    reasons: verdict.reasons,
                    now: now(),
                  });
                }
              }
            }
            if (get().machine.current.phase === 'matching') {
              const outcome = await services.match(face.embedding, face.modelId, get().target);
              if (loopId === id) dispatch({ type: 'match', outcome, now: now() });
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

    async function startLiveness(settings: LivenessSettings) {
      session?.dispose();
      session = await services.createAttempt(settings);
      set({ liveness: session?.verdict ?? null });
    }

    return {
      // A lockout stored by an earlier page or another tab shows from the start.
      machine: unlockReducer(initialUnlockState(services.config()), syncEvent(guard.getState())),
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
        const config = services.config();
        const machine = previous.phase === 'locked-out' ? get().machine : { ...initialUnlockState(config), failures };
        set({ running: true, machine: { ...machine, config: { ...machine.config, ...config } } });
        if (get().machine.current.phase !== 'locked-out') dispatch({ type: 'start', now: now() });
        // Without a message from another tab (or with one missed), read the shared counter again.
        void guard.getState().refresh();
        void services.openGallery();
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
        dispatch({ type: 'retry', now: now() });
      },
    };
  });
  guard.subscribe((g, prev) => {
    if (g.failures !== prev.failures || g.until !== prev.until || g.loaded !== prev.loaded) {
      store.setState({ machine: unlockReducer(store.getState().machine, syncEvent(g)) });
    }
  });
  return store;
}

export const useUnlock = createUnlockStore({
  analyse: (source, maxFaces, onFrame) => useFaces.getState().analyse(source, maxFaces, onFrame),
  match: (embedding, modelId, target) => useGallery.getState().match(embedding, modelId, target),
  openGallery: () => useGallery.getState().open(),
  config: () => {
    const s = useSettings.getState();
    return { threshold: faceThreshold(), maxFailures: s.unlockMaxFailures, lockoutMs: s.unlockLockoutSeconds * 1000 };
  },
  liveness: () => useSettings.getState().liveness,
  createAttempt: async (settings) =>
    (await import('../ml/liveness/attempt')).createLivenessAttempt(settings, passiveModels),
  pause: (ms) => new Promise((r) => setTimeout(r, ms)),
  now: () => Date.now(),
  guard: faceUnlockGuard,
});
