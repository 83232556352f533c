// Face ID benchmarks: time per frame of each pipeline stage, 1:N search time by gallery size
// against the plain-JavaScript scan that existing browser libraries use, and a leak check
// over many frames. Every figure is printed beside a baseline measured in the same run.
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../runtime/bench';
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
