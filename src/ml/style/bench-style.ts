// Style-transfer benchmarks: ms per iteration of the app's path (createStyleObjective through
// optimiseImage with Adam: one pass of G for all layers, Grams of S computed once, one read-back
// per iteration) beside the straightforward baseline of baseline.ts (per-layer ops, every cost
// read back on its own), in the same run on the same backend; peak memory of each; and a
// tensor-leak check over many iterations.
//
// Memory is sampled after every forward pass through the loss network (when all of G's
// activations are alive, the tape holding them for the backward pass) and after every
// iteration. tf.memory().numBytes counts the bytes of live tensors on any backend; the GPU
// backends add their own fields, read here when present: numBytesInGPU (bytes of live
// tensors on the GPU, both backends) and the pool's allocation, which tfjs keeps and reuses
// rather than frees (numBytesAllocatedInGPU on webgpu, numBytesInGPUAllocated on webgl).
import * as tf from '@tensorflow/tfjs';
import { quantile } from '../runtime/bench';
import { baselineStep, createBaseline, type BaselineState } from './baseline';
import type { ConvNetwork } from '../nets/network';
import {
  DEFAULT_STYLE_SETTINGS,
  explainStyleTransferError,
  MIN_STYLE_SIZE,
  runStyleTransfer,
  sizeForLongSide,
  type StyleSettings,
} from './transfer';
import { errorMessage } from '../core/errors';

/** The tf.memory() fields this backend reports for GPU memory, null where it has none. */
export interface GpuMemoryFields {
  inUse: string | null;
  allocated: string | null;
}

const IN_USE_FIELDS = ['numBytesInGPU'];
const ALLOCATED_FIELDS = ['numBytesAllocatedInGPU', 'numBytesInGPUAllocated'];

/** Which fields of tf.memory() carry GPU bytes on the current backend. */
export function gpuMemoryFields(): GpuMemoryFields {
  const m = tf.memory() as unknown as Record<string, unknown>;
  const pick = (names: string[]) => names.find((n) => typeof m[n] === 'number') ?? null;
  return { inUse: pick(IN_USE_FIELDS), allocated: pick(ALLOCATED_FIELDS) };
}

/** Running maxima of the memory counters over one benchmarked path. */
export class MemoryWatch {
  readonly startBytes: number;
  peakBytes: number;
  peakGpuInUse: number | null = null;
  gpuAllocated: number | null = null;
  private readonly fields = gpuMemoryFields();

  constructor() {
    this.startBytes = tf.memory().numBytes;
    this.peakBytes = this.startBytes;
    this.sample();
  }

  sample(): void {
    const m = tf.memory() as unknown as Record<string, number>;
    this.peakBytes = Math.max(this.peakBytes, m.numBytes ?? 0);
    if (this.fields.inUse) this.peakGpuInUse = Math.max(this.peakGpuInUse ?? 0, m[this.fields.inUse] ?? 0);
    // The pool only grows while tensors come and go, so its latest value is its peak so far.
    if (this.fields.allocated) this.gpuAllocated = Math.max(this.gpuAllocated ?? 0, m[this.fields.allocated] ?? 0);
  }
}

/**
 * The same network, sampling memory after each forward pass. Disposing it disposes nothing:
 * the benchmark owns the network.
 */
export function watchedNetwork(network: ConvNetwork, watch: MemoryWatch): ConvNetwork {
  return {
    id: network.id,
    label: network.label,
    layers: network.layers,
    defaults: network.defaults,
    activations(images, layers) {
      const out = network.activations(images, layers);
      watch.sample();
      return out;
    },
    dispose() {},
  };
}

export interface StylePathFigures {
  /** Timed iterations, warm-up excluded, read-backs included. */
  ms_per_iter: number[];
  median_ms: number;
  /** tf.memory().numBytes before the path began (loss network weights, images). */
  start_bytes: number;
  /** Highest tf.memory().numBytes seen. */
  peak_bytes: number;
  /** Highest GPU bytes of live tensors seen; null off the GPU. */
  peak_gpu_bytes_in_use: number | null;
  /** The GPU pool's allocation at the end of the path (it includes earlier cases' buffers); null off the GPU. */
  gpu_bytes_allocated: number | null;
  /** J at the first and last iteration: each path's own scale (the baseline's costs are not normalised). */
  cost_first: number;
  cost_last: number;
  num_tensors_after_first: number;
  num_tensors_after_last: number;
}

