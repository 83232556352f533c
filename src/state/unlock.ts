// Face Unlock: a camera loop that feeds the unlock state machine. Each pass analyses one
// frame, then yields to the browser, so the page stays responsive on slow backends.
//
// Like a phone's, an attempt starts only when the user asks (or looks away and back): after a
// failure the loop keeps watching the frame but counts nothing until then, so a face that never
// blinks cannot use up the failure budget on its own. Nothing is counted with nobody enrolled.
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
import { isCueOn, livenessOff, type LivenessSettings } from '../ml/liveness/fusion';
import { browserLightServices, runLightChallenge, type LightServices, type LightShow } from './unlock-light';
import type { PassiveLiveness } from '../ml/liveness/passive';
import type { LivenessVerdict } from '../ml/liveness/session';
import { faceThreshold, useFaces } from './faces';
import { useModels } from './models';
import { useGallery } from './gallery';
import { useSettings } from './settings';
import { errorMessage } from '../ml/core/errors';
import type { AttemptGuard, GuardRecord } from './attempt-guard';
import { faceUnlockGuard } from './security';
import { NO_FAILURES } from '../db';

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
  /** The probe to match: the attempt's best frames fused (the video path); absent or null: the frame's own. */
  decide?(): Promise<{ embedding: Float32Array; modelId: string } | null>;
  /** Frames kept for an earlier attempt's decision are forgotten. */
  newAttempt?(): Promise<void> | void;
  match(embedding: Float32Array, modelId: string, target: string | null): Promise<MatchOutcome>;
  openGallery(): Promise<unknown>;
  /** How many people are enrolled; null while not known yet. */
  enrolled(): number | null;
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
  /** For the screen-light challenge; without it (unit tests), that cue never runs. */
  light?: LightServices;
}

/** Why no attempt runs although one was asked for. */
export type UnlockBlock = 'nobody-enrolled' | 'no-templates';

/** What an unlock opened: by whom and how, until "Lock again" or a reload. */
export interface UnlockSession {
  by: 'face' | 'passcode';
  name: string | null;
  at: number;
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
  /** The screen-light challenge's colour now, while it runs (LightOverlay paints it). */
  light: LightShow | null;
  /** The last failed attempt's reasons: kept on screen, through a lockout too, until the next attempt starts. */
  lastReasons: string[] | null;
  blocked: UnlockBlock | null;
  session: UnlockSession | null;
  setTarget(id: string | null): void;
  /** Whether an attempt may start now; says why not (nobody enrolled) when it may not. */
  canStart(): boolean;
  /** Starts watching `video` and, unless locked out, an attempt. */
  start(video: HTMLVideoElement): void;
  stop(): void;
  /** After a failure, with the camera still on: the next attempt. */
  retry(): void;
  /** Ends the session ("Lock again"). */
  lock(): void;
  /** The right passcode was given: unlocked, and the face failures and lockout cleared. */
  unlockWithPasscode(): Promise<void>;
}

/** How long no face must be seen, after a failure, before a face coming back starts the next attempt. */
export const AWAY_MS = 1500;
/** Between frames while nothing is being decided (after a failure, during a lockout). */
const IDLE_FRAME_MS = 250;

