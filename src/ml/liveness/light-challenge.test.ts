import { describe, expect, it } from 'vitest';
import {
  colourAt,
  drawLightSequence,
  judgeLight,
  LIGHT_PALETTE,
  LIGHT_REASONS,
  measureLight,
  relativeLuminance,
  type LightSample,
  type LightSequence,
  type Rgb,
} from './light-challenge';
import { gaussian, seededRandom } from '../core/random';

interface Camera {
  /** The sequence the face responds to (null: none, a still). */
  lit: LightSequence | null;
  lagMs: number;
  /** Share of the face's light that comes from the screen. */
  strength: number;
  /** Camera noise, standard deviation of each mean colour. */
  noise: number;
  fps?: number;
  durationMs?: number;
  /** A random change of exposure over the whole frame, per frame. */
  exposure?: number;
}

/** A simulated camera: a skin-coloured face lit by the room and the screen, a grey room behind. */
function film(camera: Camera, rng: () => number): LightSample[] {
  const albedo: Rgb = [0.7, 0.5, 0.4];
  const out: LightSample[] = [];
  const fps = camera.fps ?? 30;
  const end = camera.durationMs ?? 2400;
  for (let t = 0; t < end; t += 1000 / fps) {
    const light = (camera.lit && colourAt(camera.lit, t - camera.lagMs)) ?? ([0.75, 0.8, 0.75] as Rgb);
    const gain = 1 + (camera.exposure ?? 0) * gaussian(rng);
    const face = albedo.map(
      (a, c) => gain * a * (1 - camera.strength + camera.strength * light[c]!) + camera.noise * gaussian(rng),
    ) as unknown as Rgb;
    const background = [0.45, 0.45, 0.5].map((b) => gain * b + camera.noise * gaussian(rng)) as unknown as Rgb;
    out.push({ t, face, background });
  }
  return out;
}

describe('drawLightSequence', () => {
  it('draws 8–10 steps of 150–250 ms, no colour twice in a row, within 2 s', () => {
    const rng = seededRandom(1);
    for (let i = 0; i < 200; i++) {
      const s = drawLightSequence(rng);
      expect(s.steps.length).toBeGreaterThanOrEqual(8);
      expect(s.steps.length).toBeLessThanOrEqual(10);
      expect(s.totalMs).toBeLessThanOrEqual(2000);
      s.steps.forEach((step, k) => {
        expect(step.ms).toBeGreaterThanOrEqual(150);
        expect(step.ms).toBeLessThanOrEqual(250);
        if (k > 0) expect(step.colour).not.toBe(s.steps[k - 1]!.colour);
      });
    }
  });

  it('changes hue, not brightness: every pair of colours is within 0.1 of relative luminance', () => {
    const l = LIGHT_PALETTE.map(relativeLuminance);
    expect(Math.max(...l) - Math.min(...l)).toBeLessThan(0.1);
  });

  it('glides between colours in the gentle variant, and switches otherwise', () => {
    const seq: LightSequence = {
      steps: [
        { colour: [1, 0, 0], ms: 200 },
        { colour: [0, 0, 1], ms: 200 },
      ],
      gentle: false,
      totalMs: 400,
    };
    expect(colourAt(seq, 150)).toEqual([1, 0, 0]);
    expect(colourAt(seq, 250)).toEqual([0, 0, 1]);
    expect(colourAt(seq, 400)).toBeNull();
    const gentle = { ...seq, gentle: true };
    expect(colourAt(gentle, 50)).toEqual([1, 0, 0]);
    expect(colourAt(gentle, 150)![0]).toBeCloseTo(0.5);
    expect(colourAt(gentle, 150)![2]).toBeCloseTo(0.5);
  });
});

describe('measureLight', () => {
  it('averages the middle of the face box and what lies outside the grown box', () => {
    const w = 20;
    const h = 20;
    const px = new Uint8ClampedArray(w * h * 4);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const inFace = x >= 5 && x < 15 && y >= 5 && y < 15;
        px.set(inFace ? [255, 0, 0, 255] : [0, 0, 255, 255], (y * w + x) * 4);
      }
    const s = measureLight(px, w, h, { x: 5, y: 5, width: 10, height: 10 }, 7)!;
    expect(s.t).toBe(7);
    expect(s.face).toEqual([1, 0, 0]);
    expect(s.background).toEqual([0, 0, 1]);
  });
});

describe('judgeLight', () => {
  const rng = seededRandom(42);
  const seq = drawLightSequence(seededRandom(7));

  it('passes a face lit by the sequence and finds the camera delay', () => {
    for (const lag of [40, 120, 200]) {
      const r = judgeLight(seq, 0, film({ lit: seq, lagMs: lag, strength: 0.2, noise: 0.002 }, rng));
      expect(r.status).toBe('pass');
      expect(Math.abs(r.lagMs - lag)).toBeLessThanOrEqual(40);
      expect(r.correlation).toBeGreaterThan(0.9);
    }
  });

  it('tolerates camera noise and auto-exposure changes over the whole frame', () => {
    const r = judgeLight(seq, 0, film({ lit: seq, lagMs: 70, strength: 0.2, noise: 0.006, exposure: 0.05 }, rng));
    expect(r.status).toBe('pass');
  });

  it('refuses a response too weak to be the screen, even when it follows the sequence', () => {
    const r = judgeLight(seq, 0, film({ lit: seq, lagMs: 70, strength: 0.02, noise: 0.0005 }, rng));
    expect(r.correlation).toBeGreaterThan(0.7);
    expect(r.status).toBe('fail');
    expect(r.reason).toBe(LIGHT_REASONS.weak);
  });

  it('refuses a still: nothing follows the sequence', () => {
    const r = judgeLight(seq, 0, film({ lit: null, lagMs: 0, strength: 0.2, noise: 0.002 }, rng));
    expect(r.status).toBe('fail');
    expect(r.reason).toBe(LIGHT_REASONS.weak);
  });

  it('refuses a replay that responds, strongly, to a different sequence', () => {
    const recorded = drawLightSequence(seededRandom(99));
    const r = judgeLight(seq, 0, film({ lit: recorded, lagMs: 70, strength: 0.2, noise: 0.003 }, rng));
    expect(r.status).toBe('fail');
    expect(r.reason).toBe(LIGHT_REASONS.mismatch);
  });

  it('lets through at most 1 % of replays of other sequences by chance, and no live face fails', () => {
    // Chance matches exist: two random sequences can correlate. This bounds how often.
    const other = seededRandom(5);
    let replays = 0;
    let refusedLive = 0;
    for (let i = 0; i < 400; i++) {
      const fresh = drawLightSequence(other);
      const lit = judgeLight(fresh, 0, film({ lit: fresh, lagMs: 90, strength: 0.2, noise: 0.004 }, rng));
      if (lit.status !== 'pass') refusedLive++;
      const replay = judgeLight(
        fresh,
        0,
        film({ lit: drawLightSequence(other), lagMs: 90, strength: 0.2, noise: 0.004 }, rng),
      );
      if (replay.status === 'pass') replays++;
    }
    expect(refusedLive).toBe(0);
    expect(replays).toBeLessThanOrEqual(4);
  });

  it('says so when too few frames came during the sequence', () => {
    const r = judgeLight(seq, 0, film({ lit: seq, lagMs: 70, strength: 0.2, noise: 0.002, fps: 3 }, rng));
    expect(r.status).toBe('fail');
    expect(r.reason).toBe(LIGHT_REASONS.frames);
  });
});
