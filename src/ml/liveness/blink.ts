// Blink detection on the eye-openness signal, as a matched filter (a 1-D convolution).
//
//   samples {t, left, right} ─▶ open baseline per eye ─▶ closure 1 − EAR/baseline
//     ─▶ resample to a fixed rate ─▶ tf.conv1d with a zero-mean dip template ─▶ peaks where BOTH
//     eyes respond ─▶ each peak checked on the raw samples: depth, reopening, duration
//
// Why each step:
// - Frames arrive irregularly (≈ 8 fps on wasm, 15–30 fps on a GPU), and a convolution needs a
//   fixed step, so the closure is linearly interpolated onto a 15 Hz grid first. The timing and
//   shape checks then go back to the raw samples, so interpolation never invents a closed eye.
// - The eye aspect ratio of an open eye varies by person and pose (0.21–0.44 on the sample
//   faces), so each eye is divided by its own open level: the 0.8 quantile of that eye over the
//   surrounding 3 s. Blinks cannot drag it down; only an eye shut for over 80 % of the window
//   (2.4 s) can, and the spurious edge that leaves lasts ≥ 900 ms, far beyond any blink. An eye
//   that is never seen open (a photo with shut eyes, lost landmarks) gives no closure at all.
// - The template is a Gaussian dip (σ 80 ms, about a blink's closed phase) minus its own mean,
//   so a slow drift of the openness (squinting, a head pitch change) gives no response, and it
//   is scaled so that a dip of that shape and depth d responds with d.
// - A blink closes both eyes at once: the response used is the smaller of the two eyes', so a
//   wink, or a glitch in one eye's landmarks, gives nothing.
// - Duration is measured where both eyes cross half the dip's depth, interpolated between raw
//   samples. A blink takes 100–400 ms from the lid's drop to its reopening, so 50–500 ms at half
//   depth is taken as plausible: shorter is a landmark glitch, longer a deliberate eye closure.
//
// Low frame rates. At 8 fps a real blink is often ONE sample in both eyes, so one sample is
// allowed: the rule is on the half-depth duration, which for a single closed sample between two
// open ones comes out as about one frame interval. At 8–20 fps (50–125 ms apart) that passes;
// at ≥ 24 fps (≤ 42 ms apart) it does not, because a real blink would have covered two or more
// frames there, so a one-frame dip in both eyes at a high rate is rejected as a glitch. The
// price at low rates: a one-frame landmark glitch that closes BOTH eyes reads as a blink, and a
// blink that falls between two frames is missed altogether. The other cues (motion) cover the
// first; the user blinking again covers the second.
//
// Through the real pipeline (`node scripts/measure-liveness.mjs --clips`): on live-a.y4m
// (15 fps, painted blinks at frames 20–23 and 50–53 that FaceMesh reads as EAR 0.37 → 0.18) both
// blinks are found, peaks at 1400 and 3400 ms, 237 ms long, depth 0.50 / 0.49; on rigid-a.y4m
// (the photo moved by hand, EAR wandering 0.33–0.39 with zoom and turn) none.
import * as tf from '@tensorflow/tfjs';

/** One frame's eye openness (eye aspect ratio per image side, as FaceShape.eyes gives it). */
export interface EyeSample {
  /** Milliseconds, increasing (any origin). */
  t: number;
  left: number;
  right: number;
}

export interface Blink {
  /** Milliseconds: where both eyes crossed half the blink's depth, closing… */
  start: number;
  /** …and reopening (interpolated between samples). */
  end: number;
  /** Time of the deepest sample. */
  peak: number;
  /** end − start. */
  duration: number;
  /** Closure at the deepest sample, the less closed eye's: 0 open, 1 shut. */
  depth: number;
  /** Raw samples at or beyond half depth in both eyes. */
  samples: number;
  /** The matched filter's both-eye response at the peak (≈ depth for a typical blink). */
  response: number;
}

