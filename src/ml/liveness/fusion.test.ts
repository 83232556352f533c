import { describe, expect, it } from 'vitest';
import { startChallenge, type ChallengeState } from './challenge';
import { DEFAULT_LIVENESS_SETTINGS, fuseLiveness, type LivenessEvidence } from './fusion';
import type { MotionAnalysis } from './motion';

const analysis = (verdict: MotionAnalysis['verdict'], nonRigidity: number): MotionAnalysis => ({
  energy: 0.01,
  residual: 0.01 * nonRigidity,
  nonRigidity,
  speed: 0.3,
  verdict,
  frames: [],
});

function evidence(over: Partial<LivenessEvidence> = {}): LivenessEvidence {
  return {
    elapsedMs: 1000,
    frames: 10,
    blinks: 0,
    motion: { still: 0, rigid: 0, nonRigid: 0, last: null },
    passive: null,
    ...over,
  } as LivenessEvidence;
}

const liveMotion = { still: 1, rigid: 1, nonRigid: 2, last: analysis('non-rigid', 0.6) };
const flatMotion = { still: 0, rigid: 4, nonRigid: 0, last: analysis('rigid', 0.02) };

describe('fuseLiveness', () => {
  it('has sensible defaults: blink and motion required, passive advisory, challenge off', () => {
    const d = DEFAULT_LIVENESS_SETTINGS;
    expect(d.required).toEqual({ passive: false, blink: true, motion: true, challenge: false });
    expect(d.enabled.passive).toBe(true);
    expect(d.enabled.challenge).toBe(false);
  });

  it('is pending with no evidence yet, and shows which cues are on', () => {
    const r = fuseLiveness(evidence({ elapsedMs: 0, frames: 0 }));
    expect(r.status).toBe('pending');
    expect(r.reasons).toEqual([]);
    expect(r.cues.blink.state).toBe('pending');
    expect(r.cues.motion.state).toBe('pending');
    expect(r.cues.passive).toMatchObject({ state: 'pending', required: false });
    expect(r.cues.challenge.state).toBe('off');
    expect(r.prompt).toBeUndefined();
  });

  it('passes once a blink and non-rigid motion are seen over enough frames', () => {
    const r = fuseLiveness(evidence({ blinks: 1, motion: liveMotion }));
    expect(r.status).toBe('pass');
    expect(r.reasons).toEqual([]);
    expect(r.cues.blink.detail).toBe('1 blink');
    expect(r.cues.motion.detail).toBe('non-rigid, non-rigidity 0.60');
    expect(fuseLiveness(evidence({ blinks: 1, motion: liveMotion, frames: 5 })).status).toBe('pending');
  });

  it('fails fast on a face that keeps moving like a flat picture', () => {
    const r = fuseLiveness(evidence({ elapsedMs: 1500, motion: flatMotion }));
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual(['The face moved like a flat picture.']);
    expect(r.prompt).toBe('The face moved like a flat picture.');
    // Three rigid windows are not yet enough; one non-rigid window outweighs any number.
    expect(fuseLiveness(evidence({ motion: { ...flatMotion, rigid: 3 } })).status).toBe('pending');
    expect(fuseLiveness(evidence({ motion: { ...flatMotion, rigid: 9, nonRigid: 1 } })).cues.motion.state).toBe('pass');
  });

  it('asks for a blink after a while, and fails without one when the time is up', () => {
    expect(fuseLiveness(evidence({ elapsedMs: 2000, motion: liveMotion })).prompt).toBeUndefined();
    expect(fuseLiveness(evidence({ elapsedMs: 3000, motion: liveMotion })).prompt).toBe('Blink once.');
    const late = fuseLiveness(evidence({ elapsedMs: 8000, motion: liveMotion }));
    expect(late.status).toBe('fail');
    expect(late.reasons).toEqual(['No blink in 8 s.']);
  });

  it('at the time limit names every missing cue, still faces included', () => {
    const r = fuseLiveness(evidence({ elapsedMs: 9000, motion: { still: 5, rigid: 0, nonRigid: 0, last: null } }));
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual(['No blink in 9 s.', 'The face did not move at all, like a picture.']);
    const few = fuseLiveness(evidence({ elapsedMs: 9000, frames: 3, blinks: 1, motion: liveMotion }));
    expect(few.reasons).toEqual(['Too few frames with a face in 9 s.']);
  });

  it('keeps a low passive score advisory by default, and fails on it when required', () => {
    const passive = { frames: 5, antispoof: 0.3, liveness: 0.8 };
    const r = fuseLiveness(evidence({ blinks: 1, motion: liveMotion, passive }));
    expect(r.status).toBe('pass');
    expect(r.cues.passive).toMatchObject({ state: 'fail', required: false, detail: 'antispoof 0.30, liveness 0.80' });
    expect(r.advisories).toEqual(['The camera image looks like a photo or a screen.']);
    const strict = fuseLiveness(evidence({ blinks: 1, motion: liveMotion, passive }), {
      required: { ...DEFAULT_LIVENESS_SETTINGS.required, passive: true },
    });
    expect(strict.status).toBe('fail');
    expect(strict.reasons).toEqual(['The camera image looks like a photo or a screen.']);
    // Leaving the anti-spoof model out (threshold null) judges by the liveness model alone.
    const livenessOnly = fuseLiveness(evidence({ blinks: 1, motion: liveMotion, passive }), {
      required: { ...DEFAULT_LIVENESS_SETTINGS.required, passive: true },
      passive: { minFrames: 3, antispoof: null, liveness: 0.5 },
    });
    expect(livenessOnly.status).toBe('pass');
  });

  it('with a required challenge: waits for it past the time limit, prompts its step, and takes its verdict', () => {
    const settings = { required: { ...DEFAULT_LIVENESS_SETTINGS.required, challenge: true } };
    const running: ChallengeState = { ...startChallenge(['turn-left', 'blink']), stage: 'act', prompt: 'Turn …' };
    const pending = fuseLiveness(evidence({ elapsedMs: 9000, motion: liveMotion, challenge: running }), settings);
    expect(pending.status).toBe('pending');
    expect(pending.prompt).toBe('Turn …');
    expect(pending.cues.challenge.detail).toBe('step 1 of 2');

    const done: ChallengeState = { ...running, index: 2, status: 'done' };
    expect(fuseLiveness(evidence({ blinks: 1, motion: liveMotion, challenge: done }), settings).status).toBe('pass');

    const reason = 'The face did not turn left within 4 s.';
    const failed: ChallengeState = { ...running, status: 'failed', reason };
    const r = fuseLiveness(evidence({ blinks: 1, motion: liveMotion, challenge: failed }), settings);
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual([reason]);
  });

  it('lists a cue that is neither enabled nor required as off, and never waits for it', () => {
    const r = fuseLiveness(evidence({ blinks: 0, motion: liveMotion }), {
      enabled: { passive: false, blink: false, motion: true, challenge: false },
      required: { passive: false, blink: false, motion: true, challenge: false },
    });
    expect(r.cues.blink.state).toBe('off');
    expect(r.cues.passive.state).toBe('off');
    expect(r.status).toBe('pass');
  });
});
