import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { templateFor, type Point } from '../face/align';
import type { HeadPose } from '../face/face-geometry';
import { seededRandom } from '../core/random';
import { greyFaceCrop, LivenessSession, MOTION_CROP_SIZE, type LivenessObservation } from './session';
import { FRAME_CUE_SETTINGS, renderFrame, texture, type Warp } from './testing';

const SIZE = MOTION_CROP_SIZE;
const FPS = 15;
const frontal: HeadPose = { yaw: 0, pitch: 0, roll: 0 };
const SURFACE = texture(3, SIZE);

/** Closure of a typical blink (Gaussian, σ 65 ms, 85 % deep) at time t for a blink at `at`. */
const closure = (t: number, at: number | null) => (at === null ? 0 : 0.85 * Math.exp(-((t - at) ** 2) / (2 * 65 ** 2)));

/**
 * A live face: a slow drift, an "eye" that closes with the blink, and a "mouth" that moves against
 * the rest (expression), so the crop changes in ways no single plane can.
 */
function liveWarp(blinkAt: number): Warp {
  return (x, y, frame) => {
    const t = (frame * 1000) / FPS;
    const [u, v] = [x - 0.15 * frame, y];
    const c = closure(t, blinkAt);
    if (Math.abs(u - 16) < 7 && Math.abs(v - 18) < 5) return [u, 18 + (v - 18) / (1 - c)];
    if ((u - 24) ** 2 + (v - 36) ** 2 < 50) return [u + 0.5 * Math.sin(frame / 2) * 2, v];
    return [u, v];
  };
}

/** A photo moved by hand: shift and in-plane rotation, the whole crop as one plane. */
const photoWarp: Warp = (x, y, frame) => {
  const a = (0.6 * frame * Math.PI) / 180;
  const c = (SIZE - 1) / 2;
  return [
    c + Math.cos(a) * (x - c) - Math.sin(a) * (y - c) - 0.3 * frame,
    c + Math.sin(a) * (x - c) + Math.cos(a) * (y - c),
  ];
};

interface StreamOptions {
  warp: Warp;
  blinkAt: number | null;
  pose?: (t: number, session: LivenessSession) => HeadPose;
  passive?: { antispoof: number; liveness: number };
}

/** Frame `i` of a synthetic stream at 15 fps with a little landmark noise. */
function observation(i: number, o: StreamOptions, session: LivenessSession, rng: () => number): LivenessObservation {
  const t = (i * 1000) / FPS;
  const c = closure(t, o.blinkAt);
  return {
    t,
    eyes: { left: 0.3 * (1 - c) + (rng() - 0.5) * 0.01, right: 0.28 * (1 - c) + (rng() - 0.5) * 0.01 },
    pose: o.pose ? o.pose(t, session) : frontal,
    crop: tf.tensor2d(renderFrame(SURFACE, SIZE, o.warp, i, { noise: 0.004, rng }), [SIZE, SIZE]),
    ...(o.passive ? { passive: o.passive } : {}),
  };
}

/** Feeds frames until the verdict is final or `maxFrames` have gone. */
async function run(session: LivenessSession, o: StreamOptions, maxFrames = 75) {
  const rng = seededRandom(9);
  let frames = 0;
  let verdict = session.verdict;
  const prompts = new Set<string>();
  while (verdict.status === 'pending' && frames < maxFrames) {
    verdict = await session.observe(observation(frames++, o, session, rng));
    if (verdict.prompt) prompts.add(verdict.prompt);
  }
  return { verdict, frames, prompts: [...prompts] };
}

describe('greyFaceCrop', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('cuts the aligned crop and turns it to luma', async () => {
    // A grey ramp across the frame (value = x / 399); the face's points are the 48-px template
    // scaled by 2 and moved to (100, 50), so crop pixel (u, v) is frame pixel (2u + 100, 2v + 50).
    const frame = tf.tidy(() => tf.linspace(0, 1, 400).reshape([1, 400, 1]).tile([300, 1, 3]) as tf.Tensor3D);
    const points = templateFor(SIZE).map(([x, y]): Point => [2 * x + 100, 2 * y + 50]);
    const before = tf.memory().numTensors;
    const crop = greyFaceCrop(frame, points);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(crop.shape).toEqual([SIZE, SIZE]);
    const values = await crop.array();
    for (const [u, v] of [
      [0, 0],
      [10, 30],
      [47, 47],
    ] as const) {
      expect(values[v]![u]).toBeCloseTo((2 * u + 100) / 399, 4);
    }
    tf.dispose([frame, crop]);
  });

  it("takes BlazeFace's four points (mouth centre) as well as the five", async () => {
    const frame = tf.tidy(() => tf.linspace(0, 1, 400).reshape([1, 400, 1]).tile([300, 1, 3]) as tf.Tensor3D);
    const t = templateFor(SIZE).map(([x, y]): Point => [2 * x + 100, 2 * y + 50]);
    const four: Point[] = [t[0]!, t[1]!, t[2]!, [(t[3]![0] + t[4]![0]) / 2, (t[3]![1] + t[4]![1]) / 2]];
    const [a, b] = [greyFaceCrop(frame, t), greyFaceCrop(frame, four)];
    const difference = tf.tidy(() => a.sub(b).abs().max());
    expect((await difference.data())[0]).toBeLessThan(1e-4);
    expect(() => greyFaceCrop(frame, t.slice(0, 3))).toThrow(RangeError);
    tf.dispose([frame, a, b, difference]);
  });

  it('weights red, green and blue as luma', async () => {
    const frame = tf.tidy(() => tf.ones([200, 200, 3]).mul(tf.tensor1d([0.2, 0.4, 0.6])) as tf.Tensor3D);
    const points = templateFor(SIZE).map(([x, y]): Point => [x + 70, y + 70]);
    const crop = greyFaceCrop(frame, points);
    const values = await crop.data();
    expect(values[SIZE * 24 + 24]).toBeCloseTo(0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6, 5);
    tf.dispose([frame, crop]);
  });
});

