// An active liveness challenge as a pure state machine: the user is asked for a short random
// sequence of actions (blink, turn the head left or right, look up), each within a time limit.
// A replayed video cannot know the sequence in advance, and a held photo cannot do any of it.
//
// Sides. HeadPose.yaw is positive when the subject turns to THEIR OWN left, measured on the
// unmirrored camera frame the pipeline analyses (face-geometry.ts). Prompts therefore name the
// user's own side ("Turn your head to your left"), which is right whatever the preview shows.
// The preview is drawn mirrored, like a mirror: a user turning to their left sees their face on
// screen turn towards the screen's LEFT, so an on-screen arrow for 'turn-left' points left.
// Without mirroring it would have to point right, which people misread; `arrow` follows the
// `mirroredPreview` option. Only if the frames given to the pipeline were themselves mirrored
// would yaw flip sign: that is what `mirroredFrames` is for.
//
// Rules:
// - Angles are measured from the user's own resting pose (the first pose seen), not from the
//   camera axis: a webcam above the screen sees everyone looking down a little, and people do not
//   sit square to it. Measured on the fixture face, |yaw| or |pitch| from the camera axis was
//   already past the neutral limits while looking straight at the screen.
// - Every step begins with the face frontal (|yaw| and |pitch| under the neutral limits), so
//   two turns need a return to the centre in between and one held pose cannot pass two steps.
//   The centring has its own time limit.
// - The step's clock starts when its action prompt appears; a blink counts only if it is
//   reported (`blinked`) after that.
// - Turning the wrong way fails at once (a replay turning at random is caught half the time on
//   each turn step), unless `failOnWrongTurn` is off.
// - Frames without a pose (no face, no landmarks) change nothing, but the clock runs on.
import type { HeadPose } from '../face/face-geometry';

export type ChallengeStep = 'blink' | 'turn-left' | 'turn-right' | 'look-up';

export interface ChallengeOptions {
  /** Steps to draw from. 'look-up' is off by default: pitch is the noisiest angle. */
  kinds: ChallengeStep[];
  minSteps: number;
  maxSteps: number;
  /** Time allowed for each action, and for each return to the centre, ms. */
  stepTimeoutMs: number;
  /** |yaw| a turn must reach, degrees. */
  turnYaw: number;
  /** Pitch 'look-up' must reach, degrees. */
  lookUpPitch: number;
  /** |yaw| and |pitch| under which the face counts as frontal, degrees. */
  neutralYaw: number;
  neutralPitch: number;
  failOnWrongTurn: boolean;
  /** The preview is drawn mirrored (the default in the app): arrows point the way the user sees. */
  mirroredPreview: boolean;
  /** The analysed frames themselves are mirrored (not the case in the app): yaw is flipped. */
  mirroredFrames: boolean;
}

export const DEFAULT_CHALLENGE_OPTIONS: ChallengeOptions = {
  kinds: ['blink', 'turn-left', 'turn-right'],
  minSteps: 2,
  maxSteps: 3,
  stepTimeoutMs: 4000,
  turnYaw: 18,
  lookUpPitch: 15,
  neutralYaw: 8,
  neutralPitch: 12,
  failOnWrongTurn: true,
  mirroredPreview: true,
  mirroredFrames: false,
};

export type ScreenArrow = 'left' | 'right' | 'up' | null;

export interface ChallengeState {
  steps: readonly ChallengeStep[];
  /** The step in progress; steps.length once done. */
  index: number;
  /** 'centre': waiting for a frontal face before the step; 'act': waiting for the action. */
  stage: 'centre' | 'act';
  /** When the current stage began, ms; null until the first observation. */
  since: number | null;
  status: 'running' | 'done' | 'failed';
  /** Why it failed, as a sentence for the user. */
  reason: string | null;
  /** What to tell the user now. */
  prompt: string;
  /** Which way an on-screen arrow should point, given `mirroredPreview`. */
  arrow: ScreenArrow;
  /** The resting pose angles are measured from; null until a pose is seen. */
  rest?: { yaw: number; pitch: number } | null;
}

export interface ChallengeObservation {
  t: number;
  pose: HeadPose | null;
  /** A new blink (from blink.ts) was reported with this frame and began after the current prompt. */
  blinked: boolean;
}

/** Draws `count` steps from `kinds` with no step repeated twice in a row. */
export function drawSteps(rng: () => number, options: Partial<ChallengeOptions> = {}): ChallengeStep[] {
  const o = { ...DEFAULT_CHALLENGE_OPTIONS, ...options };
  const kinds = [...new Set(o.kinds)];
  if (kinds.length === 0) throw new RangeError('A challenge needs at least one kind of step.');
  if (!(o.minSteps >= 1 && o.maxSteps >= o.minSteps)) {
    throw new RangeError(`Bad step counts: min ${o.minSteps}, max ${o.maxSteps}.`);
  }
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng() * n));
  const count = o.minSteps + pick(o.maxSteps - o.minSteps + 1);
  const steps: ChallengeStep[] = [];
  for (let i = 0; i < count; i++) {
    const choices = kinds.length > 1 ? kinds.filter((k) => k !== steps[i - 1]) : kinds;
    steps.push(choices[pick(choices.length)]!);
  }
  return steps;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The instruction for a step, in the user's own sides, and the on-screen arrow to show with it. */
