import { describe, expect, it } from 'vitest';
import type { HeadPose } from '../face/face-geometry';
import {
  advanceChallenge,
  createChallenge,
  drawSteps,
  promptFor,
  startChallenge,
  type ChallengeObservation,
  type ChallengeState,
  type ChallengeStep,
} from './challenge';
import { seededRandom } from '../core/random';

const pose = (yaw: number, pitch = 0): HeadPose => ({ yaw, pitch, roll: 0 });
const frontal = pose(0);

/** Feeds observations in order and returns every intermediate state. */
function run(state: ChallengeState, observations: ChallengeObservation[]): ChallengeState[] {
  const states: ChallengeState[] = [];
  for (const o of observations) states.push((state = advanceChallenge(state, o)));
  return states;
}

/** One observation every 125 ms (8 fps) from `t0`, with the given poses / blinks. */
function frames(t0: number, poses: (HeadPose | null)[], blinkAt: number[] = []): ChallengeObservation[] {
  return poses.map((p, i) => ({ t: t0 + i * 125, pose: p, blinked: blinkAt.includes(i) }));
}

describe('drawSteps', () => {
  it('draws 2–3 steps with no immediate repeat, reproducibly from a seed', () => {
    const seen = new Set<string>();
    for (let seed = 1; seed <= 200; seed++) {
      const steps = drawSteps(seededRandom(seed));
      expect(steps.length).toBeGreaterThanOrEqual(2);
      expect(steps.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < steps.length; i++) expect(steps[i]).not.toBe(steps[i - 1]);
      expect(drawSteps(seededRandom(seed))).toEqual(steps);
      seen.add(steps.join(','));
    }
    // 3·2 two-step + 3·2·2 three-step sequences: a fair draw meets (nearly) all 18 in 200 tries.
    expect(seen.size).toBeGreaterThanOrEqual(16);
  });

  it('uses only the allowed kinds, e.g. look-up when asked for', () => {
    const steps = drawSteps(seededRandom(3), { kinds: ['look-up', 'blink'], minSteps: 3, maxSteps: 3 });
    expect(steps).toHaveLength(3);
    expect(steps.every((s) => s === 'look-up' || s === 'blink')).toBe(true);
    expect(() => drawSteps(Math.random, { kinds: [] })).toThrow(RangeError);
  });

  it('copes with an rng that returns values at the ends of its range', () => {
    expect(drawSteps(() => 0.999999999).length).toBe(3);
    expect(drawSteps(() => 0).length).toBe(2);
  });
});

describe('promptFor', () => {
  it("names the user's own side, with the arrow as seen in a mirrored or plain preview", () => {
    expect(promptFor('turn-left')).toEqual({ prompt: 'Turn your head to your left.', arrow: 'left' });
    expect(promptFor('turn-left', { mirroredPreview: false }).arrow).toBe('right');
    expect(promptFor('turn-right').arrow).toBe('right');
    expect(promptFor('blink').arrow).toBeNull();
  });
});

