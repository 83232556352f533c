// The screen-light challenge: while the face is in view the page fills the window with a short
// random sequence of soft colours, and the camera sees the face take on those colours, a little
// and a moment later, because the screen is lighting it. A recording shows its own past sequence,
// a still shows none. The decision is the correlation between the colours emitted and the colour
// change seen on the face, with the camera's delay searched over a small window, and a least
// response: too weak a response fails even when it happens to correlate.
//
// Measurement: per frame, the mean colour of the face region divided by the mean colour outside
// it, per channel, as a logarithm. A camera's auto-exposure and white balance scale the whole
// frame, so they cancel in the ratio; the screen lights the near face much more than the far room.
//
// Photosensitivity: every colour of the palette has nearly the same relative luminance (within
// 0.1, the WCAG 2.x threshold for a "flash"), none is a saturated red, so a step is a change of
// hue, not a flash, however short. With `gentle` (prefers-reduced-motion) the colour glides from
// one step to the next instead of switching.
//
// Everything here is pure: times are the frames' own timestamps, on the same clock as the
// sequence's start (performance.now() in the app).

export type Rgb = readonly [number, number, number];

/** Soft tints of nearly equal relative luminance (0.61–0.67), in sRGB 0..1. */
export const LIGHT_PALETTE: readonly Rgb[] = [
  [1, 0.8, 0.62],
  [0.62, 0.84, 1],
  [0.7, 0.88, 0.6],
  [1, 0.76, 0.95],
  [0.9, 0.84, 0.5],
  [0.5, 0.86, 0.9],
];

export interface LightOptions {
  minSteps: number;
  maxSteps: number;
  /** Each step lasts between these, ms. */
  minStepMs: number;
  maxStepMs: number;
  /** Glide between colours instead of switching (prefers-reduced-motion). */
  gentle: boolean;
  /** Camera and display delays searched, ms. */
  maxLagMs: number;
  lagStepMs: number;
  /** Least correlation between emitted and observed colours at the best lag. */
  minCorrelation: number;
  /**
   * Least response: the slope of the observed log colour ratio on the emitted colour (0..1),
   * i.e. how much the face's colour moves per unit of screen colour.
   */
  minGain: number;
  /** Frames needed inside the sequence to decide at all. */
  minSamples: number;
}

export const DEFAULT_LIGHT_OPTIONS: LightOptions = {
  minSteps: 8,
  maxSteps: 10,
  minStepMs: 150,
  maxStepMs: 250,
  gentle: false,
  maxLagMs: 250,
  lagStepMs: 20,
  minCorrelation: 0.7,
  minGain: 0.03,
  minSamples: 12,
};

/** Longest sequence drawn, ms: the whole challenge, with the lag window after it, stays under 2.5 s. */
export const MAX_SEQUENCE_MS = 2000;

export interface LightStep {
  colour: Rgb;
  ms: number;
}

export interface LightSequence {
  steps: readonly LightStep[];
  gentle: boolean;
  totalMs: number;
}

/** One camera frame's measurement: mean colours (0..1) in and around the face, at frame time `t`. */
export interface LightSample {
  t: number;
  face: Rgb;
  background: Rgb;
}

export interface LightResult {
  status: 'pass' | 'fail';
  /** Correlation at the best lag, −1..1. */
  correlation: number;
  /** Response slope at the best lag (see LightOptions.minGain). */
  gain: number;
  lagMs: number;
  samples: number;
  /** Why it failed, for the user; null on a pass. */
  reason: string | null;
}

export const LIGHT_REASONS = {
  weak: 'The screen light did not reach your face: come closer or dim the room.',
  mismatch: "Your face did not follow the screen's colours, as a live face would: hold still in front of the screen.",
  frames: 'Too few camera frames while the screen lit up: close other apps and try again.',
} as const;

/** Relative luminance of an sRGB colour (WCAG 2.x). */
export function relativeLuminance([r, g, b]: Rgb): number {
  const lin = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** A random sequence; `rng` gives numbers in [0, 1) (crypto.getRandomValues in the app). */
export function drawLightSequence(rng: () => number, options: Partial<LightOptions> = {}): LightSequence {
  const o = { ...DEFAULT_LIGHT_OPTIONS, ...options };
  if (!(o.minSteps >= 2 && o.maxSteps >= o.minSteps) || !(o.minStepMs > 0 && o.maxStepMs >= o.minStepMs)) {
    throw new RangeError(
      `Bad light sequence limits: ${o.minSteps}–${o.maxSteps} steps of ${o.minStepMs}–${o.maxStepMs} ms.`,
    );
  }
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng() * n));
  const count = o.minSteps + pick(o.maxSteps - o.minSteps + 1);
  const steps: LightStep[] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const ms = Math.round(o.minStepMs + rng() * (o.maxStepMs - o.minStepMs));
    if (i >= o.minSteps && total + ms > MAX_SEQUENCE_MS) break;
    const previous = steps[i - 1]?.colour;
    const choices = LIGHT_PALETTE.filter((c) => c !== previous);
    steps.push({ colour: choices[pick(choices.length)]!, ms });
    total += ms;
  }
  return { steps, gentle: o.gentle, totalMs: total };
}

/** The colour the sequence shows `ms` after its start; null before the start or after the end. */
export function colourAt(sequence: LightSequence, ms: number): Rgb | null {
  if (!(ms >= 0) || ms >= sequence.totalMs) return null;
  let start = 0;
  for (let i = 0; i < sequence.steps.length; i++) {
    const step = sequence.steps[i]!;
    if (ms < start + step.ms) {
      const next = sequence.steps[i + 1];
      if (!sequence.gentle || !next) return step.colour;
      // Gentle: hold for the first half of the step, then glide linearly into the next colour.
      const f = Math.max(0, (ms - start) / step.ms - 0.5) * 2;
      return [0, 1, 2].map((c) => step.colour[c]! + (next.colour[c]! - step.colour[c]!) * f) as unknown as Rgb;
    }
    start += step.ms;
  }
  return sequence.steps[sequence.steps.length - 1]!.colour;
}

