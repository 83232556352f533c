import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { benchStyleTransfer } from './bench-style';
import type { ConvNetwork } from '../nets/network';
import { tinyNetwork } from './tiny-network.testing';

let content: tf.Tensor3D;
let style: tf.Tensor3D;

beforeAll(async () => {
  await tf.setBackend('cpu');
  content = tf.randomUniform([24, 30, 3], 0, 1, 'float32', 1) as tf.Tensor3D;
  style = tf.randomUniform([20, 20, 3], 0, 1, 'float32', 2) as tf.Tensor3D;
});

afterAll(() => tf.dispose([content, style]));

/**
 * The tiny network, counting disposals, making an extra weight on first use (as random VGG
 * does) and failing like an exhausted GPU above `maxSide` px.
 */
function network(disposed: string[], maxSide = Infinity): ConvNetwork {
  const net = tinyNetwork(5);
  let lazy: tf.Tensor | null = null;
  return {
    ...net,
    activations(images, layers) {
      if (Math.max(images.shape[1], images.shape[2]) > maxSide) throw new Error('GPUOutOfMemory: allocation failed');
      lazy ??= tf.keep(tf.zeros([1000]));
      return net.activations(images, layers);
    },
    dispose() {
      disposed.push(net.label);
      lazy?.dispose();
      net.dispose();
    },
  };
}

describe('style-transfer benchmark', () => {
  it('times both paths per case, checks for leaks and frees everything', async () => {
    const start = tf.memory().numTensors;
    const disposed: string[] = [];
    const progress: string[] = [];
    const report = await benchStyleTransfer({
      content,
      style,
      networks: [{ id: 'tiny', load: async () => network(disposed) }],
      sizes: [16, 30],
      iterations: 2,
      warmup: 1,
      leakIterations: 6,
      leakSize: 16,
      onProgress: (m) => progress.push(m),
    });

    expect(report.backend).toBe('cpu');
    expect(report.gpu_memory_fields).toEqual({ inUse: null, allocated: null });
    expect(report.cases.map((c) => [c.size, c.height, c.width])).toEqual([
      [16, 13, 16],
      [30, 24, 30],
    ]);
    for (const c of report.cases) {
      expect(c.error).toBeUndefined();
      for (const path of [c.optimised!, c.baseline!]) {
        expect(path.ms_per_iter).toHaveLength(2);
        expect(path.median_ms).toBeGreaterThan(0);
        // The features and Grams add to what was there before the path began.
        expect(path.peak_bytes).toBeGreaterThan(path.start_bytes);
        expect(path.peak_gpu_bytes_in_use).toBeNull();
        expect(path.num_tensors_after_last).toBe(path.num_tensors_after_first);
        expect(path.cost_last).toBeLessThan(path.cost_first);
      }
      // Weights made on first use are made before the first path, so both start alike.
      expect(c.optimised!.start_bytes).toBe(c.baseline!.start_bytes);
      expect(c.speedup).toBeCloseTo(c.baseline!.median_ms / c.optimised!.median_ms, 1);
    }
    // A bigger G holds bigger activations at the peak.
    expect(report.cases[1]!.optimised!.peak_bytes - report.cases[1]!.optimised!.start_bytes).toBeGreaterThan(
      report.cases[0]!.optimised!.peak_bytes - report.cases[0]!.optimised!.start_bytes,
    );

    expect(report.leaks).toHaveLength(1);
    const leak = report.leaks[0]!;
    expect(leak).toMatchObject({ lossnet: 'tiny', size: 16, iterations: 6, flat: true });
    expect(leak.num_tensors_after_last).toBe(leak.num_tensors_after_first);
    expect(leak.num_tensors_after_dispose).toBe(leak.num_tensors_before);

    expect(disposed).toHaveLength(1);
    expect(progress.some((m) => m.includes('leak check'))).toBe(true);
    expect(report.num_tensors_end).toBe(report.num_tensors_start);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('records a case that runs out of memory and a network that will not load, and goes on', async () => {
    const start = tf.memory().numTensors;
    const disposed: string[] = [];
    const report = await benchStyleTransfer({
      content,
      style,
      networks: [
        {
          id: 'missing',
          load: () => Promise.reject(new Error('ResNet-50 could not be downloaded')),
        },
        { id: 'tiny', load: async () => network(disposed, 20) },
      ],
      sizes: [16, 30],
      iterations: 1,
      warmup: 0,
      leakIterations: 0,
    });
    expect(report.skipped).toEqual([{ lossnet: 'missing', reason: 'ResNet-50 could not be downloaded' }]);
    const [small, big] = report.cases;
    expect(small!.speedup).not.toBeNull();
    expect(big!.optimised).toBeNull();
    expect(big!.baseline).toBeNull();
    expect(big!.error).toMatch(/^optimised: Style transfer ran out of memory at 30 px.*; baseline: .*out of memory/);
    expect(report.leaks).toEqual([]);
    expect(disposed).toHaveLength(1);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('rejects sizes below the smallest G', async () => {
    await expect(benchStyleTransfer({ content, style, networks: [], sizes: [8] })).rejects.toThrow(RangeError);
  });
});