export function promptFor(
  step: ChallengeStep,
  options: Partial<ChallengeOptions> = {},
): { prompt: string; arrow: ScreenArrow } {
  const mirrored = options.mirroredPreview ?? DEFAULT_CHALLENGE_OPTIONS.mirroredPreview;
  switch (step) {
    case 'blink':
      return { prompt: 'Blink once.', arrow: null };
    case 'turn-left':
      return { prompt: 'Turn your head to your left.', arrow: mirrored ? 'left' : 'right' };
    case 'turn-right':
      return { prompt: 'Turn your head to your right.', arrow: mirrored ? 'right' : 'left' };
    case 'look-up':
      return { prompt: 'Look up.', arrow: 'up' };
  }
}

const CENTRE_PROMPT = 'Look straight at the camera.';

function failure(step: ChallengeStep, stage: 'centre' | 'act', limitMs: number): string {
  if (stage === 'centre') return `The face did not come back to the centre within ${seconds(limitMs)}.`;
  switch (step) {
    case 'blink':
      return `No blink within ${seconds(limitMs)}.`;
    case 'turn-left':
      return `The face did not turn left within ${seconds(limitMs)}.`;
    case 'turn-right':
      return `The face did not turn right within ${seconds(limitMs)}.`;
    case 'look-up':
      return `The face did not look up within ${seconds(limitMs)}.`;
  }
}

/** A new challenge with a random sequence; nothing is timed until the first observation. */
export function createChallenge(rng: () => number, options: Partial<ChallengeOptions> = {}): ChallengeState {
  return startChallenge(drawSteps(rng, options));
}

/** A challenge with a given sequence (for tests and replays). */
export function startChallenge(steps: readonly ChallengeStep[]): ChallengeState {
  if (steps.length === 0) throw new RangeError('A challenge needs at least one step.');
  return {
    steps: [...steps],
    index: 0,
    stage: 'centre',
    since: null,
    status: 'running',
    reason: null,
    prompt: CENTRE_PROMPT,
    arrow: null,
  };
}

/** The state after one frame's observation. Finished challenges stay as they are. */
export function advanceChallenge(
  state: ChallengeState,
  observation: ChallengeObservation,
  options: Partial<ChallengeOptions> = {},
): ChallengeState {
  if (state.status !== 'running') return state;
  const o = { ...DEFAULT_CHALLENGE_OPTIONS, ...options };
  const { t } = observation;
  let s: ChallengeState = state.since === null ? { ...state, since: t } : state;
  const step = s.steps[s.index]!;
  const raw = observation.pose && {
    yaw: o.mirroredFrames ? -observation.pose.yaw : observation.pose.yaw,
    pitch: observation.pose.pitch,
  };
  if (raw && !s.rest) s = { ...s, rest: raw };
  const pose = raw && s.rest && { yaw: raw.yaw - s.rest.yaw, pitch: raw.pitch - s.rest.pitch };

  if (s.stage === 'centre') {
    if (pose && Math.abs(pose.yaw) < o.neutralYaw && Math.abs(pose.pitch) < o.neutralPitch) {
      // The action starts now; this frame's blink, if any, came before the prompt.
      return { ...s, stage: 'act', since: t, ...promptFor(step, o) };
    }
    if (t - s.since! > o.stepTimeoutMs) return fail(s, failure(step, 'centre', o.stepTimeoutMs));
    return s;
  }

  let done = false;
  if (step === 'blink') done = observation.blinked;
  else if (pose && step === 'turn-left') {
    done = pose.yaw >= o.turnYaw;
    if (o.failOnWrongTurn && pose.yaw <= -o.turnYaw) return fail(s, 'The face turned right instead of left.');
  } else if (pose && step === 'turn-right') {
    done = pose.yaw <= -o.turnYaw;
    if (o.failOnWrongTurn && pose.yaw >= o.turnYaw) return fail(s, 'The face turned left instead of right.');
  } else if (pose && step === 'look-up') done = pose.pitch >= o.lookUpPitch;

  if (done) {
    const index = s.index + 1;
    if (index === s.steps.length) return { ...s, index, status: 'done', prompt: 'Done.', arrow: null };
    s = { ...s, index, stage: 'centre', since: t, prompt: CENTRE_PROMPT, arrow: null };
    return s;
  }
  if (t - s.since! > o.stepTimeoutMs) return fail(s, failure(step, 'act', o.stepTimeoutMs));
  return s;
}

function fail(state: ChallengeState, reason: string): ChallengeState {
  return { ...state, status: 'failed', reason, prompt: reason, arrow: null };
}
