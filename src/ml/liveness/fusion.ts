// Turns the liveness cues of one unlock attempt into a single decision, with reasons a person
// can read. Pure: it sees counts and scores, never tensors or frames.
//
// - 'pending' until there is enough evidence; 'fail' as soon as a required cue clearly fails
//   (a challenge step timed out or was done wrong, the face kept moving like a flat picture, a
//   required passive score is low); 'pass' once every required cue passed and at least
//   `minFrames` frames were seen; at `maxMs` whatever is still pending fails, with its reason.
// - Cues that are enabled but not required are advisory: shown, never deciding.
// - While a challenge runs, it sets the pace: the other cues do not time out before it ends.
//
// Defaults (measured, docs/liveness.md): the screen-light challenge is required — a replayed video
// follows its own past colours and a still follows none. Blink and motion are computed and shown
// but not required: with the light challenge they add ~3 s to every unlock and stopped nothing it
// did not stop on the fixtures; require them where printed photos (which reflect the screen's
// light like skin) are the worry. The passive models are advisory: see passive.ts for how little
// they separate recaptures from live faces. The active challenge is off: it asks the user to act.
import type { ChallengeOptions, ChallengeState } from './challenge';
import type { LightOptions, LightResult } from './light-challenge';
import type { MotionAnalysis } from './motion';

export type CueName = 'light' | 'passive' | 'screen' | 'blink' | 'motion' | 'challenge';
export type CueState = 'off' | 'pending' | 'pass' | 'fail';
export const CUE_NAMES: readonly CueName[] = ['light', 'challenge', 'blink', 'motion', 'passive', 'screen'];
/** Cues decided over the analysed frames, which need `minFrames` of them when one is required. */
const FRAME_CUES: readonly CueName[] = ['challenge', 'blink', 'motion', 'passive', 'screen'];

export interface LivenessSettings {
  /** Cues that are computed at all. A required cue is computed whatever this says. */
  enabled: Record<CueName, boolean>;
  /** Cues that must pass; a failed required cue fails the attempt. */
  required: Record<CueName, boolean>;
  /** Frames with a face needed before a pass. */
  minFrames: number;
  /** Time to decide in, from the attempt's first frame, ms (a running challenge extends it). */
  maxMs: number;
  blink: {
    minBlinks: number;
    /** Ask the user to blink when none has come after this long, ms. */
    promptAfterMs: number;
  };
  motion: {
    /** Motion windows that must read 'non-rigid' (see motion.ts). */
    minNonRigid: number;
    /** Fail early after this many 'rigid' windows with no 'non-rigid' one. */
    failAfterRigid: number;
  };
  passive: {
    /** Frames to average the passive scores over before judging them. */
    minFrames: number;
    /** Least mean probability of live per model; null leaves that model out. */
    antispoof: number | null;
    liveness: number | null;
  };
  challenge: Partial<ChallengeOptions>;
  light: Partial<LightOptions>;
  screen: {
    /** Frames to take the median over before judging. */
    minFrames: number;
    /** Above these the frame looks like a screen (replay-cues.ts; measured in docs/liveness.md). */
    grid: number;
    bezel: number;
  };
}

export const DEFAULT_LIVENESS_SETTINGS: LivenessSettings = {
  enabled: { light: true, passive: true, screen: true, blink: true, motion: true, challenge: false },
  required: { light: true, passive: false, screen: false, blink: false, motion: false, challenge: false },
  minFrames: 8,
  maxMs: 8000,
  blink: { minBlinks: 1, promptAfterMs: 2500 },
  motion: { minNonRigid: 1, failAfterRigid: 4 },
  passive: { minFrames: 3, antispoof: 0.5, liveness: 0.5 },
  challenge: {},
  light: {},
  screen: { minFrames: 3, grid: 4, bezel: 0.5 },
};

