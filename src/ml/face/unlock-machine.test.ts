import { describe, expect, it } from 'vitest';
import {
  initialUnlockState,
  lockoutAfterFailure,
  lockoutAfterSuccess,
  lockoutRemaining,
  MAX_LOCKOUT_MS,
  unlockReducer,
  type UnlockEvent,
  type UnlockState,
} from './unlock-machine';

const run = (events: UnlockEvent[], state: UnlockState = initialUnlockState({ threshold: 0.5 })) =>
  events.reduce(unlockReducer, state);

const me = { score: 0.8, identityId: 'id-1', name: 'Ada' };
const stranger = { score: 0.2, identityId: 'id-1', name: 'Ada' };
const attempt = (outcome: typeof me, now: number): UnlockEvent[] => [
  { type: 'face', quality: 0.9, reasons: [], now },
  { type: 'liveness', pass: true, reasons: [], now },
  { type: 'match', outcome, now },
];

describe('unlockReducer', () => {
  it('goes looking → checking → matching → unlocked for an enrolled face', () => {
    let s = run([{ type: 'start', now: 0 }]);
    expect(s.current.phase).toBe('looking');
    s = unlockReducer(s, { type: 'face', quality: 0.9, reasons: [], now: 1 });
    expect(s.current.phase).toBe('checking');
    s = unlockReducer(s, { type: 'liveness', pass: true, reasons: [], now: 2 });
    expect(s.current.phase).toBe('matching');
    s = unlockReducer(s, { type: 'match', outcome: me, now: 3 });
    expect(s.current).toEqual({ phase: 'unlocked', match: me, at: 3 });
    expect(s.lastScore).toBe(0.8);
  });

  it('keeps looking, with a hint, while the face is of poor quality', () => {
    const s = run([
      { type: 'start', now: 0 },
      { type: 'face', quality: 0.1, reasons: ['Move closer to the camera.'], now: 1 },
    ]);
    expect(s.current).toEqual({ phase: 'looking', hint: 'Move closer to the camera.' });
  });

  it('denies below the threshold, with the score in the reason', () => {
    const s = run([{ type: 'start', now: 0 }, ...attempt(stranger, 1)]);
    expect(s.current.phase).toBe('denied');
    expect(s.current.phase === 'denied' && s.current.reasons[0]).toBe('Similarity 0.200 is below the threshold 0.500.');
    expect(s.failures).toBe(1);
  });

  it('a failed liveness check is a failed attempt and never reaches matching', () => {
    const s = run([
      { type: 'start', now: 0 },
      { type: 'face', quality: 0.9, reasons: [], now: 1 },
      { type: 'liveness', pass: false, reasons: ['No blink in 4 s.'], now: 2 },
      { type: 'match', outcome: me, now: 3 },
    ]);
    expect(s.current).toEqual({ phase: 'denied', match: null, reasons: ['No blink in 4 s.'], at: 2 });
  });

  it('locks out after the fifth failure in a row, ignores faces meanwhile, and reopens after the lockout', () => {
    let s = run([{ type: 'start', now: 0 }]);
    for (let i = 0; i < 5; i++) s = run([...attempt(stranger, i), { type: 'retry', now: i }], s);
    // The lockout keeps the reason of the attempt that began it, for the page to show.
    expect(s.current).toEqual({
      phase: 'locked-out',
      until: 4 + 30_000,
      reasons: ['Similarity 0.200 is below the threshold 0.500.'],
    });
    expect(lockoutRemaining(s, 1004)).toBe(29_000);
    s = run(attempt(me, 5000), s);
    expect(s.current.phase).toBe('locked-out');
    s = unlockReducer(s, { type: 'tick', now: 30_004 });
    expect(s.current.phase).toBe('looking');
    expect(s.failures).toBe(0);
  });

  it('a success resets the failure count', () => {
    let s = run([{ type: 'start', now: 0 }, ...attempt(stranger, 1), { type: 'retry', now: 2 }]);
    s = run(attempt(me, 3), s);
    expect(s.failures).toBe(0);
  });

  it('takes the stored count and an active stored lockout, which stopping the camera does not lift', () => {
    let s = run([{ type: 'start', now: 0 }]);
    s = unlockReducer(s, { type: 'sync', failures: 3, lockedUntil: 0, now: 10 });
    expect(s.failures).toBe(3);
    expect(s.current.phase).toBe('looking');
    s = unlockReducer(s, { type: 'sync', failures: 5, lockedUntil: 20_000, now: 10 });
    expect(s.current).toEqual({ phase: 'locked-out', until: 20_000 });
    // Another tab (or an edited store) cannot shorten a lockout, only lengthen it.
    s = unlockReducer(s, { type: 'sync', failures: 0, lockedUntil: 0, now: 11 });
    expect(s.current).toEqual({ phase: 'locked-out', until: 20_000 });
    s = unlockReducer(s, { type: 'sync', failures: 5, lockedUntil: 25_000, now: 12 });
    expect(s.current).toEqual({ phase: 'locked-out', until: 25_000 });
    expect(unlockReducer(s, { type: 'tick', now: 25_000 }).current.phase).toBe('looking');
  });

  it('counts an ended stored lockout as no failures, and cuts one set far ahead (a clock set back) to the longest', () => {
    const idle = initialUnlockState({ maxFailures: 5 });
    expect(unlockReducer(idle, { type: 'sync', failures: 5, lockedUntil: 900, now: 1000 })).toMatchObject({
      failures: 0,
      current: { phase: 'idle' },
    });
    const far = unlockReducer(idle, { type: 'sync', failures: 5, lockedUntil: 1e15, now: 1000 });
    expect(far.current).toEqual({ phase: 'locked-out', until: 1000 + MAX_LOCKOUT_MS });
  });
});

describe('the stored counter rules', () => {
  const fail = lockoutAfterFailure({ maxFailures: 3, lockoutMs: 30_000 });

  it('lock out at the last allowed failure, restart the count after the lockout, and clear on success', () => {
    let r = { failures: 0, until: 0 };
    r = fail(r, 1);
    r = fail(r, 2);
    expect(r).toEqual({ failures: 2, until: 0 });
    r = fail(r, 3);
    expect(r).toEqual({ failures: 3, until: 30_003 });
    // Still locked out: a late attempt from a tab that had not heard adds nothing; a success clears nothing.
    expect(fail(r, 10)).toBe(r);
    expect(lockoutAfterSuccess(r, 10)).toBe(r);
    expect(fail(r, 30_003)).toEqual({ failures: 1, until: 0 });
    expect(lockoutAfterSuccess({ failures: 2, until: 0 }, 5)).toEqual({ failures: 0, until: 0 });
  });
});