export interface StyleCaseFigures {
  lossnet: string;
  /** Long side of G. */
  size: number;
  height: number;
  width: number;
  optimised: StylePathFigures | null;
  baseline: StylePathFigures | null;
  /** Baseline median ms over optimised median ms. */
  speedup: number | null;
  /** Why a path could not run (e.g. out of memory at this size). */
  error?: string;
}

export interface StyleLeakFigures {
  lossnet: string;
  size: number;
  iterations: number;
  num_tensors_before: number;
  num_tensors_after_first: number;
  num_tensors_after_last: number;
  num_tensors_min: number;
  num_tensors_max: number;
  num_tensors_after_dispose: number;
  /** Same count after every iteration, and back to the start once the run is over. */
  flat: boolean;
  error?: string;
}

export interface StyleBenchNetwork {
  id: string;
  load(): Promise<ConvNetwork>;
}

export interface StyleBenchOptions {
  /** [H, W, 3] in 0..1; the caller keeps and disposes both. */
  content: tf.Tensor3D;
  style: tf.Tensor3D;
  networks: readonly StyleBenchNetwork[];
  /** Long sides of G (default 64 and 128). */
  sizes?: readonly number[];
  /** Timed iterations per path and case (default 5). */
  iterations?: number;
  /** Untimed iterations first: shader compilation and Adam's moment variables (default 1). */
  warmup?: number;
  /** Iterations of the leak check with Adam (default 200; 0 skips it). */
  leakIterations?: number;
  /** Long side of G in the leak check (default 32). */
  leakSize?: number;
  /** Cost weights and learning rate; the app's defaults otherwise. */
  settings?: Partial<Pick<StyleSettings, 'alpha' | 'beta' | 'tvWeight' | 'learningRate' | 'normalise'>>;
  onProgress?: (message: string) => void;
}

export interface StyleBenchReport {
  backend: string;
  /** tf.memory() fields read for GPU bytes. */
  gpu_memory_fields: GpuMemoryFields;
  iterations: number;
  warmup: number;
  settings: { alpha: number; beta: number; tvWeight: number; learningRate: number; normalise: boolean };
  cases: StyleCaseFigures[];
  leaks: StyleLeakFigures[];
  /** Loss networks that could not be loaded. */
  skipped: { lossnet: string; reason: string }[];
  num_tensors_start: number;
  num_tensors_end: number;
}

const round = (x: number) => Math.round(x * 100) / 100;
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );

type CostSettings = StyleBenchReport['settings'];

function figures(watch: MemoryWatch, times: number[], costs: number[], counts: number[]): StylePathFigures {
  return {
    ms_per_iter: times.map(round),
    median_ms: round(median(times)),
    start_bytes: watch.startBytes,
    peak_bytes: watch.peakBytes,
    peak_gpu_bytes_in_use: watch.peakGpuInUse,
    gpu_bytes_allocated: watch.gpuAllocated,
    cost_first: costs[0] ?? NaN,
    cost_last: costs[costs.length - 1] ?? NaN,
    num_tensors_after_first: counts[0] ?? NaN,
    num_tensors_after_last: counts[counts.length - 1] ?? NaN,
  };
}