/** What the session has gathered so far in this attempt. */
export interface LivenessEvidence {
  /** Since the attempt's first frame, ms. */
  elapsedMs: number;
  /** Frames with a face. */
  frames: number;
  blinks: number;
  /** How many motion windows got each verdict, and the latest analysis. */
  motion: { still: number; rigid: number; nonRigid: number; last: MotionAnalysis | null };
  /** Mean probability of live per model over `frames` frames; null before any. */
  passive: { frames: number; antispoof: number; liveness: number } | null;
  challenge: ChallengeState | null;
  /** The screen-light challenge: null before it starts, 'running' while the colours show. */
  light: LightResult | 'running' | null;
  /** Median replay-cue scores (replay-cues.ts) over `frames` frames; null before any. */
  screen?: { frames: number; grid: number; bezel: number } | null;
}

export interface CueResult {
  state: CueState;
  required: boolean;
  /** A short status for display, e.g. "2 blinks" or "non-rigidity 0.62". */
  detail: string;
  /** Why it failed, as a sentence for the user; null unless failed. */
  reason: string | null;
}

export interface LivenessDecision {
  status: 'pending' | 'pass' | 'fail';
  /** Why the attempt failed (required cues only), most telling first; empty unless failed. */
  reasons: string[];
  /** Failed advisory cues, for display beside the result. */
  advisories: string[];
  cues: Record<CueName, CueResult>;
  /** What to ask the user to do now, if anything. */
  prompt?: string;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** Settings with nested parts filled in from the defaults. */
export function withDefaults(settings: Partial<LivenessSettings> = {}): LivenessSettings {
  const d = DEFAULT_LIVENESS_SETTINGS;
  return {
    ...d,
    ...settings,
    enabled: { ...d.enabled, ...settings.enabled },
    required: { ...d.required, ...settings.required },
    blink: { ...d.blink, ...settings.blink },
    motion: { ...d.motion, ...settings.motion },
    passive: { ...d.passive, ...settings.passive },
    challenge: { ...d.challenge, ...settings.challenge },
    light: { ...d.light, ...settings.light },
    screen: { ...d.screen, ...settings.screen },
  };
}

export function isCueOn(settings: LivenessSettings, cue: CueName): boolean {
  return settings.enabled[cue] || settings.required[cue];
}

/** True when no cue runs at all, so an attempt needs no liveness step. */
export function livenessOff(settings: LivenessSettings): boolean {
  return CUE_NAMES.every((c) => !isCueOn(settings, c));
}

export function fuseLiveness(evidence: LivenessEvidence, partial: Partial<LivenessSettings> = {}): LivenessDecision {
  const s = withDefaults(partial);
  const challengeRunning = isCueOn(s, 'challenge') && evidence.challenge?.status === 'running';
  const timeUp = evidence.elapsedMs >= s.maxMs && !challengeRunning;
  const span = seconds(Math.max(evidence.elapsedMs, s.maxMs));

  const result = (cue: CueName, state: CueState, detail: string, reason: string | null = null): CueResult => ({
    state,
    required: s.required[cue],
    detail,
    reason: state === 'fail' ? reason : null,
  });

  const cues = {} as Record<CueName, CueResult>;
  const off = (cue: CueName) => result(cue, 'off', 'off');

  cues.blink = !isCueOn(s, 'blink')
    ? off('blink')
    : evidence.blinks >= s.blink.minBlinks
      ? result('blink', 'pass', `${evidence.blinks} blink${evidence.blinks === 1 ? '' : 's'}`)
      : timeUp
        ? result('blink', 'fail', 'no blink', `No blink in ${span}.`)
        : result('blink', 'pending', 'waiting for a blink');

  const m = evidence.motion;
  const motionDetail = m.last
    ? `${m.last.verdict}, non-rigidity ${m.last.nonRigidity.toFixed(2)}`
    : 'collecting frames';
  cues.motion = !isCueOn(s, 'motion')
    ? off('motion')
    : m.nonRigid >= s.motion.minNonRigid
      ? result('motion', 'pass', motionDetail)
      : m.nonRigid === 0 && m.rigid >= s.motion.failAfterRigid
        ? result('motion', 'fail', motionDetail, 'The face moved like a flat picture.')
        : timeUp
          ? result(
              'motion',
              'fail',
              motionDetail,
              m.rigid > 0 ? 'The face moved like a flat picture.' : 'The face did not move at all, like a picture.',
            )
          : result('motion', 'pending', motionDetail);

  const p = evidence.passive;
  const used = (['antispoof', 'liveness'] as const).filter((k) => s.passive[k] !== null);
  if (!isCueOn(s, 'passive') || used.length === 0) cues.passive = off('passive');
  else if (!p || p.frames < s.passive.minFrames) {
    cues.passive = timeUp
      ? result('passive', 'fail', 'too few frames', 'Too few frames for the picture check.')
      : result('passive', 'pending', 'collecting frames');
  } else {
    const detail = used.map((k) => `${k} ${p[k].toFixed(2)}`).join(', ');
    const low = used.filter((k) => p[k] < s.passive[k]!);
    cues.passive =
      low.length === 0
        ? result('passive', 'pass', detail)
        : result('passive', 'fail', detail, 'The camera image looks like a photo or a screen.');
  }

  const c = evidence.challenge;
  if (!isCueOn(s, 'challenge')) cues.challenge = off('challenge');
  else if (!c) cues.challenge = result('challenge', 'pending', 'not started');
  else {
    const detail = `step ${Math.min(c.index + 1, c.steps.length)} of ${c.steps.length}`;
    cues.challenge =
      c.status === 'done'
        ? result('challenge', 'pass', `${c.steps.length} steps done`)
        : c.status === 'failed'
          ? result('challenge', 'fail', detail, c.reason ?? 'The challenge was not completed.')
          : result('challenge', 'pending', detail);
  }

  const sc = evidence.screen ?? null;
  if (!isCueOn(s, 'screen')) cues.screen = off('screen');
  else if (!sc || sc.frames < s.screen.minFrames) {
    cues.screen = timeUp
      ? result('screen', 'fail', 'too few frames', 'Too few frames for the screen check.')
      : result('screen', 'pending', 'collecting frames');
  } else {
    const detail = `grid ${sc.grid.toFixed(2)}, frame ${sc.bezel.toFixed(2)}`;
    cues.screen =
      sc.grid > s.screen.grid || sc.bezel > s.screen.bezel
        ? result('screen', 'fail', detail, "The image shows a screen's pixel grid or a frame around the face.")
        : result('screen', 'pass', detail);
  }

  const l = evidence.light;
  if (!isCueOn(s, 'light')) cues.light = off('light');
  else if (l === null || l === 'running') {
    cues.light = timeUp
      ? result('light', 'fail', 'did not run', 'The screen light check did not run: try again.')
      : result('light', 'pending', l === null ? 'waiting for the face' : 'lighting the face');
  } else {
    const detail = `correlation ${l.correlation.toFixed(2)}, response ${l.gain.toFixed(3)}, delay ${Math.round(l.lagMs)} ms`;
    cues.light = result('light', l.status, detail, l.reason);
  }

  const required = CUE_NAMES.filter((k) => s.required[k]);
  const needFrames = FRAME_CUES.some((k) => s.required[k]) ? s.minFrames : 1;
  const reasons = required.filter((k) => cues[k].state === 'fail').map((k) => cues[k].reason!);
  const advisories = CUE_NAMES.filter((k) => !s.required[k] && cues[k].state === 'fail').map((k) => cues[k].reason!);

  let status: LivenessDecision['status'] = 'pending';
  if (reasons.length > 0) status = 'fail';
  else if (required.every((k) => cues[k].state === 'pass') && evidence.frames >= needFrames) status = 'pass';
  else if (timeUp) {
    status = 'fail';
    reasons.push(`Too few frames with a face in ${span}.`);
  }

  let prompt: string | undefined;
  if (status === 'pending') {
    if (l === 'running' && isCueOn(s, 'light')) prompt = 'Hold still: the screen lights your face.';
    else if (challengeRunning) prompt = c!.prompt;
    else if (cues.blink.state === 'pending' && s.required.blink && evidence.elapsedMs >= s.blink.promptAfterMs) {
      prompt = 'Blink once.';
    }
  } else if (status === 'fail') prompt = reasons[0];
  return { status, reasons, advisories, cues, ...(prompt ? { prompt } : {}) };
}
