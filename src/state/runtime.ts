import { create } from 'zustand';
import type { BackendName } from '../ml/runtime/backend';
import {
  backendVerdict,
  chooseFastest,
  chooseForGradients,
  type BackendVerdict,
  type Choice,
  type ProbeRecord,
} from '../ml/runtime/backend-choice';
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
  /** The backend probe while it runs (at start, or from Diagnostics' Measure again). */
  probe: { running: boolean; progress: string | null; error: string | null };
  /** Set when a new measurement picked another backend than the one running: takes a reload. */
  betterAfterReload: Choice | null;
  start(preferred: BackendName | null): Promise<void>;
  /** Runs the probe again (keeping the running backend) and stores the figures. */
  remeasure(): Promise<ProbeRecord | null>;
  refreshMemory(): void;
  runBench(runs?: number): Promise<BenchResult | null>;
}

type TfRuntime = Pick<typeof import('../ml/runtime/tf-runtime'), 'startRuntime' | 'measureAgain' | 'memorySnapshot'>;
type Bench = Pick<typeof import('../ml/runtime/bench'), 'runBackendBenchmarks' | 'fastestBackend'>;

/** Where the runtime store gets tfjs and the benchmarks; tests pass fakes. */
export interface RuntimeServices {
  loadRuntime(): Promise<TfRuntime>;
  loadBench(): Promise<Bench>;
  baseUrl: string;
  /** Where the probe's figures are kept between visits (localStorage in the app). */
  probeStore: { read(): unknown; write(record: ProbeRecord): void };
}

export const PROBE_KEY = 'facet.backendProbe';

/** localStorage as the probe's store; a full or blocked storage only means measuring next time. */
export function localProbeStore(storage: () => Storage): RuntimeServices['probeStore'] {
  return {
    read() {
      try {
        return JSON.parse(storage().getItem(PROBE_KEY) ?? 'null');
      } catch {
        return null;
      }
    },
    write(record) {
      try {
        storage().setItem(PROBE_KEY, JSON.stringify(record));
      } catch {
        // Not kept: the next start measures again.
      }
    },
  };
}

/** Fast or slow by the figures, for the status chip; null until the runtime has started. */
export function runtimeVerdict(s: Pick<RuntimeState, 'info'>): BackendVerdict | null {
  if (!s.info) return null;
  return backendVerdict(s.info.name, s.info.probe, s.info.chosenBy === 'pinned');
}

/**
 * The backend for gradient work (Style Studio, feature visualisation, saliency): the fastest measured
 * that has the gradients the network needs. One tfjs backend serves the whole app, so this is the one
 * running when it has them, and otherwise the one to name when it does not.
 */
export function gradientChoice(s: Pick<RuntimeState, 'info'>, depthwise: boolean): Choice | null {
  return s.info?.probe ? chooseForGradients(s.info.probe.figures, { depthwise }) : null;
}

export function createRuntimeStore(services: RuntimeServices) {
  let tfRuntime: TfRuntime | null = null;
  return create<RuntimeState>()((set, get) => ({
    status: 'idle',
    info: null,
    error: null,
    memory: { numTensors: 0, numBytes: 0 },
    bench: { running: false, progress: null, result: null, error: null },
    probe: { running: false, progress: null, error: null },
    betterAfterReload: null,

    async start(preferred) {
      set({ status: 'starting', error: null, probe: { running: true, progress: null, error: null } });
      try {
        tfRuntime ??= await services.loadRuntime();
        const stored = services.probeStore.read();
        const info = await tfRuntime.startRuntime(preferred, services.baseUrl, {
          stored,
          onProgress: (progress) => set({ probe: { running: true, progress, error: null } }),
        });
        if (info.chosenBy === 'measured' && info.probe) services.probeStore.write(info.probe);
        set({ status: 'ready', info, memory: tfRuntime.memorySnapshot() });
      } catch (e) {
        set({ status: 'error', error: errorMessage(e) });
      } finally {
        set({ probe: { ...get().probe, running: false, progress: null } });
      }
    },

    async remeasure() {
      const info = get().info;
      if (!info || !tfRuntime || get().probe.running || get().bench.running) return null;
      set({ probe: { running: true, progress: 'Starting…', error: null } });
      try {
        const record = await tfRuntime.measureAgain(info.name, {
          onProgress: (progress) => set({ probe: { running: true, progress, error: null } }),
        });
        services.probeStore.write(record);
        const best = info.chosenBy === 'pinned' ? null : chooseFastest(record.figures);
        // The same winner: the new figures are now the reason; another one waits for a reload.
        const same = best && best.name === info.name ? { reason: best.reason, chosenBy: 'measured' as const } : {};
        set({
          info: { ...get().info!, probe: record, ...same },
          betterAfterReload: best && best.name !== info.name ? best : null,
          probe: { running: false, progress: null, error: null },
          memory: tfRuntime.memorySnapshot(),
        });
        return record;
      } catch (e) {
        set({ probe: { running: false, progress: null, error: errorMessage(e) } });
        return null;
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
  probeStore: localProbeStore(() => localStorage),
});
