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

/** tfjs and its backends, loaded by start() (a separate chunk, so the first screen paints without it). */
let tfRuntime: typeof import('../ml/runtime/tf-runtime') | null = null;

export const useRuntime = create<RuntimeState>()((set, get) => ({
  status: 'idle',
  info: null,
  error: null,
  memory: { numTensors: 0, numBytes: 0 },
  bench: { running: false, progress: null, result: null, error: null },

  async start(preferred) {
    set({ status: 'starting', error: null });
    try {
      tfRuntime ??= await import('../ml/runtime/tf-runtime');
      const info = await tfRuntime.startRuntime(preferred, import.meta.env.BASE_URL);
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
      const { fastestBackend, runBackendBenchmarks } = await import('../ml/runtime/bench');
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