/**
 * Mean colours of one RGBA frame (0..255, e.g. getImageData) inside the face box and outside it.
 * The face region is the middle of the box (its edges hold hair and background); the background
 * is everything outside the box grown by `margin` of its size on each side.
 */
export function measureLight(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  box: { x: number; y: number; width: number; height: number },
  t: number,
  margin = 0.25,
): LightSample | null {
  const inner = {
    x0: box.x + box.width * 0.2,
    x1: box.x + box.width * 0.8,
    y0: box.y + box.height * 0.15,
    y1: box.y + box.height * 0.85,
  };
  const outer = {
    x0: box.x - box.width * margin,
    x1: box.x + box.width * (1 + margin),
    y0: box.y - box.height * margin,
    y1: box.y + box.height * (1 + margin),
  };
  const face = [0, 0, 0];
  const back = [0, 0, 0];
  let nf = 0;
  let nb = 0;
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    for (let x = 0; x < width; x++) {
      const cx = x + 0.5;
      const i = (y * width + x) * 4;
      if (cx >= inner.x0 && cx < inner.x1 && cy >= inner.y0 && cy < inner.y1) {
        face[0]! += pixels[i]!;
        face[1]! += pixels[i + 1]!;
        face[2]! += pixels[i + 2]!;
        nf++;
      } else if (cx < outer.x0 || cx >= outer.x1 || cy < outer.y0 || cy >= outer.y1) {
        back[0]! += pixels[i]!;
        back[1]! += pixels[i + 1]!;
        back[2]! += pixels[i + 2]!;
        nb++;
      }
    }
  }
  if (nf === 0 || nb === 0) return null;
  const mean = (s: number[], n: number) => s.map((v) => v / n / 255) as unknown as Rgb;
  return { t, face: mean(face, nf), background: mean(back, nb) };
}

/** The observed signal of one sample: log(face / background) per channel. */
export function responseOf(sample: LightSample): Rgb {
  const eps = 1 / 255;
  return [0, 1, 2].map((c) => Math.log((sample.face[c]! + eps) / (sample.background[c]! + eps))) as unknown as Rgb;
}

/**
 * Correlation and slope between emitted colours `e` and observed responses `o` (pairs of RGB),
 * each channel centred on its own mean, the three channels pooled.
 */
function correlate(e: Rgb[], o: Rgb[]): { r: number; gain: number; swing: number } {
  const n = e.length;
  let see = 0;
  let soo = 0;
  let seo = 0;
  for (let c = 0; c < 3; c++) {
    let me = 0;
    let mo = 0;
    for (let k = 0; k < n; k++) {
      me += e[k]![c]!;
      mo += o[k]![c]!;
    }
    me /= n;
    mo /= n;
    for (let k = 0; k < n; k++) {
      const de = e[k]![c]! - me;
      const dob = o[k]![c]! - mo;
      see += de * de;
      soo += dob * dob;
      seo += de * dob;
    }
  }
  if (see === 0 || soo === 0) return { r: 0, gain: 0, swing: see === 0 ? 0 : Math.sqrt(soo / see) };
  return { r: seo / Math.sqrt(see * soo), gain: seo / see, swing: Math.sqrt(soo / see) };
}

/**
 * The decision over the samples of one challenge. `startedAt` is when the first colour was put on
 * screen, on the samples' clock. For each lag in 0..maxLagMs the emitted colour is read at
 * t − lag for every sample inside the sequence; the best lag is the one with the highest
 * correlation.
 */
export function judgeLight(
  sequence: LightSequence,
  startedAt: number,
  samples: readonly LightSample[],
  options: Partial<LightOptions> = {},
): LightResult {
  const o = { ...DEFAULT_LIGHT_OPTIONS, ...options };
  const observed = samples.map((s) => ({ t: s.t - startedAt, r: responseOf(s) }));
  let best: { r: number; gain: number; swing: number; lag: number; n: number } | null = null;
  for (let lag = 0; lag <= o.maxLagMs; lag += o.lagStepMs) {
    const e: Rgb[] = [];
    const r: Rgb[] = [];
    for (const s of observed) {
      const c = colourAt(sequence, s.t - lag);
      if (c) {
        e.push(c);
        r.push(s.r);
      }
    }
    if (e.length < o.minSamples) continue;
    const fit = correlate(e, r);
    if (!best || fit.r > best.r) best = { ...fit, lag, n: e.length };
  }
  if (!best) {
    return { status: 'fail', correlation: 0, gain: 0, lagMs: 0, samples: samples.length, reason: LIGHT_REASONS.frames };
  }
  const result = { correlation: best.r, gain: best.gain, lagMs: best.lag, samples: best.n };
  if (best.r >= o.minCorrelation && best.gain >= o.minGain) return { ...result, status: 'pass', reason: null };
  // The face's colour changed as much as a lit face's would, but not with the screen: a mismatch.
  // It hardly changed (`swing`: its variation per unit of the screen's), or followed too faintly:
  // too little light reached it.
  const reason = best.swing < 2 * o.minGain || best.r >= o.minCorrelation ? LIGHT_REASONS.weak : LIGHT_REASONS.mismatch;
  return { ...result, status: 'fail', reason };
}
