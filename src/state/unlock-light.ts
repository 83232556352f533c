// The screen-light challenge as the unlock loop runs it: the colours are put on screen (through
// the store's `light`, which LightOverlay paints over the whole window) and the camera's frames
// are sampled as fast as the display refreshes, for the 2.4 s it lasts. The face analysis pauses
// meanwhile: on a slow backend one analysed frame takes longer than a step of the sequence, and
// the samples need only the face box already found.
import type { Box } from '../ml/face/decode';
import {
  colourAt,
  DEFAULT_LIGHT_OPTIONS,
  drawLightSequence,
  judgeLight,
  type LightOptions,
  type LightResult,
  type LightSample,
  type Rgb,
} from '../ml/liveness/light-challenge';

import { createLightSampler } from '../ml/liveness/light-sampler';

export interface LightServices {
  /** Mean colours in and around `box` (pixels of a frame `frameWidth` wide) on the video's current frame, at `t`. */
  sample(video: HTMLVideoElement, box: Box, frameWidth: number, t: number): LightSample | null;
  /** Resolves at the next display frame. */
  nextFrame(): Promise<void>;
  /** The clock the samples and the sequence share, ms (performance.now in the app). */
  clock(): number;
  /** The user asked for reduced motion: the colours glide instead of switching. */
  reducedMotion(): boolean;
  /** Random numbers in [0, 1) from crypto.getRandomValues. */
  rng(): number;
}

/** What the overlay shows now. */
export interface LightShow {
  colour: Rgb;
  /** 0..1 through the challenge, for the progress ring. */
  progress: number;
  gentle: boolean;
}

/**
 * Runs one challenge: shows the sequence through `show`, samples every display frame, and judges.
 * Returns null when `alive` turns false midway (the attempt was stopped).
 */
export async function runLightChallenge(
  services: LightServices,
  video: HTMLVideoElement,
  face: { box: Box; width: number },
  show: (s: LightShow | null) => void,
  alive: () => boolean,
  options: Partial<LightOptions> = {},
): Promise<LightResult | null> {
  const o = { ...DEFAULT_LIGHT_OPTIONS, ...options, gentle: options.gentle ?? services.reducedMotion() };
  const sequence = drawLightSequence(() => services.rng(), o);
  // The last colour stays on for the longest camera delay searched, so late frames still see it.
  const span = sequence.totalMs + o.maxLagMs;
  const samples: LightSample[] = [];
  const startedAt = services.clock();
  let last = sequence.steps[0]!.colour;
  try {
    for (let t = startedAt; t - startedAt < span; t = services.clock()) {
      if (!alive()) return null;
      last = colourAt(sequence, t - startedAt) ?? last;
      show({ colour: last, progress: Math.min(1, (t - startedAt) / span), gentle: sequence.gentle });
      const s = services.sample(video, face.box, face.width, t);
      if (s) samples.push(s);
      await services.nextFrame();
    }
  } finally {
    show(null);
  }
  return judgeLight(sequence, startedAt, samples, o);
}

/** The app's: a canvas sampler, display frames, performance.now and the system's random numbers. */
export function browserLightServices(): LightServices {
  return {
    sample: createLightSampler(),
    nextFrame: () => new Promise((r) => requestAnimationFrame(() => r())),
    clock: () => performance.now(),
    reducedMotion: () => window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false,
    // The sequence is what a replay cannot know in advance: not Math.random's predictable generator.
    rng: () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32,
  };
}