/** The unlock store over `services`: the camera loop that feeds the unlock state machine. */
export function createUnlockStore(services: UnlockServices) {
  const { pause, now, guard } = services;
  let session: LivenessAttempt | null = null;
  let loopId = 0;
  /** The loop should start the next attempt (the user asked). */
  let retryAsked = false;
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
        if (after.current.phase === 'denied' || after.current.phase === 'locked-out') {
          set({ lastReasons: after.current.reasons ?? null });
        }
      } else if (after.current.phase === 'unlocked' && before.current.phase !== 'unlocked') {
        recording = guard.getState().succeed(lockoutAfterSuccess);
        set({ session: { by: 'face', name: after.current.match.name, at: after.current.at }, lastReasons: null });
      }
    };
    /** The next attempt, once the failure before it is stored (so a reload cannot skip it). */
    const nextAttempt = async (id: number) => {
      await recording.catch(() => undefined);
      if (loopId !== id) return;
      set({ lastReasons: null, liveness: null });
      dispatch({ type: 'retry', now: now() });
    };

    async function loop(id: number, video: HTMLVideoElement) {
      /** Since when no face has been seen after a failure; null: a face is there (or nothing failed). */
      let awaySince: number | null = null;
      while (loopId === id) {
        const phase = get().machine.current.phase;
        if (phase === 'locked-out') {
          dispatch({ type: 'tick', now: now() });
          // The lockout is over: the next attempt waits for the user, as after any failure.
          if (get().machine.current.phase !== 'locked-out') {
            dispatch({ type: 'stop' });
            break;
          }
          await pause(IDLE_FRAME_MS);
          continue;
        }
        if (phase === 'unlocked') break;
        if (phase === 'denied' && retryAsked) {
          retryAsked = false;
          awaySince = null;
          await nextAttempt(id);
          continue;
        }
        try {
          const settings = services.liveness();
          if (phase === 'looking') await services.newAttempt?.();
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
          if (get().machine.current.phase === 'denied') {
            // Only watching: a face that left for a while and came back is a new attempt.
            if (!face) awaySince ??= now();
            else if (awaySince !== null && now() - awaySince >= AWAY_MS) retryAsked = true;
            else awaySince = null;
            set({ error: null });
            await pause(IDLE_FRAME_MS);
            continue;
          }
          if (!face) {
            dispatch({ type: 'no-face', now: now() });
          } else {
            if (get().machine.current.phase === 'looking') {
              dispatch({ type: 'face', quality: face.quality.score, reasons: face.quality.reasons, now: now() });
              if (get().machine.current.phase === 'checking') {
                await startLiveness(settings);
                await lightChallenge(id, video, settings, { box: face.detection.box, width: frame.width });
              }
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
              const probe = (await services.decide?.()) ?? face;
              const outcome = await services.match(probe.embedding, probe.modelId, get().target);
              if (loopId !== id) break;
              if (outcome.identityId === null) {
                // No one to compare with is not a failed attempt: nothing is counted.
                dispatch({ type: 'stop' });
                set({ blocked: services.enrolled() === 0 ? 'nobody-enrolled' : 'no-templates' });
                break;
              }
              dispatch({ type: 'match', outcome, now: now() });
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

    /** Runs the screen-light challenge, when on, before the other cues see any frame. */
    async function lightChallenge(
      id: number,
      video: HTMLVideoElement,
      settings: LivenessSettings,
      face: { box: Box; width: number },
    ) {
      const attempt = session;
      if (!attempt || !services.light || !isCueOn(settings, 'light')) return;
      set({ liveness: attempt.recordLight('running') });
      const alive = () => loopId === id && session === attempt && get().machine.current.phase === 'checking';
      const result = await runLightChallenge(
        services.light,
        video,
        face,
        (light) => set({ light }),
        alive,
        settings.light,
      );
      if (result && alive()) set({ liveness: attempt.recordLight(result) });
    }

    const endLoop = () => {
      loopId++;
      retryAsked = false;
      session?.dispose();
      session = null;
    };

    return {
      // A lockout stored by an earlier page or another tab shows from the start.
      machine: unlockReducer(initialUnlockState(services.config()), syncEvent(guard.getState())),
      running: false,
      target: null,
      face: null,
      msPerFrame: null,
      error: null,
      liveness: null,
      light: null,
      lastReasons: null,
      blocked: null,
      session: null,

      setTarget(target) {
        set({ target });
      },

      canStart() {
        if (services.enrolled() !== 0) return true;
        set({ blocked: 'nobody-enrolled' });
        return false;
      },

      start(video) {
        if (!get().canStart()) return;
        endLoop();
        const id = loopId;
        let machine = get().machine;
        // A lockout that has run out ends here; one still running survives stopping and starting the camera.
        if (machine.current.phase === 'locked-out') machine = unlockReducer(machine, { type: 'tick', now: now() });
        const config = services.config();
        if (machine.current.phase !== 'locked-out')
          machine = { ...initialUnlockState(config), failures: machine.failures };
        set({
          running: true,
          blocked: null,
          error: null,
          session: null,
          liveness: null,
          machine: { ...machine, config: { ...machine.config, ...config } },
        });
        if (get().machine.current.phase !== 'locked-out') {
          set({ lastReasons: null });
          dispatch({ type: 'start', now: now() });
        }
        // Without a message from another tab (or with one missed), read the shared counter again.
        void guard.getState().refresh();
        void services.openGallery();
        void recording
          .catch(() => undefined)
          .then(() => loop(id, video))
          .finally(() => {
            if (loopId === id) set({ running: false });
          });
      },

      stop() {
        endLoop();
        // A lockout holds, and an unlock stays until "Lock again", with the cues that let it through.
        const phase = get().machine.current.phase;
        if (phase !== 'locked-out' && phase !== 'unlocked') dispatch({ type: 'stop' });
        set({ running: false, face: null, ...(phase === 'unlocked' ? {} : { liveness: null }) });
      },

      retry() {
        if (get().running && get().machine.current.phase === 'denied') retryAsked = true;
      },

      lock() {
        endLoop();
        if (get().machine.current.phase === 'unlocked') dispatch({ type: 'stop' });
        set({ session: null, running: false, face: null, liveness: null });
      },

      async unlockWithPasscode() {
        endLoop();
        set({
          machine: { ...initialUnlockState(services.config()), lastScore: null },
          session: { by: 'passcode', name: null, at: now() },
          running: false,
          face: null,
          liveness: null,
          lastReasons: null,
          blocked: null,
        });
        // The passcode lifts the face lockout everywhere it is stored; a success rule of its own.
        recording = guard.getState().succeed(() => NO_FAILURES);
        await recording;
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
  // The video path: the face is tracked from frame to frame and embedded only to decide.
  analyse: (source, _maxFaces, onFrame) => useFaces.getState().track(source, onFrame),
  decide: () => useFaces.getState().decide(),
  newAttempt: () => useFaces.getState().newAttempt(),
  match: (embedding, modelId, target) => useGallery.getState().match(embedding, modelId, target),
  openGallery: () => useGallery.getState().open(),
  enrolled: () => {
    const g = useGallery.getState();
    return g.status === 'ready' && g.encryption !== 'locked' ? g.identities.length : null;
  },
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
  light: browserLightServices(),
});
