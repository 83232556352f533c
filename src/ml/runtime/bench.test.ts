import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BENCH_CASES, fastestBackend, quantile, runBackendBenchmarks, summarise, type BenchEntry } from './bench';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bench statistics', () => {
  it('interpolates quantiles', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.9)).toBeCloseTo(4.6);
    expect(quantile([], 0.5)).toBeNaN();
  });
  it('summarises runs with GFLOP/s from the median', () => {
    const s = summarise('cpu', [30, 10, 20], 2e9);
    expect(s).toEqual({ backend: 'cpu', runs: 3, median_ms: 20, p90_ms: 28, min_ms: 10, gflops: 100 });
  });
});

describe('runBackendBenchmarks', () => {
  it('measures each case against the baseline, skips backends that cannot start, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const { entries, skipped } = await runBackendBenchmarks(['cpu', 'no-such-backend'], { runs: 2 });
    expect(entries).toHaveLength(BENCH_CASES.length);
    for (const e of entries) {
      expect(e.backend).toBe('cpu');
      expect(e.median_ms).toBeGreaterThan(0);
      expect(e.baseline?.backend).toBe('cpu');
      expect(e.speedup_vs_baseline).toBe(1);
    }
    expect(skipped.map((s) => s.backend)).toEqual(['no-such-backend']);
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('fastestBackend', () => {
  const entry = (name: string, backend: string, speedup: number) =>
    ({ name, backend, speedup_vs_baseline: speedup }) as BenchEntry;
  it('ranks by geometric mean speed-up and ignores backends missing a case', () => {
    const entries = [
      entry('a', 'cpu', 1),
      entry('b', 'cpu', 1),
      entry('a', 'webgpu', 8),
      entry('b', 'webgpu', 0.5), // geometric mean 2
      entry('a', 'wasm', 3),
      entry('b', 'wasm', 3),
      entry('a', 'webgl', 100), // only one case: not ranked
    ];
    expect(fastestBackend(entries)).toEqual({ backend: 'wasm', speedup: 3 });
    expect(fastestBackend([])).toBeNull();
  });
});