/** The app's path: runStyleTransfer with Adam from the content image, timed per iteration. */
export async function benchOptimisedPath(
  network: ConvNetwork,
  content: tf.Tensor3D,
  style: tf.Tensor3D,
  size: number,
  iterations: number,
  warmup: number,
  settings: CostSettings,
): Promise<StylePathFigures> {
  const watch = new MemoryWatch();
  const times: number[] = [];
  const costs: number[] = [];
  const counts: number[] = [];
  const result = await runStyleTransfer({
    content,
    styles: [{ image: style }],
    network: watchedNetwork(network, watch),
    settings: {
      ...settings,
      size,
      optimiser: 'adam',
      init: 'content',
      iterations: warmup + iterations,
      coarseToFine: false,
      preserveColors: false,
    },
    onIteration: (info) => {
      watch.sample();
      costs.push(info.total);
      counts.push(tf.memory().numTensors);
      if (info.iteration > warmup) times.push(info.msPerIteration);
    },
  });
  result.image.dispose();
  return figures(watch, times, costs, counts);
}

/** The baseline of baseline.ts on the same images and weights, timed per iteration. */
export async function benchBaselinePath(
  network: ConvNetwork,
  content: tf.Tensor3D,
  style: tf.Tensor3D,
  size: number,
  iterations: number,
  warmup: number,
  settings: CostSettings,
): Promise<StylePathFigures> {
  const watch = new MemoryWatch();
  const times: number[] = [];
  const costs: number[] = [];
  const counts: number[] = [];
  // In a scope, so that a failure while it stores the features (out of memory) frees what it made.
  const made: { state?: BaselineState } = {};
  tf.tidy(() => {
    const s = createBaseline({
      content,
      style,
      network: watchedNetwork(network, watch),
      settings: { ...settings, size },
    });
    tf.keep(s.contentFeatures);
    s.styleFeatures.forEach((f) => tf.keep(f));
    made.state = s;
  });
  const state = made.state as BaselineState;
  try {
    for (let i = 0; i < warmup + iterations; i++) {
      const r = await baselineStep(state);
      watch.sample();
      costs.push(r.total);
      counts.push(tf.memory().numTensors);
      if (i >= warmup) times.push(r.msPerIteration);
    }
  } finally {
    state.dispose();
  }
  return figures(watch, times, costs, counts);
}

/** Runs the app's path for `iterations` and records tensor counts after each one. */
export async function styleLeakCheck(
  network: ConvNetwork,
  content: tf.Tensor3D,
  style: tf.Tensor3D,
  size: number,
  iterations: number,
  settings: CostSettings,
): Promise<Omit<StyleLeakFigures, 'lossnet'>> {
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  let error: string | undefined;
  try {
    const result = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network,
      settings: { ...settings, size, optimiser: 'adam', init: 'content', iterations, coarseToFine: false },
      onIteration: () => counts.push(tf.memory().numTensors),
    });
    result.image.dispose();
  } catch (e) {
    error = errorMessage(e);
  }
  const after = tf.memory().numTensors;
  const first = counts[0] ?? NaN;
  const last = counts[counts.length - 1] ?? NaN;
  const min = counts.length ? Math.min(...counts) : NaN;
  const max = counts.length ? Math.max(...counts) : NaN;
  return {
    size,
    iterations: counts.length,
    num_tensors_before: before,
    num_tensors_after_first: first,
    num_tensors_after_last: last,
    num_tensors_min: min,
    num_tensors_max: max,
    num_tensors_after_dispose: after,
    flat: !error && counts.length > 0 && min === max && after === before,
    ...(error ? { error } : {}),
  };
}

/**
 * One forward pass through the layers the cases use. A network that makes its weights on first
 * use (random VGG) would otherwise count them in the first path's time and memory only.
 */
function prebuild(network: ConvNetwork, size: number): void {
  const layers = [...new Set([network.defaults.content, ...network.defaults.style])];
  tf.tidy(() => {
    network.activations(tf.zeros([1, size, size, 3]), layers);
  });
}

/**
 * Every (loss network × size) case with both paths, then the leak check per loss network. Each
 * network is loaded once and disposed after its cases; a path that fails (out of memory at a
 * large size) is recorded and the next case runs.
 */
