import { create } from 'zustand';
import type { BackendName } from '../ml/runtime/backend';
import type { BenchEntry } from '../ml/runtime/bench';
import type { RuntimeInfo } from '../ml/runtime/tf-runtime';
import { errorMessage } from '../ml/core/errors';

export interface BenchResult {
  entries: BenchEntry[];
  skipped: { backend: string; reason: string }[];
  /** The backend with the best overall speed-up, to suggest when it is not the one in use. */
  fastest: { backend: string; speedup: number } | null;
  at: string;
}

interface RuntimeState {
  status: 'idle' | 'starting' | 'ready' | 'error';
  info: RuntimeInfo | null;
  error: string | null;
  memory: { numTensors: number; numBytes: number };
  bench: { running: boolean; progress: string | null; result: BenchResult | null; error: string | null };
  start(preferred: BackendName | null): Promise<void>;
  refreshMemory(): void;
  runBench(runs?: number): Promise<BenchResult | null>;
}

type TfRuntime = Pick<typeof import('../ml/runtime/tf-runtime'), 'startRuntime' | 'memorySnapshot'>;
type Bench = Pick<typeof import('../ml/runtime/bench'), 'runBackendBenchmarks' | 'fastestBackend'>;

/** Where the runtime store gets tfjs and the benchmarks; tests pass fakes. */
export interface RuntimeServices {
  loadRuntime(): Promise<TfRuntime>;
  loadBench(): Promise<Bench>;
  baseUrl: string;
}

export function createRuntimeStore(services: RuntimeServices) {
  let tfRuntime: TfRuntime | null = null;
  return create<RuntimeState>()((set, get) => ({
    status: 'idle',
    info: null,
    error: null,
    memory: { numTensors: 0, numBytes: 0 },
    bench: { running: false, progress: null, result: null, error: null },

    async start(preferred) {
      set({ status: 'starting', error: null });
      try {
        tfRuntime ??= await services.loadRuntime();
        const info = await tfRuntime.startRuntime(preferred, services.baseUrl);
        set({ status: 'ready', info, memory: tfRuntime.memorySnapshot() });
      } catch (e) {
        set({ status: 'error', error: errorMessage(e) });
      }
    },

    refreshMemory() {
      if (get().status === 'ready' && tfRuntime) set({ memory: tfRuntime.memorySnapshot() });
    },

    async runBench(runs = 10) {
      const info = get().info;
      if (!info || get().bench.running) return null;
      set({ bench: { ...get().bench, running: true, progress: 'Starting…', error: null } });
      try {
        const backends = info.attempts.filter((a) => a.ok).map((a) => a.name as string);
        // Every registered backend is tried, so the table shows what this device can do.
        for (const b of info.registered) if (!backends.includes(b)) backends.push(b);
        const { fastestBackend, runBackendBenchmarks } = await services.loadBench();
        const { entries, skipped } = await runBackendBenchmarks(backends, {
          runs,
          onProgress: (progress) => set({ bench: { ...get().bench, progress } }),
        });
        const result = { entries, skipped, fastest: fastestBackend(entries), at: new Date().toISOString() };
        set({ bench: { running: false, progress: null, result, error: null }, memory: tfRuntime!.memorySnapshot() });
        return result;
      } catch (e) {
        set({
          bench: { ...get().bench, running: false, progress: null, error: errorMessage(e) },
        });
        return null;
      }
    },
  }));
}

// tfjs and its backends load with start(), in chunks of their own, so the first screen paints without them.
export const useRuntime = createRuntimeStore({
  loadRuntime: () => import('../ml/runtime/tf-runtime'),
  loadBench: () => import('../ml/runtime/bench'),
  baseUrl: import.meta.env.BASE_URL,
});
