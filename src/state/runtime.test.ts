import { describe, expect, it, vi } from 'vitest';
import type { RuntimeInfo } from '../ml/runtime/tf-runtime';
import type { ProbeRecord } from '../ml/runtime/backend-choice';
import { createRuntimeStore, gradientChoice, runtimeVerdict, type RuntimeServices } from './runtime';

const probe: ProbeRecord = {
  version: 1,
  key: 'this device',
  at: '2025-01-02T00:00:00.000Z',
  totalMs: 900,
  figures: [
    {
      name: 'webgpu',
      started: true,
      ms: 300,
      warmupMs: 600,
      software: true,
      gradients: { conv: true, depthwise: true },
    },
    { name: 'wasm', started: true, ms: 10, warmupMs: 20, gradients: { conv: true, depthwise: false } },
    { name: 'cpu', started: true, ms: 60, warmupMs: 70, gradients: { conv: true, depthwise: true } },
  ],
};

const info = {
  name: 'wasm',
  attempts: [
    { name: 'webgpu', ok: false, error: 'No WebGPU adapter.' },
    { name: 'wasm', ok: true },
  ],
  registered: ['webgpu', 'webgl', 'wasm', 'cpu'],
  probe: null,
  chosenBy: 'chain',
} as unknown as RuntimeInfo;

function setup(start: (...args: unknown[]) => Promise<RuntimeInfo>, again?: () => Promise<ProbeRecord>) {
  const written: ProbeRecord[] = [];
  const runBackendBenchmarks = vi.fn(async (backends: string[]) => ({
    entries: backends.map((backend) => ({ name: 'conv', backend, median_ms: 1 })) as never[],
    skipped: [],
  }));
  const services: RuntimeServices = {
    loadRuntime: async () => ({
      startRuntime: start,
      measureAgain: again ?? (async () => probe),
      memorySnapshot: () => ({ numTensors: 3, numBytes: 12 }),
    }),
    loadBench: async () => ({ runBackendBenchmarks, fastestBackend: () => ({ backend: 'wasm', speedup: 4 }) }),
    baseUrl: '/',
    probeStore: { read: () => 'kept', write: (r) => written.push(r) },
  };
  return { store: createRuntimeStore(services), runBackendBenchmarks, written };
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

  it('hands the kept figures to the runtime, and keeps new ones only when it measured', async () => {
    const calls: unknown[] = [];
    const measured = setup(async (...args: unknown[]) => {
      calls.push(args[2]);
      return { ...info, probe, chosenBy: 'measured' } as RuntimeInfo;
    });
    await measured.store.getState().start(null);
    expect((calls[0] as { stored: unknown }).stored).toBe('kept');
    expect(measured.written).toEqual([probe]);
    expect(measured.store.getState().probe.running).toBe(false);

    const reused = setup(async () => ({ ...info, probe, chosenBy: 'stored' }) as RuntimeInfo);
    await reused.store.getState().start(null);
    expect(reused.written).toEqual([]);
  });

  it('says fast or slow from the figures, and which backend serves gradient work', async () => {
    const { store } = setup(async () => ({ ...info, name: 'webgpu', probe, chosenBy: 'pinned' }) as RuntimeInfo);
    await store.getState().start('webgpu');
    expect(runtimeVerdict(store.getState())?.speed).toBe('slow');
    expect(gradientChoice(store.getState(), false)?.name).toBe('wasm');
    expect(gradientChoice(store.getState(), true)?.name).toBe('cpu');
  });

  it('measures again on request, keeps the running backend and offers the new winner after a reload', async () => {
    const { store, written } = setup(
      async () => ({ ...info, name: 'cpu', probe: null, chosenBy: 'chain' }) as RuntimeInfo,
    );
    await store.getState().start(null);
    const record = await store.getState().remeasure();
    expect(record).toEqual(probe);
    expect(written).toEqual([probe]);
    expect(store.getState().info).toMatchObject({ name: 'cpu', probe });
    expect(store.getState().betterAfterReload?.name).toBe('wasm');
  });

  it('after measuring again with the same winner, the new figures become the reason', async () => {
    const { store } = setup(
      async () => ({ ...info, name: 'wasm', probe, chosenBy: 'stored', reason: 'old figures' }) as RuntimeInfo,
    );
    await store.getState().start(null);
    await store.getState().remeasure();
    expect(store.getState().betterAfterReload).toBeNull();
    expect(store.getState().info).toMatchObject({
      chosenBy: 'measured',
      reason: expect.stringMatching(/wasm is the fastest/),
    });
  });
});
