import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from './backend';
import { chooseForGradients } from './backend-choice';
import { gradientKernels, measureBackends } from './probe';

describe('the backend probe, on the real cpu and wasm backends', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reads from the kernel registry which backends can take the gradients a network needs', () => {
    expect(gradientKernels('cpu')).toEqual({ conv: true, depthwise: true });
    // tfjs 4.22's wasm has plain convolution gradients but not depthwise ones (ARCHITECTURE.md).
    expect(gradientKernels('wasm')).toEqual({ conv: true, depthwise: false });
  });

  it('times the probe on each backend that starts and records the one that cannot', async () => {
    const start = async (name: BackendName) => {
      if (name === 'webgpu') throw new Error('No WebGPU adapter.');
      return tf.setBackend(name);
    };
    const before = tf.memory().numTensors;
    const record = await measureBackends({
      start,
      backends: ['webgpu', 'cpu'],
      key: 'k',
      parts: { webgpu: null, webglRenderer: null, userAgent: 'node' },
      runs: 2,
    });
    expect(record.key).toBe('k');
    const [webgpu, cpu] = record.figures;
    expect(webgpu).toMatchObject({ name: 'webgpu', started: false, ms: null, error: 'No WebGPU adapter.' });
    expect(cpu?.started).toBe(true);
    expect(cpu?.ms).toBeGreaterThan(0);
    expect(cpu?.warmupMs).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
    expect(chooseForGradients(record.figures, { depthwise: true })?.name).toBe('cpu');
  });
});
