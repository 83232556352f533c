// Face ID benchmarks: time per frame of each pipeline stage, 1:N search time by gallery size
// against the plain-JavaScript scan that existing browser libraries use, and a leak check
// over many frames. Every figure is printed beside a baseline measured in the same run.
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../runtime/bench';
import type { FaceEngine } from './engine';
import type { FacePipeline, StageTimings } from './pipeline';
import { CpuSearcher, GpuSearcher, type Searcher } from './search';
import { baselineSearch, toBaselineRecords } from './search-baseline';
import { errorMessage } from '../core/errors';

export interface StageFigures {
  backend: string;
  runs: number;
  /** Median milliseconds per frame of each stage, and of the whole frame. */
  median_ms: StageTimings & { match: number; total: number };
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const round = (x: number) => Math.round(x * 100) / 100;

/** Times each stage on one frame, `runs` times after two warm-up runs, on the current backend. */
export async function benchStages(
  pipeline: FacePipeline,
  frame: tf.Tensor3D,
  match: Searcher,
  runs: number,
): Promise<StageFigures> {
  const samples: (StageTimings & { match: number; total: number })[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const t: StageTimings = { detect: 0, landmarks: 0, align: 0, embed: 0 };
    const t0 = performance.now();
    const faces = await pipeline.analyse(frame, 1, t);
    const t1 = performance.now();
    if (faces[0]) await match.search(faces[0].embedding, 10);
    const t2 = performance.now();
    if (i >= 2) samples.push({ ...t, match: t2 - t1, total: t2 - t0 });
  }
  const pick = (k: keyof (typeof samples)[number]) => round(median(samples.map((s) => s[k])));
  return {
    backend: tf.getBackend(),
    runs,
    median_ms: {
      detect: pick('detect'),
      landmarks: pick('landmarks'),
      align: pick('align'),
      embed: pick('embed'),
      match: pick('match'),
      total: pick('total'),
    },
  };
}

/** A deterministic gallery of L2-normalised random vectors. */
export function randomGallery(n: number, dim: number, seed = 1): Float32Array {
  const out = new Float32Array(n * dim);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = s / 4294967296 - 0.5;
      out[i * dim + j] = v;
      norm += v * v;
    }
    norm = Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[i * dim + j]! /= norm;
  }
  return out;
}

export interface SearchFigures {
  n: number;
  dim: number;
  /** Median ms for one probe, top 10. null when that path could not run (e.g. out of memory). */
  gpu_ms: number | null;
  cpu_ms: number;
  baseline_ms: number | null;
  gpu_speedup_vs_baseline: number | null;
  cpu_speedup_vs_baseline: number | null;
  note?: string;
}

async function timeSearch(run: () => Promise<unknown> | unknown, runs: number): Promise<number> {
  await run(); // warm-up: uploads and shader compilation are not part of a search
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    times.push(performance.now() - t0);
  }
  return round(median(times));
}

/** 1:N search at each gallery size: the resident GPU index, the packed CPU scan and the baseline. */
export async function benchSearch(
  sizes: number[],
  dim: number,
  runs: number,
  onProgress?: (m: string) => void,
): Promise<SearchFigures[]> {
  const out: SearchFigures[] = [];
  for (const n of sizes) {
    onProgress?.(`1:N search, ${n.toLocaleString()} templates…`);
    const vectors = randomGallery(n, dim, n);
    const probe = randomGallery(1, dim, 7);
    const cpu = new CpuSearcher({ vectors, dim });
    const cpuMs = await timeSearch(() => cpu.searchNow(probe, 10), runs);
    cpu.dispose();
    let gpuMs: number | null = null;
    let note: string | undefined;
    if (tf.getBackend() === 'webgpu' || tf.getBackend() === 'webgl') {
      const gpu = new GpuSearcher({ vectors, dim });
      try {
        gpuMs = await timeSearch(() => gpu.search(probe, 10), runs);
      } catch (e) {
        note = `GPU search failed: ${errorMessage(e)}`;
      } finally {
        gpu.dispose();
      }
    }
    let baselineMs: number | null = null;
    try {
      const records = toBaselineRecords(vectors, dim);
      const p = Array.from(probe);
      baselineMs = await timeSearch(() => baselineSearch(records, p, 10), Math.min(runs, 3));
    } catch (e) {
      note = `${note ? `${note}; ` : ''}baseline could not run: ${errorMessage(e)}`;
    }
    out.push({
      n,
      dim,
      gpu_ms: gpuMs,
      cpu_ms: cpuMs,
      baseline_ms: baselineMs,
      gpu_speedup_vs_baseline: gpuMs && baselineMs ? round(baselineMs / gpuMs) : null,
      cpu_speedup_vs_baseline: baselineMs ? round(baselineMs / cpuMs) : null,
      ...(note ? { note } : {}),
    });
  }
  return out;
}

/** Runs the unlock work (analyse + match) on `frames` frames and reports tensor counts. */
export async function benchLeaks(pipeline: FacePipeline, frame: tf.Tensor3D, match: Searcher, frames: number) {
  const start = tf.memory().numTensors;
  let peak = start;
  for (let i = 0; i < frames; i++) {
    const faces = await pipeline.analyse(frame, 1);
    if (faces[0]) await match.search(faces[0].embedding, 10);
    peak = Math.max(peak, tf.memory().numTensors);
  }
  return { frames, num_tensors_start: start, num_tensors_end: tf.memory().numTensors, num_tensors_peak: peak };
}

/** What the video benchmarks need of the face engine. */
export type VideoEngine = Pick<FaceEngine, 'track' | 'decide' | 'newAttempt' | 'analyse'>;