describe('LivenessSession', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('passes a live face soon after its blink, with no reasons', async () => {
    const start = tf.memory().numTensors;
    const session = new LivenessSession(FRAME_CUE_SETTINGS);
    const { verdict } = await run(session, { warp: liveWarp(1200), blinkAt: 1200 });
    expect(verdict.status).toBe('pass');
    expect(verdict.reasons).toEqual([]);
    expect(verdict.evidence.blinks).toBe(1);
    expect(verdict.evidence.motion.nonRigid).toBeGreaterThanOrEqual(1);
    expect(verdict.cues.blink.state).toBe('pass');
    expect(verdict.cues.motion.state).toBe('pass');
    // The blink is reported once the eyes have reopened: within half a second of it.
    expect(verdict.evidence.elapsedMs).toBeGreaterThan(1200);
    expect(verdict.evidence.elapsedMs).toBeLessThan(1700);
    session.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('fails a photo moved by hand, as a flat picture, within about a second and a half', async () => {
    const start = tf.memory().numTensors;
    const session = new LivenessSession(FRAME_CUE_SETTINGS);
    const { verdict, frames } = await run(session, { warp: photoWarp, blinkAt: null });
    expect(verdict.status).toBe('fail');
    expect(verdict.reasons).toEqual(['The face moved like a flat picture.']);
    expect(verdict.evidence.motion.nonRigid).toBe(0);
    // Windows at frames 8, 12, 16, 20: the fourth rigid one decides.
    expect(frames).toBe(20);
    expect(verdict.evidence.blinks).toBe(0);
    session.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('averages the passive scores and reports a low one as advice only', async () => {
    const session = new LivenessSession(FRAME_CUE_SETTINGS);
    const { verdict } = await run(session, {
      warp: liveWarp(900),
      blinkAt: 900,
      passive: { antispoof: 0.2, liveness: 0.4 },
    });
    expect(verdict.status).toBe('pass');
    expect(verdict.evidence.passive).toMatchObject({ antispoof: 0.2, liveness: 0.4 });
    expect(verdict.evidence.passive!.frames).toBeGreaterThanOrEqual(8);
    expect(verdict.advisories).toEqual(['The camera image looks like a photo or a screen.']);
    session.dispose();
  });

  it('with a challenge, fails a replayed live face that does not follow the prompts', async () => {
    const session = new LivenessSession(
      {
        required: { light: false, screen: false, passive: false, blink: true, motion: true, challenge: true },
        challenge: { kinds: ['turn-left', 'turn-right'] },
      },
      { rng: seededRandom(1), motionEvery: 8 },
    );
    const { verdict } = await run(session, { warp: liveWarp(700), blinkAt: 700 });
    expect(verdict.status).toBe('fail');
    expect(verdict.cues.blink.state).toBe('pass');
    expect(verdict.reasons).toHaveLength(1);
    expect(verdict.reasons[0]).toMatch(/^The face did not turn (left|right) within 4 s\.$/);
    session.dispose();
  });

  it('with a challenge, passes a live face that follows the prompts, showing each prompt', async () => {
    const session = new LivenessSession(
      {
        required: { light: false, screen: false, passive: false, blink: true, motion: true, challenge: true },
        challenge: { kinds: ['turn-left', 'turn-right'] },
      },
      { rng: seededRandom(1), motionEvery: 8 },
    );
    // The user: frontal when asked to centre, otherwise turned the asked way 200 ms after the prompt.
    const follow = (t: number, s: LivenessSession): HeadPose => {
      const c = s.verdict.evidence.challenge;
      if (!c || c.stage === 'centre' || c.since === null || t - c.since < 200) return frontal;
      return { ...frontal, yaw: c.steps[c.index] === 'turn-left' ? 25 : -25 };
    };
    const { verdict, prompts } = await run(session, { warp: liveWarp(700), blinkAt: 700, pose: follow });
    expect(verdict.status).toBe('pass');
    expect(verdict.evidence.challenge!.status).toBe('done');
    const steps = verdict.evidence.challenge!.steps;
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(prompts).toContain(
      steps[0] === 'turn-left' ? 'Turn your head to your left.' : 'Turn your head to your right.',
    );
    session.dispose();
  });

  it('releases its crops on reset and dispose, and drops frames after the verdict or after dispose', async () => {
    const start = tf.memory().numTensors;
    const session = new LivenessSession(FRAME_CUE_SETTINGS);
    const rng = seededRandom(2);
    const o = { warp: photoWarp, blinkAt: null };
    for (let i = 0; i < 6; i++) await session.observe(observation(i, o, session, rng));
    expect(tf.memory().numTensors).toBe(start + 6);
    session.reset();
    expect(tf.memory().numTensors).toBe(start);
    expect(session.verdict.evidence.frames).toBe(0);

    await run(session, o);
    expect(session.verdict.status).toBe('fail');
    const final = await session.observe(observation(30, o, session, rng));
    expect(final).toBe(session.verdict);
    expect(tf.memory().numTensors).toBe(start + 8);

    session.dispose();
    expect(tf.memory().numTensors).toBe(start);
    const late = observation(31, o, session, rng);
    await expect(session.observe(late)).rejects.toThrow(/disposed/);
    expect(late.crop!.isDisposed).toBe(true);
  });

  it('starts the motion clip afresh after a gap in the crops', async () => {
    const session = new LivenessSession(FRAME_CUE_SETTINGS, { maxCropGapMs: 500 });
    const rng = seededRandom(7);
    const o = { warp: photoWarp, blinkAt: null };
    const at = (i: number, t: number) => ({ ...observation(i, o, session, rng), t });
    // Seven crops, then the face is lost for 600 ms: the eighth crop would complete a clip of
    // eight, but begins a new one instead.
    for (let i = 0; i < 7; i++) await session.observe(at(i, i * 67));
    const after = await session.observe(at(7, 6 * 67 + 600));
    expect(after.evidence.motion).toMatchObject({ still: 0, rigid: 0, nonRigid: 0 });
    let v = after;
    for (let i = 8; i < 15; i++) v = await session.observe(at(i, 6 * 67 + 600 + (i - 7) * 67));
    expect(v.evidence.motion.rigid + v.evidence.motion.still).toBe(1);
    session.dispose();
  });

  it('processes frames in order even when the caller does not wait', async () => {
    const session = new LivenessSession(FRAME_CUE_SETTINGS);
    const rng = seededRandom(4);
    // No blink, so the verdict stays pending over these frames and every one is taken.
    const o = { warp: liveWarp(-10_000), blinkAt: null };
    const pending = Array.from({ length: 20 }, (_, i) => session.observe(observation(i, o, session, rng)));
    const verdicts = await Promise.all(pending);
    expect(verdicts.at(-1)!.evidence.frames).toBe(20);
    expect(verdicts.map((v) => v.evidence.frames)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    session.dispose();
  });

  it('starts a fresh attempt on reset, with a new challenge', async () => {
    const session = new LivenessSession(
      { enabled: { light: false, screen: false, passive: true, blink: true, motion: true, challenge: true } },
      {
        rng: seededRandom(5),
      },
    );
    const rng = seededRandom(6);
    const o = { warp: liveWarp(600), blinkAt: 600 };
    await session.observe(observation(0, o, session, rng));
    const first = session.verdict.evidence.challenge!;
    session.reset();
    expect(session.verdict.evidence.challenge).toBeNull();
    await session.observe(observation(0, o, session, rng));
    expect(session.verdict.evidence.challenge).not.toBe(first);
    expect(session.verdict.evidence.elapsedMs).toBe(0);
    session.dispose();
  });
});

describe('LivenessSession with the screen light', () => {
  it('takes the light result as evidence, and keeps a decided verdict', async () => {
    const session = new LivenessSession();
    expect(session.recordLight('running').cues.light.state).toBe('pending');
    const refused = session.recordLight({
      status: 'fail',
      correlation: 0.1,
      gain: 0.002,
      lagMs: 0,
      samples: 40,
      reason: 'The screen light did not reach your face: come closer or dim the room.',
    });
    expect(refused.status).toBe('fail');
    expect(refused.reasons).toEqual(['The screen light did not reach your face: come closer or dim the room.']);
    // A later pass cannot undo the refusal of this attempt.
    const after = session.recordLight({ status: 'pass', correlation: 1, gain: 1, lagMs: 0, samples: 40, reason: null });
    expect(after.status).toBe('fail');
    session.dispose();
  });
});