describe('advanceChallenge', () => {
  it('completes blink → turn-left → turn-right with the right observations, centring in between', () => {
    const start = startChallenge(['blink', 'turn-left', 'turn-right']);
    const states = run(start, [
      ...frames(0, [frontal, frontal, frontal], [2]), // centred at 0; blink at 250
      ...frames(375, [pose(5), pose(12), pose(21)]), // turn-left step: centred at 375, turned at 625
      ...frames(750, [pose(15), pose(-3), pose(-10), pose(-19)]), // back to centre at 875, right at 1125
    ]);
    expect(states.map((s) => `${s.index}${s.stage[0]}`)).toEqual([
      '0a',
      '0a',
      '1c',
      '1a',
      '1a',
      '2c',
      '2c',
      '2a',
      '2a',
      '3a',
    ]);
    expect(states[0]!.prompt).toBe('Blink once.');
    expect(states[3]!.prompt).toBe('Turn your head to your left.');
    expect(states[5]!.prompt).toBe('Look straight at the camera.');
    expect(states.at(-1)!.status).toBe('done');
    expect(states.at(-1)!.reason).toBeNull();
  });

  it('does not count a blink reported on the frame that starts the step', () => {
    const [s] = run(startChallenge(['blink', 'turn-left']), frames(0, [frontal], [0]));
    expect(s!.index).toBe(0);
    expect(s!.stage).toBe('act');
  });

  it('one held turn cannot pass two turn steps: the face must come back first', () => {
    const states = run(startChallenge(['turn-left', 'blink', 'turn-left']), [
      ...frames(0, [frontal, pose(25)]),
      ...frames(250, [pose(25), pose(25), pose(25)]),
    ]);
    expect(states.at(-1)!.index).toBe(1);
    expect(states.at(-1)!.stage).toBe('centre');
  });

  it('fails on timeout with the right reason', () => {
    const still = Array.from({ length: 40 }, () => frontal); // 5 s of a frontal, motionless face
    const blink = run(startChallenge(['blink', 'turn-left']), frames(0, still)).at(-1)!;
    expect(blink.status).toBe('failed');
    expect(blink.reason).toBe('No blink within 4 s.');

    const turn = run(startChallenge(['turn-left', 'blink']), frames(1000, still));
    const failedAt = turn.findIndex((s) => s.status === 'failed');
    // Acted from 1000 ms; 4 s later (the first frame after 5000 ms) it gives up.
    expect(1000 + failedAt * 125).toBe(5125);
    expect(turn.at(-1)!.reason).toBe('The face did not turn left within 4 s.');
    expect(turn.at(-1)!.prompt).toBe(turn.at(-1)!.reason);
  });

  it('fails when the face never comes back to the centre, or turns the wrong way', () => {
    const away = run(startChallenge(['turn-right', 'blink']), frames(0, [frontal, ...Array(40).fill(pose(-30))]));
    expect(away.at(-1)!.reason).toBe('The face did not come back to the centre within 4 s.');
    const wrong = run(startChallenge(['turn-left', 'blink']), frames(0, [frontal, pose(-8), pose(-20)]));
    expect(wrong.at(-1)!.status).toBe('failed');
    expect(wrong.at(-1)!.reason).toBe('The face turned right instead of left.');
    const lenient = run(startChallenge(['turn-left', 'blink']), frames(0, [frontal, pose(-20), pose(20)]));
    expect(lenient.at(-1)!.status).toBe('failed'); // default: wrong way fails
    let s = startChallenge(['turn-left', 'blink']);
    for (const o of frames(0, [frontal, pose(-20), pose(20)])) s = advanceChallenge(s, o, { failOnWrongTurn: false });
    expect(s.index).toBe(1);
  });

  it('reads yaw flipped when the analysed frames are mirrored', () => {
    let s = startChallenge(['turn-left', 'blink']);
    for (const o of frames(0, [frontal, pose(-20)])) s = advanceChallenge(s, o, { mirroredFrames: true });
    expect(s.index).toBe(1);
  });

  it('frames without a face change nothing, but the clock runs', () => {
    const states = run(startChallenge(['look-up', 'blink']), [
      ...frames(0, [frontal, null, null]),
      ...frames(375, [pose(0, 20)]),
    ]);
    expect(states.map((s) => s.index)).toEqual([0, 0, 0, 1]);
    const lost = run(startChallenge(['look-up', 'blink']), frames(0, [frontal, ...Array(40).fill(null)]));
    expect(lost.at(-1)!.reason).toBe('The face did not look up within 4 s.');
  });

  it('stays finished', () => {
    const done = run(startChallenge(['blink']), frames(0, [frontal, frontal], [1])).at(-1)!;
    expect(done.status).toBe('done');
    expect(advanceChallenge(done, { t: 99999, pose: null, blinked: false })).toBe(done);
  });

  it('a seeded challenge is reproducible and different seeds give different sequences', () => {
    const a = createChallenge(seededRandom(42));
    expect(createChallenge(seededRandom(42)).steps).toEqual(a.steps);
    const others = [1, 2, 3, 4, 5].map((seed) => createChallenge(seededRandom(seed)).steps.join());
    expect(others.some((s) => s !== a.steps.join())).toBe(true);
    const kinds: ChallengeStep[] = ['blink', 'turn-left', 'turn-right'];
    expect(a.steps.every((s) => kinds.includes(s))).toBe(true);
  });
});

describe('the resting pose', () => {
  it('measures turns from the pose the user rests in, not from the camera axis', () => {
    // A camera above the screen: the user looks 14° down and 10° to one side while facing the screen.
    const rest = { yaw: 10, pitch: -14, roll: 0 };
    let s = startChallenge(['turn-left']);
    s = advanceChallenge(s, { t: 0, pose: rest, blinked: false });
    expect(s.stage).toBe('act');
    s = advanceChallenge(s, { t: 500, pose: { ...rest, yaw: 20 }, blinked: false });
    expect(s.status).toBe('running');
    s = advanceChallenge(s, { t: 900, pose: { ...rest, yaw: 30 }, blinked: false });
    expect(s.status).toBe('done');
  });
});