export async function benchStyleTransfer(o: StyleBenchOptions): Promise<StyleBenchReport> {
  const sizes = o.sizes ?? [64, 128];
  const iterations = o.iterations ?? 5;
  const warmup = o.warmup ?? 1;
  const leakIterations = o.leakIterations ?? 200;
  const leakSize = o.leakSize ?? 32;
  for (const s of [...sizes, leakSize]) {
    if (!Number.isInteger(s) || s < MIN_STYLE_SIZE) {
      throw new RangeError(`Benchmark sizes must be whole numbers ≥ ${MIN_STYLE_SIZE} px; got ${s}.`);
    }
  }
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError('iterations must be ≥ 1.');
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError('warmup must be ≥ 0.');
  const d = DEFAULT_STYLE_SETTINGS;
  const settings: CostSettings = {
    alpha: o.settings?.alpha ?? d.alpha,
    beta: o.settings?.beta ?? d.beta,
    tvWeight: o.settings?.tvWeight ?? d.tvWeight,
    learningRate: o.settings?.learningRate ?? d.learningRate,
    normalise: o.settings?.normalise ?? d.normalise,
  };
  const report: StyleBenchReport = {
    backend: tf.getBackend(),
    gpu_memory_fields: gpuMemoryFields(),
    iterations,
    warmup,
    settings,
    cases: [],
    leaks: [],
    skipped: [],
    num_tensors_start: tf.memory().numTensors,
    num_tensors_end: NaN,
  };
  const progress = (m: string) => o.onProgress?.(m);

  for (const net of o.networks) {
    progress(`loading ${net.id}…`);
    let network: ConvNetwork | null = null;
    try {
      network = await net.load();
      prebuild(network, Math.min(...sizes, leakSize));
    } catch (e) {
      network?.dispose();
      report.skipped.push({ lossnet: net.id, reason: errorMessage(e) });
      continue;
    }
    try {
      for (const size of sizes) {
        const [height, width] = sizeForLongSide(o.content.shape[0], o.content.shape[1], size);
        const row: StyleCaseFigures = {
          lossnet: net.id,
          size,
          height,
          width,
          optimised: null,
          baseline: null,
          speedup: null,
        };
        const errors: string[] = [];
        const attempt = async (path: 'optimised' | 'baseline') => {
          progress(`${net.id} ${width}×${height}: ${path}, ${warmup} + ${iterations} iterations…`);
          const run = path === 'optimised' ? benchOptimisedPath : benchBaselinePath;
          try {
            row[path] = await run(network, o.content, o.style, size, iterations, warmup, settings);
          } catch (e) {
            errors.push(`${path}: ${errorMessage(explainStyleTransferError(e, size))}`);
          }
        };
        await attempt('optimised');
        await attempt('baseline');
        if (row.optimised && row.baseline) row.speedup = round(row.baseline.median_ms / row.optimised.median_ms);
        if (errors.length) row.error = errors.join('; ');
        report.cases.push(row);
      }
      if (leakIterations > 0) {
        progress(`${net.id}: leak check, ${leakIterations} iterations at ${leakSize} px…`);
        const leak = await styleLeakCheck(network, o.content, o.style, leakSize, leakIterations, settings);
        report.leaks.push({ lossnet: net.id, ...leak });
      }
    } finally {
      network.dispose();
    }
  }
  report.num_tensors_end = tf.memory().numTensors;
  return report;
}

/** What the wasm backend can use in this page: SIMD, and threads (which need cross-origin isolation). */
export interface BackendFeatures {
  cross_origin_isolated: boolean;
  /** null when the backend in use is not wasm. */
  wasm_simd: boolean | null;
  wasm_threads: boolean | null;
}

export async function backendFeatures(): Promise<BackendFeatures> {
  const isolated = typeof crossOriginIsolated === 'boolean' && crossOriginIsolated;
  if (tf.getBackend() !== 'wasm') return { cross_origin_isolated: isolated, wasm_simd: null, wasm_threads: null };
  const flag = async (name: string) => Boolean(await tf.env().getAsync(name));
  return {
    cross_origin_isolated: isolated,
    wasm_simd: await flag('WASM_HAS_SIMD_SUPPORT'),
    wasm_threads: await flag('WASM_HAS_MULTITHREAD_SUPPORT'),
  };
}