export interface VideoFigures {
  frames: number;
  /** Mean ms per frame over the clip (decisions included), and the frames per second that makes. */
  ms_per_frame: number;
  fps: number;
  median_ms: number;
  p90_ms: number;
  /** Frames in which a face came back. */
  frames_with_face: number;
  /** Per kind of frame (tracker.ts FrameWork): how many, and their median ms. */
  stages: Record<string, { frames: number; median_ms: number }>;
  /** Decisions (kept crops embedded in one batch, fused, matched against 1,000 templates). */
  decisions: { count: number; median_ms: number; frames_fused_median: number };
}

const p90 = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.9,
  );

/**
 * The unlock loop's face work over a clip: `frames` frames taken in turn from `clip` (a fake
 * webcam's frames, looped as the camera loops them) with timestamps at `fps`, one decision
 * (embed the kept crops, fuse, 1:N match) every `decideEvery` frames, then a new attempt.
 */
export async function benchVideoPath(
  engine: VideoEngine,
  clip: readonly ImageBitmap[],
  options: { frames: number; fps: number; decideEvery: number; match: Searcher },
): Promise<VideoFigures> {
  const { frames, fps, decideEvery, match } = options;
  const times: number[] = [];
  const byWork = new Map<string, number[]>();
  const decisions: number[] = [];
  const fused: number[] = [];
  let withFace = 0;
  engine.newAttempt();
  for (let i = 0; i < frames; i++) {
    const t0 = performance.now();
    const r = await engine.track(clip[i % clip.length]!, undefined, (i * 1000) / fps);
    const t1 = performance.now();
    if (r.faces.length) withFace++;
    let t2 = t1;
    if ((i + 1) % decideEvery === 0) {
      const d = await engine.decide();
      if (d) {
        await match.search(d.embedding, 10);
        fused.push(d.frames);
      }
      engine.newAttempt();
      t2 = performance.now();
      decisions.push(t2 - t1);
    }
    times.push(t2 - t0);
    const list = byWork.get(r.work) ?? [];
    list.push(t1 - t0);
    byWork.set(r.work, list);
  }
  const total = times.reduce((a, b) => a + b, 0);
  return {
    frames,
    ms_per_frame: round(total / frames),
    fps: round((frames * 1000) / total),
    median_ms: round(median(times)),
    p90_ms: round(p90(times)),
    frames_with_face: withFace,
    stages: Object.fromEntries(
      [...byWork].map(([work, ms]) => [work, { frames: ms.length, median_ms: round(median(ms)) }]),
    ),
    decisions: {
      count: decisions.length,
      median_ms: decisions.length ? round(median(decisions)) : 0,
      frames_fused_median: fused.length ? median(fused) : 0,
    },
  };
}

/** The still path on each photo `runs` times (after one warm-up each): ms per image, whole pipeline. */
export async function benchStills(engine: VideoEngine, stills: readonly ImageBitmap[], runs: number) {
  const times: number[] = [];
  for (const still of stills) {
    await engine.analyse(still, 1);
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await engine.analyse(still, 1);
      times.push(performance.now() - t0);
    }
  }
  return { images: stills.length, runs, median_ms: round(median(times)), p90_ms: round(p90(times)) };
}

/**
 * tf.memory().numTensors over `frames` frames of the video path (a decision every
 * `decideEvery`): read after every decision, when no crop is kept, so each reading is taken in the
 * same state; flat when all of them are equal.
 */
export async function benchVideoLeaks(
  engine: VideoEngine,
  clip: readonly ImageBitmap[],
  frames: number,
  decideEvery: number,
) {
  engine.newAttempt();
  const start = tf.memory().numTensors;
  const afterDecision: number[] = [];
  let peak = start;
  for (let i = 0; i < frames; i++) {
    await engine.track(clip[i % clip.length]!, undefined, (i * 1000) / 15);
    if ((i + 1) % decideEvery === 0) {
      await engine.decide();
      engine.newAttempt();
      afterDecision.push(tf.memory().numTensors);
    }
    peak = Math.max(peak, tf.memory().numTensors);
  }
  return {
    frames,
    num_tensors_start: start,
    num_tensors_end: tf.memory().numTensors,
    num_tensors_peak: peak,
    after_each_decision_min: Math.min(...afterDecision),
    after_each_decision_max: Math.max(...afterDecision),
    flat: afterDecision.every((n) => n === afterDecision[0]) && afterDecision[0] === start,
  };
}

/**
 * Time to the first decision after pressing unlock: the engine (`engine()` — loading and warming
 * the models when they are not loaded yet), then frames of `clip` until one is good enough to
 * start an attempt (a measured face of quality ≥ `minQuality`, as the unlock machine asks), then
 * the decision and a 1:N match. Liveness is left out: it waits for the person (a blink), not
 * for the computer.
 */
export async function timeToDecision(
  engine: () => Promise<VideoEngine>,
  clip: readonly ImageBitmap[],
  match: Searcher,
  minQuality: number,
  maxFrames = 300,
) {
  const t0 = performance.now();
  const e = await engine();
  const ready = performance.now();
  e.newAttempt();
  for (let i = 0; i < maxFrames; i++) {
    const r = await e.track(clip[i % clip.length]!, undefined, (i * 1000) / 15);
    if (r.fresh && r.faces[0] && r.faces[0].quality.score >= minQuality) {
      const d = await e.decide();
      if (d) await match.search(d.embedding, 10);
      const end = performance.now();
      return { ms: round(end - t0), engine_ms: round(ready - t0), frames: i + 1 };
    }
  }
  return { ms: null, engine_ms: round(ready - t0), frames: maxFrames, note: 'no face good enough in the clip' };
}
