// The Face Unlock decision as a pure state machine: the page feeds it what each frame showed
// and it says what the user sees. Keeping it free of React, tfjs and timers makes every
// path (lockout, liveness refusal, a face that comes and goes) testable in plain Node.

export interface UnlockConfig {
  /** Cosine similarity at or above which a probe matches a template. */
  threshold: number;
  /** Failed attempts in a row before the lockout. */
  maxFailures: number;
  lockoutMs: number;
  /** Minimum face quality (0..1) for a frame to count as an attempt. */
  minQuality: number;
}

/** The longest lockout there is; a stored lockout end further away than this is cut to it. */
export const MAX_LOCKOUT_MS = 3_600_000;

export const DEFAULT_UNLOCK_CONFIG: UnlockConfig = {
  threshold: 0.5,
  maxFailures: 5,
  lockoutMs: 30_000,
  minQuality: 0.3,
};

export interface MatchOutcome {
  score: number;
  identityId: string | null;
  name: string | null;
}

export type UnlockPhase =
  | { phase: 'idle' }
  | { phase: 'looking'; hint: string | null }
  | { phase: 'checking' }
  | { phase: 'matching' }
  | { phase: 'unlocked'; match: MatchOutcome; at: number }
  | { phase: 'denied'; match: MatchOutcome | null; reasons: string[]; at: number }
  /** `reasons`: why the attempt that began the lockout failed, when this tab saw it. */
  | { phase: 'locked-out'; until: number; reasons?: string[] };

export interface UnlockState {
  current: UnlockPhase;
  failures: number;
  /** The last similarity seen, shown against the threshold. */
  lastScore: number | null;
  config: UnlockConfig;
}

export type UnlockEvent =
  | { type: 'start'; now: number }
  | { type: 'stop' }
  | { type: 'no-face'; now: number }
  | { type: 'face'; quality: number; reasons: string[]; now: number }
  | { type: 'liveness'; pass: boolean; reasons: string[]; now: number }
  | { type: 'match'; outcome: MatchOutcome; now: number }
  | { type: 'tick'; now: number }
  | { type: 'retry'; now: number }
  /**
   * The failure count and lockout end as stored (shared by every tab and kept across reloads):
   * they replace this tab's count, and an active stored lockout locks this tab out too.
   */
  | { type: 'sync'; failures: number; lockedUntil: number; now: number };

export function initialUnlockState(config: Partial<UnlockConfig> = {}): UnlockState {
  return { current: { phase: 'idle' }, failures: 0, lastScore: null, config: { ...DEFAULT_UNLOCK_CONFIG, ...config } };
}

function fail(state: UnlockState, match: MatchOutcome | null, reasons: string[], now: number): UnlockState {
  const failures = state.failures + 1;
  if (failures >= state.config.maxFailures) {
    return { ...state, failures, current: { phase: 'locked-out', until: now + state.config.lockoutMs, reasons } };
  }
  return { ...state, failures, current: { phase: 'denied', match, reasons, at: now } };
}

/**
 * The stored count and lockout end applied to this tab. A lockout is never shortened by it (another
 * tab, or an edited store, cannot lift this tab's), and a lockout end further than MAX_LOCKOUT_MS
 * away (a clock set back) counts as MAX_LOCKOUT_MS from now.
 */
function sync(
  state: UnlockState,
  { failures, lockedUntil, now }: { failures: number; lockedUntil: number; now: number },
) {
  const until = lockedUntil > now ? Math.min(lockedUntil, now + MAX_LOCKOUT_MS) : 0;
  // A lockout that has ended leaves no failures behind, as when it ends in this tab.
  const count = lockedUntil > 0 && until === 0 ? 0 : Math.max(0, Math.floor(failures) || 0);
  const { current } = state;
  if (current.phase === 'locked-out') {
    return until > current.until
      ? { ...state, failures: count, current: { phase: 'locked-out' as const, until } }
      : state;
  }
  if (until > 0) return { ...state, failures: count, current: { phase: 'locked-out' as const, until } };
  return count === state.failures ? state : { ...state, failures: count };
}

export function unlockReducer(state: UnlockState, event: UnlockEvent): UnlockState {
  if (event.type === 'sync') return sync(state, event);
  const { current } = state;
  // The lockout holds whatever the camera shows, until it expires.
  if (current.phase === 'locked-out') {
    if (event.type === 'stop') return { ...state, current: { phase: 'idle' } };
    if ('now' in event && event.now >= current.until) {
      return { ...state, failures: 0, current: { phase: 'looking', hint: null } };
    }
    return state;
  }
  switch (event.type) {
    case 'start':
      return { ...state, current: { phase: 'looking', hint: null } };
    case 'stop':
      return { ...state, current: { phase: 'idle' } };
    case 'retry':
      return current.phase === 'denied' || current.phase === 'unlocked'
        ? { ...state, current: { phase: 'looking', hint: null } }
        : state;
    case 'no-face':
      return current.phase === 'looking' ? { ...state, current: { phase: 'looking', hint: null } } : state;
    case 'face':
      if (current.phase !== 'looking') return state;
      if (event.quality < state.config.minQuality) {
        return { ...state, current: { phase: 'looking', hint: event.reasons[0] ?? 'Face the camera in good light.' } };
      }
      return { ...state, current: { phase: 'checking' } };
    case 'liveness':
      if (current.phase !== 'checking') return state;
      return event.pass ? { ...state, current: { phase: 'matching' } } : fail(state, null, event.reasons, event.now);
    case 'match': {
      if (current.phase !== 'matching') return state;
      const { outcome } = event;
      const next = { ...state, lastScore: outcome.score };
      if (outcome.identityId && outcome.score >= state.config.threshold) {
        return { ...next, failures: 0, current: { phase: 'unlocked', match: outcome, at: event.now } };
      }
      const reason = outcome.identityId
        ? `Similarity ${outcome.score.toFixed(3)} is below the threshold ${state.config.threshold.toFixed(3)}.`
        : 'No enrolled person to compare with.';
      return fail(next, outcome, [reason], event.now);
    }
    case 'tick':
      return state;
  }
}

/** A stored attempt counter: failures in a row and the lockout end (0: none). */
export interface StoredAttempts {
  failures: number;
  until: number;
}

/**
 * The shared counter after a failed attempt, by the rule `fail` applies in one tab: a lockout that
 * has ended starts the count again, and the `maxFailures`-th failure locks out for `lockoutMs`.
 */
export function lockoutAfterFailure(config: Pick<UnlockConfig, 'maxFailures' | 'lockoutMs'>) {
  return (current: StoredAttempts, now: number): StoredAttempts => {
    // Locked out already (by another tab): an attempt this tab let through before it heard adds nothing.
    if (current.until > now) return current;
    const failures = (current.until > 0 ? 0 : current.failures) + 1;
    return { failures, until: failures >= config.maxFailures ? now + config.lockoutMs : 0 };
  };
}

/** The shared counter after an unlock: cleared, unless a lockout is running (which nothing lifts early). */
export function lockoutAfterSuccess(current: StoredAttempts, now: number): StoredAttempts {
  return current.until > now ? current : { failures: 0, until: 0 };
}

/** Milliseconds left in a lockout, or 0. */
export function lockoutRemaining(state: UnlockState, now: number): number {
  return state.current.phase === 'locked-out' ? Math.max(0, state.current.until - now) : 0;
}