export interface BlinkOptions {
  /** Rate the closure signal is resampled to before the convolution, Hz. */
  rateHz: number;
  /** Span over which each eye's open level is taken, ms (centred on the sample). */
  baselineWindowMs: number;
  /** Quantile of the openness in that span taken as the open level. */
  baselineQuantile: number;
  /** An eye whose open level is below this eye aspect ratio is not seen open: no closure. */
  minOpenLevel: number;
  /** Standard deviation of the Gaussian dip template, ms. */
  templateSigmaMs: number;
  /** Half-length of the template, ms: the neighbourhood its zero mean is taken over. */
  templateRadiusMs: number;
  /** Both-eye matched-filter response a peak needs to be examined. */
  responseThreshold: number;
  /** Closure (0..1) both eyes must reach at the deepest sample. */
  minDepth: number;
  /** Half-depth duration limits, ms (see the low-frame-rate note above). */
  minDurationMs: number;
  maxDurationMs: number;
}

export const DEFAULT_BLINK_OPTIONS: BlinkOptions = {
  rateHz: 15,
  baselineWindowMs: 3000,
  baselineQuantile: 0.8,
  minOpenLevel: 0.12,
  templateSigmaMs: 80,
  templateRadiusMs: 330,
  responseThreshold: 0.3,
  minDepth: 0.4,
  minDurationMs: 50,
  maxDurationMs: 500,
};

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Per-eye closure of each sample (samples in time order): 1 − openness / open level, clipped to
 * −1..1; 0 where the eye is never seen open around that time.
 */
export function eyeClosure(samples: readonly EyeSample[], options: Partial<BlinkOptions> = {}): [number, number][] {
  const o = { ...DEFAULT_BLINK_OPTIONS, ...options };
  const half = o.baselineWindowMs / 2;
  const out: [number, number][] = [];
  let from = 0;
  let to = 0;
  for (let i = 0; i < samples.length; i++) {
    const t = samples[i]!.t;
    while (samples[from]!.t < t - half) from++;
    while (to < samples.length && samples[to]!.t <= t + half) to++;
    const window = samples.slice(from, to);
    const closure = (eye: 'left' | 'right') => {
      const open = quantile(
        window.map((s) => s[eye]).sort((a, b) => a - b),
        o.baselineQuantile,
      );
      if (!(open >= o.minOpenLevel)) return 0;
      return Math.max(-1, Math.min(1, 1 - samples[i]![eye] / open));
    };
    out.push([closure('left'), closure('right')]);
  }
  return out;
}

/** The zero-mean dip template, scaled so a Gaussian dip of unit depth responds with 1. */
export function blinkTemplate(options: Partial<BlinkOptions> = {}): Float32Array {
  const o = { ...DEFAULT_BLINK_OPTIONS, ...options };
  const step = 1000 / o.rateHz;
  const radius = Math.max(1, Math.round(o.templateRadiusMs / step));
  const g: number[] = [];
  for (let k = -radius; k <= radius; k++) g.push(Math.exp(-((k * step) ** 2) / (2 * o.templateSigmaMs ** 2)));
  const mean = g.reduce((a, b) => a + b, 0) / g.length;
  const h = g.map((v) => v - mean);
  const gain = h.reduce((sum, v, k) => sum + v * g[k]!, 0);
  return Float32Array.from(h, (v) => v / gain);
}

/** Samples with finite values, in time order, one per timestamp (the last wins). */
function clean(samples: readonly EyeSample[]): EyeSample[] {
  const ok = samples.filter((s) => Number.isFinite(s.t) && Number.isFinite(s.left) && Number.isFinite(s.right));
  ok.sort((a, b) => a.t - b.t);
  const out: EyeSample[] = [];
  for (const s of ok) {
    if (out.length > 0 && out[out.length - 1]!.t === s.t) out[out.length - 1] = s;
    else out.push(s);
  }
  return out;
}

/** Linear interpolation of `values` (at sorted times `ts`) onto `count` points from t0, `step` apart. */
function resample(ts: number[], values: number[], t0: number, step: number, count: number): Float32Array {
  const out = new Float32Array(count);
  let j = 0;
  for (let k = 0; k < count; k++) {
    const t = t0 + k * step;
    while (j < ts.length - 2 && ts[j + 1]! < t) j++;
    const ta = ts[j]!;
    const tb = ts[j + 1] ?? ta;
    const f = tb > ta ? Math.max(0, Math.min(1, (t - ta) / (tb - ta))) : 0;
    out[k] = values[j]! + ((values[j + 1] ?? values[j]!) - values[j]!) * f;
  }
  return out;
}

