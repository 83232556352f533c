// Backend micro-benchmarks: a matrix product and a convolution, timed per backend with the
// cpu backend as the baseline measured in the same run. Timing stops only after the result
// is read back (`await data()`), so queued GPU work is counted.
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../core/errors';

export interface BenchCase {
  name: string;
  /** Floating-point operations per run, for GFLOP/s. */
  flops: number;
  setup(): tf.Tensor[];
  run(inputs: tf.Tensor[]): tf.Tensor;
}

export interface BenchFigures {
  backend: string;
  runs: number;
  median_ms: number;
  p90_ms: number;
  min_ms: number;
  gflops: number;
}

export const BENCH_CASES: BenchCase[] = [
  {
    name: 'matmul 256×256',
    flops: 2 * 256 ** 3,
    setup: () => [tf.randomUniform([256, 256], -1, 1, 'float32', 1), tf.randomUniform([256, 256], -1, 1, 'float32', 2)],
    run: ([a, b]) => tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
  },
  {
    name: 'conv2d 64×64×32 → 32, 3×3',
    flops: 2 * 64 * 64 * 32 * 32 * 9,
    setup: () => [
      tf.randomUniform([1, 64, 64, 32], -1, 1, 'float32', 3),
      tf.randomUniform([3, 3, 32, 32], -1, 1, 'float32', 4),
    ],
    run: ([x, w]) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same'),
  },
];

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function summarise(backend: string, timesMs: number[], flops: number): BenchFigures {
  const sorted = [...timesMs].sort((a, b) => a - b);
  const median = quantile(sorted, 0.5);
  return {
    backend,
    runs: sorted.length,
    median_ms: round(median),
    p90_ms: round(quantile(sorted, 0.9)),
    min_ms: round(sorted[0] ?? NaN),
    gflops: round(flops / (median * 1e6)),
  };
}

function round(x: number) {
  return Math.round(x * 1000) / 1000;
}

/** Times one case on the current backend: `warmup` untimed runs, then `runs` timed ones. */
export async function timeCase(c: BenchCase, runs = 10, warmup = 2): Promise<BenchFigures> {
  const inputs = c.setup();
  const times: number[] = [];
  try {
    for (let i = 0; i < warmup + runs; i++) {
      const t0 = performance.now();
      const out = c.run(inputs);
      await out.data();
      const dt = performance.now() - t0;
      out.dispose();
      if (i >= warmup) times.push(dt);
    }
  } finally {
    tf.dispose(inputs);
  }
  return summarise(tf.getBackend(), times, c.flops);
}

export interface BenchEntry extends BenchFigures {
  name: string;
  baseline: BenchFigures | null;
  speedup_vs_baseline: number | null;
}

/**
 * Runs every case on each backend (switching with tf.setBackend), the baseline backend
 * included, then restores the backend that was active. Backends that fail to start are
 * reported, not fatal.
 */
export async function runBackendBenchmarks(
  backends: string[],
  opts: { runs?: number; baseline?: string; onProgress?: (msg: string) => void } = {},
): Promise<{ entries: BenchEntry[]; skipped: { backend: string; reason: string }[] }> {
  const baselineName = opts.baseline ?? 'cpu';
  const original = tf.getBackend();
  const order = [...new Set([...backends, baselineName])];
  const figures = new Map<string, BenchFigures>();
  const skipped: { backend: string; reason: string }[] = [];
  try {
    for (const backend of order) {
      let ok = false;
      try {
        ok = await tf.setBackend(backend);
      } catch (e) {
        skipped.push({ backend, reason: errorMessage(e) });
        continue;
      }
      if (!ok) {
        skipped.push({ backend, reason: 'the backend did not initialise' });
        continue;
      }
      for (const c of BENCH_CASES) {
        opts.onProgress?.(`${c.name} on ${backend}…`);
        figures.set(`${c.name}|${backend}`, await timeCase(c, opts.runs ?? 10));
      }
    }
  } finally {
    await tf.setBackend(original);
  }
  const entries: BenchEntry[] = [];
  for (const c of BENCH_CASES) {
    const baseline = figures.get(`${c.name}|${baselineName}`) ?? null;
    for (const backend of order) {
      const f = figures.get(`${c.name}|${backend}`);
      if (!f) continue;
      entries.push({
        name: c.name,
        ...f,
        baseline,
        speedup_vs_baseline: baseline ? round(baseline.median_ms / f.median_ms) : null,
      });
    }
  }
  return { entries, skipped };
}

/**
 * The backend with the best geometric-mean speed-up over the baseline across all cases
 * (only backends measured on every case count), or null when nothing was measured.
 */
export function fastestBackend(entries: BenchEntry[]): { backend: string; speedup: number } | null {
  const byBackend = new Map<string, number[]>();
  for (const e of entries) {
    if (e.speedup_vs_baseline == null) continue;
    byBackend.set(e.backend, [...(byBackend.get(e.backend) ?? []), e.speedup_vs_baseline]);
  }
  const cases = new Set(entries.map((e) => e.name)).size;
  let best: { backend: string; speedup: number } | null = null;
  for (const [backend, speedups] of byBackend) {
    if (speedups.length !== cases) continue;
    const speedup = Math.exp(speedups.reduce((s, x) => s + Math.log(x), 0) / speedups.length);
    if (!best || speedup > best.speedup) best = { backend, speedup: round(speedup) };
  }
  return best;
}
