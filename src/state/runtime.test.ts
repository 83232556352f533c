import { describe, expect, it, vi } from 'vitest';
import type { RuntimeInfo } from '../ml/runtime/tf-runtime';
import { createRuntimeStore, type RuntimeServices } from './runtime';

const info = {
  name: 'wasm',
  attempts: [
    { name: 'webgpu', ok: false, error: 'No WebGPU adapter.' },
    { name: 'wasm', ok: true },
  ],
  registered: ['webgpu', 'webgl', 'wasm', 'cpu'],
} as unknown as RuntimeInfo;

function setup(start: () => Promise<RuntimeInfo>) {
  const runBackendBenchmarks = vi.fn(async (backends: string[]) => ({
    entries: backends.map((backend) => ({ name: 'conv', backend, median_ms: 1 })) as never[],
    skipped: [],
  }));
  const services: RuntimeServices = {
    loadRuntime: async () => ({ startRuntime: start, memorySnapshot: () => ({ numTensors: 3, numBytes: 12 }) }),
    loadBench: async () => ({ runBackendBenchmarks, fastestBackend: () => ({ backend: 'wasm', speedup: 4 }) }),
    baseUrl: '/',
  };
  return { store: createRuntimeStore(services), runBackendBenchmarks };
}

describe('the runtime store, on a fake tfjs runtime', () => {
  it('starts the runtime, reads memory, and benchmarks every backend it could start or has', async () => {
    const { store, runBackendBenchmarks } = setup(async () => info);
    expect(store.getState().status).toBe('idle');
    await store.getState().start(null);
    expect(store.getState()).toMatchObject({ status: 'ready', info, memory: { numTensors: 3, numBytes: 12 } });
    const result = await store.getState().runBench(2);
    expect(runBackendBenchmarks.mock.calls[0]![0]).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(result?.fastest).toEqual({ backend: 'wasm', speedup: 4 });
    expect(store.getState().bench).toMatchObject({ running: false, error: null });
  });

  it('keeps the reason when no backend starts, and runs no benchmark then', async () => {
    const { store, runBackendBenchmarks } = setup(async () => {
      throw new Error('No TensorFlow.js backend could start on this device.');
    });
    await store.getState().start('webgpu');
    expect(store.getState()).toMatchObject({
      status: 'error',
      error: 'No TensorFlow.js backend could start on this device.',
    });
    expect(await store.getState().runBench()).toBeNull();
    expect(runBackendBenchmarks).not.toHaveBeenCalled();
  });
});