/**
 * Matched-filter response of each eye's closure on the resampled grid: [left, right], each of
 * length `count`. The ends are padded by repeating the edge value, so a signal that starts or
 * ends closed gives no spurious edge response.
 */
async function matchedFilter(left: Float32Array, right: Float32Array, template: Float32Array): Promise<Float32Array[]> {
  const count = left.length;
  const radius = (template.length - 1) / 2;
  const padded = new Float32Array(2 * (count + 2 * radius));
  [left, right].forEach((signal, b) => {
    const offset = b * (count + 2 * radius);
    for (let i = 0; i < count + 2 * radius; i++) {
      padded[offset + i] = signal[Math.max(0, Math.min(count - 1, i - radius))]!;
    }
  });
  const response = tf.tidy(() =>
    tf.conv1d(
      tf.tensor3d(padded, [2, count + 2 * radius, 1]),
      tf.tensor3d(template, [template.length, 1, 1]),
      1,
      'valid',
    ),
  );
  try {
    const values = (await response.data()) as Float32Array;
    return [values.slice(0, count), values.slice(count, 2 * count)];
  } finally {
    response.dispose();
  }
}

/**
 * The blinks in a run of eye samples, in time order. A blink is reported once both eyes have
 * reopened after it, so a blink still in progress at the last sample appears on a later call.
 */
export async function detectBlinks(
  samples: readonly EyeSample[],
  options: Partial<BlinkOptions> = {},
): Promise<Blink[]> {
  const o = { ...DEFAULT_BLINK_OPTIONS, ...options };
  const s = clean(samples);
  if (s.length < 3) return [];
  const closure = eyeClosure(s, o);
  const both = closure.map(([l, r]) => Math.min(l, r));
  const ts = s.map((x) => x.t);
  const step = 1000 / o.rateHz;
  const t0 = ts[0]!;
  const count = Math.floor((ts[ts.length - 1]! - t0) / step) + 1;
  const template = blinkTemplate(o);
  const [rl, rr] = await matchedFilter(
    resample(
      ts,
      closure.map((c) => c[0]),
      t0,
      step,
      count,
    ),
    resample(
      ts,
      closure.map((c) => c[1]),
      t0,
      step,
      count,
    ),
    template,
  );
  const response = Array.from(rl!, (v, k) => Math.min(v, rr![k]!));

  const blinks: Blink[] = [];
  const seen = new Set<number>();
  const searchMs = ((template.length - 1) / 2) * step;
  for (let k = 0; k < count; k++) {
    const r = response[k]!;
    if (r < o.responseThreshold) continue;
    if (k > 0 && response[k - 1]! > r) continue;
    if (k < count - 1 && response[k + 1]! >= r) continue;
    // The deepest raw sample near the peak is the blink's centre.
    const tp = t0 + k * step;
    let deepest = -1;
    for (let i = 0; i < s.length; i++) {
      if (Math.abs(ts[i]! - tp) > searchMs) continue;
      if (deepest < 0 || both[i]! > both[deepest]!) deepest = i;
    }
    if (deepest < 0 || seen.has(deepest)) continue;
    const depth = both[deepest]!;
    if (depth < o.minDepth) continue;
    const half = depth / 2;
    let first = deepest;
    while (first > 0 && both[first - 1]! >= half) first--;
    let last = deepest;
    while (last < s.length - 1 && both[last + 1]! >= half) last++;
    // Open before and after, inside the record: otherwise the blink is not (yet) complete.
    if (first === 0 || last === s.length - 1) continue;
    const cross = (a: number, b: number) => ts[a]! + ((half - both[a]!) / (both[b]! - both[a]!)) * (ts[b]! - ts[a]!);
    const start = cross(first - 1, first);
    const end = cross(last + 1, last);
    const duration = end - start;
    if (duration < o.minDurationMs || duration > o.maxDurationMs) continue;
    for (let i = first; i <= last; i++) seen.add(i);
    blinks.push({ start, end, peak: ts[deepest]!, duration, depth, samples: last - first + 1, response: r });
  }
  return blinks;
}
