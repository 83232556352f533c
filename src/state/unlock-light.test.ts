import { describe, expect, it } from 'vitest';
import type { LightSample, Rgb } from '../ml/liveness/light-challenge';
import { runLightChallenge, type LightServices, type LightShow } from './unlock-light';

/**
 * Fake services on a fake clock: each display frame is 1000/60 ms, the "camera" sees the colour
 * shown `delayFrames` frames ago on the face (lit by `strength`), and a grey room.
 */
function fakes(respond: 'live' | 'still', delayFrames = 3, reducedMotion = false) {
  let t = 1000;
  const shown: (Rgb | null)[] = [];
  let current: Rgb | null = null;
  const services: LightServices = {
    clock: () => t,
    nextFrame: async () => {
      t += 1000 / 60;
    },
    reducedMotion: () => reducedMotion,
    rng: (() => {
      let i = 0;
      return () => (((i++ * 0.6180339) % 1) + 1) % 1;
    })(),
    sample: (_video, _box, _w, at): LightSample => {
      shown.push(current);
      const lit = respond === 'live' ? shown[shown.length - 1 - delayFrames] : null;
      const face = [0.6, 0.45, 0.35].map((a, c) => a * (0.8 + 0.2 * (lit ? lit[c]! : 0.75))) as unknown as Rgb;
      return { t: at, face, background: [0.4, 0.4, 0.45] };
    },
  };
  const shows: (LightShow | null)[] = [];
  const show = (s: LightShow | null) => {
    shows.push(s);
    current = s?.colour ?? null;
  };
  return { services, show, shows, elapsed: () => t - 1000 };
}

const video = {} as HTMLVideoElement;
const face = { box: { x: 10, y: 10, width: 20, height: 20 }, width: 64 };

describe('runLightChallenge', () => {
  it('passes a face that takes the colours a few frames late, within 2.5 s, and clears the overlay', async () => {
    const f = fakes('live');
    const r = await runLightChallenge(f.services, video, face, f.show, () => true);
    expect(r?.status).toBe('pass');
    expect(r!.lagMs).toBeGreaterThan(20);
    expect(r!.lagMs).toBeLessThanOrEqual(100);
    expect(f.elapsed()).toBeLessThan(2500);
    expect(f.shows.at(-1)).toBeNull();
    expect(f.shows.at(-2)!.progress).toBeGreaterThan(0.95);
  });

  it('refuses a face that takes no colour', async () => {
    const f = fakes('still');
    const r = await runLightChallenge(f.services, video, face, f.show, () => true);
    expect(r?.status).toBe('fail');
    expect(r?.reason).toMatch(/did not reach your face/);
  });

  it('glides when the user asked for reduced motion', async () => {
    const f = fakes('live', 3, true);
    const r = await runLightChallenge(f.services, video, face, f.show, () => true);
    expect(f.shows[0]!.gentle).toBe(true);
    expect(r?.status).toBe('pass');
  });

  it('stops, with nothing decided, when the attempt ends midway', async () => {
    const f = fakes('live');
    let frames = 0;
    const r = await runLightChallenge(f.services, video, face, f.show, () => ++frames < 10);
    expect(r).toBeNull();
    expect(f.shows.at(-1)).toBeNull();
  });
});
