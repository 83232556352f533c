import { describe, expect, it } from 'vitest';
import { startChallenge, type ChallengeState } from './challenge';
import { DEFAULT_LIVENESS_SETTINGS, fuseLiveness, type LivenessEvidence, type LivenessSettings } from './fusion';
import { LIGHT_REASONS, type LightResult } from './light-challenge';
import { FRAME_CUE_SETTINGS } from './testing';
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
    challenge: null,
    light: null,
    ...over,
  } as LivenessEvidence;
}

/** fuseLiveness with blink and motion required and the screen light off, as the frame-cue tests assume. */
function fuse(e: LivenessEvidence, s: Partial<LivenessSettings> = {}) {
  return fuseLiveness(e, { ...FRAME_CUE_SETTINGS, ...s });
}

const liveMotion = { still: 1, rigid: 1, nonRigid: 2, last: analysis('non-rigid', 0.6) };
const flatMotion = { still: 0, rigid: 4, nonRigid: 0, last: analysis('rigid', 0.02) };

describe('fuseLiveness', () => {
  it('has the measured defaults: the screen light required, blink, motion and passive shown, challenge off', () => {
    const d = DEFAULT_LIVENESS_SETTINGS;
    expect(d.required).toEqual({
      light: true,
      passive: false,
      screen: false,
      blink: false,
      motion: false,
      challenge: false,
    });
    expect(d.enabled).toEqual({
      light: true,
      passive: true,
      screen: true,
      blink: true,
      motion: true,
      challenge: false,
    });
  });

  it('shows the screen traces as advice: a grid or a frame above its threshold fails the cue, not the attempt', () => {
    const light: LightResult = { status: 'pass', correlation: 0.9, gain: 0.1, lagMs: 60, samples: 40, reason: null };
    const clean = fuseLiveness(evidence({ frames: 4, light, screen: { frames: 3, grid: 2.2, bezel: 0.1 } }));
    expect(clean.cues.screen).toMatchObject({ state: 'pass', required: false, detail: 'grid 2.20, frame 0.10' });
    const screen = fuseLiveness(evidence({ frames: 4, light, screen: { frames: 3, grid: 5, bezel: 0.1 } }));
    expect(screen.status).toBe('pass');
    expect(screen.advisories).toEqual(["The image shows a screen's pixel grid or a frame around the face."]);
    const strict = fuseLiveness(evidence({ frames: 4, light, screen: { frames: 3, grid: 2, bezel: 0.8 } }), {
      required: { ...DEFAULT_LIVENESS_SETTINGS.required, screen: true },
    });
    expect(strict.status).toBe('fail');
  });

  it('with the screen light required: pending while it runs, then takes its verdict after one frame', () => {
    const pass: LightResult = { status: 'pass', correlation: 0.93, gain: 0.1, lagMs: 60, samples: 40, reason: null };
    const fail: LightResult = { ...pass, status: 'fail', correlation: 0.1, reason: LIGHT_REASONS.mismatch };
    const running = fuseLiveness(evidence({ frames: 0, light: 'running' }));
    expect(running.status).toBe('pending');
    expect(running.prompt).toBe('Hold still: the screen lights your face.');
    expect(fuseLiveness(evidence({ frames: 0, light: pass })).status).toBe('pending');
    const r = fuseLiveness(evidence({ frames: 1, light: pass }));
    expect(r.status).toBe('pass');
    expect(r.cues.light.detail).toBe('correlation 0.93, response 0.100, delay 60 ms');
    // Blink and motion are shown, not deciding: still pending, the attempt passes.
    expect(r.cues.blink.state).toBe('pending');
    const refused = fuseLiveness(evidence({ frames: 0, light: fail }));
    expect(refused.status).toBe('fail');
    expect(refused.reasons).toEqual([LIGHT_REASONS.mismatch]);
    // A light check that never ran fails at the time limit.
    expect(fuseLiveness(evidence({ elapsedMs: 8000, light: null })).reasons).toContain(
      'The screen light check did not run: try again.',
    );
  });

  it('is pending with no evidence yet, and shows which cues are on', () => {
    const r = fuse(evidence({ elapsedMs: 0, frames: 0 }));
    expect(r.status).toBe('pending');
    expect(r.reasons).toEqual([]);
    expect(r.cues.blink.state).toBe('pending');
    expect(r.cues.motion.state).toBe('pending');
    expect(r.cues.passive).toMatchObject({ state: 'pending', required: false });
    expect(r.cues.challenge.state).toBe('off');
    expect(r.prompt).toBeUndefined();
  });

  it('passes once a blink and non-rigid motion are seen over enough frames', () => {
    const r = fuse(evidence({ blinks: 1, motion: liveMotion }));
    expect(r.status).toBe('pass');
    expect(r.reasons).toEqual([]);
    expect(r.cues.blink.detail).toBe('1 blink');
    expect(r.cues.motion.detail).toBe('non-rigid, non-rigidity 0.60');
    expect(fuse(evidence({ blinks: 1, motion: liveMotion, frames: 5 })).status).toBe('pending');
  });

  it('fails fast on a face that keeps moving like a flat picture', () => {
    const r = fuse(evidence({ elapsedMs: 1500, motion: flatMotion }));
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual(['The face moved like a flat picture.']);
    expect(r.prompt).toBe('The face moved like a flat picture.');
    // Three rigid windows are not yet enough; one non-rigid window outweighs any number.
    expect(fuse(evidence({ motion: { ...flatMotion, rigid: 3 } })).status).toBe('pending');
    expect(fuse(evidence({ motion: { ...flatMotion, rigid: 9, nonRigid: 1 } })).cues.motion.state).toBe('pass');
  });

  it('asks for a blink after a while, and fails without one when the time is up', () => {
    expect(fuse(evidence({ elapsedMs: 2000, motion: liveMotion })).prompt).toBeUndefined();
    expect(fuse(evidence({ elapsedMs: 3000, motion: liveMotion })).prompt).toBe('Blink once.');
    const late = fuse(evidence({ elapsedMs: 8000, motion: liveMotion }));
    expect(late.status).toBe('fail');
    expect(late.reasons).toEqual(['No blink in 8 s.']);
  });

  it('at the time limit names every missing cue, still faces included', () => {
    const r = fuse(evidence({ elapsedMs: 9000, motion: { still: 5, rigid: 0, nonRigid: 0, last: null } }));
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual(['No blink in 9 s.', 'The face did not move at all, like a picture.']);
    const few = fuse(evidence({ elapsedMs: 9000, frames: 3, blinks: 1, motion: liveMotion }));
    expect(few.reasons).toEqual(['Too few frames with a face in 9 s.']);
  });

  it('keeps a low passive score advisory by default, and fails on it when required', () => {
    const passive = { frames: 5, antispoof: 0.3, liveness: 0.8 };
    const r = fuse(evidence({ blinks: 1, motion: liveMotion, passive }));
    expect(r.status).toBe('pass');
    expect(r.cues.passive).toMatchObject({ state: 'fail', required: false, detail: 'antispoof 0.30, liveness 0.80' });
    expect(r.advisories).toEqual(['The camera image looks like a photo or a screen.']);
    const strict = fuse(evidence({ blinks: 1, motion: liveMotion, passive }), {
      required: { ...FRAME_CUE_SETTINGS.required, passive: true },
    });
    expect(strict.status).toBe('fail');
    expect(strict.reasons).toEqual(['The camera image looks like a photo or a screen.']);
    // Leaving the anti-spoof model out (threshold null) judges by the liveness model alone.
    const livenessOnly = fuse(evidence({ blinks: 1, motion: liveMotion, passive }), {
      required: { ...FRAME_CUE_SETTINGS.required, passive: true },
      passive: { minFrames: 3, antispoof: null, liveness: 0.5 },
    });
    expect(livenessOnly.status).toBe('pass');
  });

  it('with a required challenge: waits for it past the time limit, prompts its step, and takes its verdict', () => {
    const settings = { required: { ...FRAME_CUE_SETTINGS.required, challenge: true } };
    const running: ChallengeState = { ...startChallenge(['turn-left', 'blink']), stage: 'act', prompt: 'Turn …' };
    const pending = fuse(evidence({ elapsedMs: 9000, motion: liveMotion, challenge: running }), settings);
    expect(pending.status).toBe('pending');
    expect(pending.prompt).toBe('Turn …');
    expect(pending.cues.challenge.detail).toBe('step 1 of 2');

    const done: ChallengeState = { ...running, index: 2, status: 'done' };
    expect(fuse(evidence({ blinks: 1, motion: liveMotion, challenge: done }), settings).status).toBe('pass');

    const reason = 'The face did not turn left within 4 s.';
    const failed: ChallengeState = { ...running, status: 'failed', reason };
    const r = fuse(evidence({ blinks: 1, motion: liveMotion, challenge: failed }), settings);
    expect(r.status).toBe('fail');
    expect(r.reasons).toEqual([reason]);
  });

  it('lists a cue that is neither enabled nor required as off, and never waits for it', () => {
    const r = fuse(evidence({ blinks: 0, motion: liveMotion }), {
      enabled: { light: false, screen: false, passive: false, blink: false, motion: true, challenge: false },
      required: { light: false, screen: false, passive: false, blink: false, motion: true, challenge: false },
    });
    expect(r.cues.blink.state).toBe('off');
    expect(r.cues.passive.state).toBe('off');
    expect(r.status).toBe('pass');
  });
});
