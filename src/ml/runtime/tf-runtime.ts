// Starts TensorFlow.js in the browser on the fastest backend measured here (or the one pinned in
// Settings) and describes it. The probe's figures are kept by the caller with their device key, so
// a later start reuses them until the adapter, the WebGL renderer or the browser changes.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import '@tensorflow/tfjs-backend-wasm';
import { BACKEND_ORDER, type BackendChoice, type BackendName } from './backend';
import { chooseBackend, deviceKey, type ProbeRecord } from './backend-choice';
import { deviceKeyParts, measureBackends } from './probe';
import { errorMessage } from '../core/errors';
import { setUpWasm } from './wasm-setup';

export interface GpuDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean | null;
  features: string[];
  limits: Record<string, number>;
}

export interface RuntimeInfo extends BackendChoice {
  tfjsVersion: string;
  /** Backends registered in this build (whether or not they could start). */
  registered: BackendName[];
  gpu: GpuDescription | null;
  /** Why WebGPU is not in use, when it is not. */
  webgpuNote: string | null;
  /** The probe's figures for this device (null when pinned and never measured here). */
  probe: ProbeRecord | null;
  /** How the backend was chosen: measured now, from stored figures, pinned in Settings, or down the chain. */
  chosenBy: 'measured' | 'stored' | 'pinned' | 'chain';
  /** One sentence: why this backend. */
  reason: string;
}

export interface StartOptions {
  /** The probe record kept from an earlier start (reused when its key matches this device). */
  stored?: unknown;
  onProgress?(message: string): void;
}

let wasmConfigured = false;

function configure(baseUrl: string) {
  if (!wasmConfigured) {
    // The wasm binaries are served from the app's own origin (copied there at build time).
    setUpWasm(`${baseUrl.replace(/\/?$/, '/')}wasm/`);
    wasmConfigured = true;
  }
}

async function startBackend(name: BackendName): Promise<boolean> {
  const ok = await tf.setBackend(name);
  if (!ok) return false;
  await tf.ready();
  if (name === 'webgpu') {
    // Video frames are drawn to a canvas before fromPixels (see frames.ts); this also keeps
    // tfjs from importing external textures, which throws on some Chromium builds.
    tf.env().set('WEBGPU_IMPORT_EXTERNAL_TEXTURE', false);
  }
  return tf.getBackend() === name;
}

function limitsOf(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key in limits) {
    const v = (limits as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

/** Describes the adapter the webgpu backend is running on. */
async function describeGpu(): Promise<GpuDescription | null> {
  const backend = tf.backend() as unknown as { device?: GPUDevice };
  const device = backend.device;
  if (!device) return null;
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
  const info = (device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo ?? adapter?.info;
  const fallback =
    (info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined)?.isFallbackAdapter ??
    (adapter as (GPUAdapter & { isFallbackAdapter?: boolean }) | null | undefined)?.isFallbackAdapter ??
    null;
  return {
    vendor: info?.vendor || 'unknown',
    architecture: info?.architecture || 'unknown',
    device: info?.device || '',
    description: info?.description || '',
    isFallbackAdapter: fallback,
    features: [...device.features].map(String).sort(),
    limits: limitsOf(device.limits),
  };
}

async function webgpuNote(choice: BackendChoice): Promise<string | null> {
  if (choice.name === 'webgpu') return null;
  if (!('gpu' in navigator)) return 'This browser does not expose WebGPU (navigator.gpu is missing).';
  try {
    const adapter = await navigator.gpu.requestAdapter();
    if (!adapter) return 'WebGPU is present but no GPU adapter is available (blocked, disabled or unsupported GPU).';
  } catch (e) {
    return `WebGPU adapter request failed: ${errorMessage(e)}`;
  }
  const attempt = choice.attempts.find((a) => a.name === 'webgpu');
  if (!attempt) return 'WebGPU was not tried because another backend was chosen in Settings.';
  return attempt.error ? `WebGPU failed to start: ${attempt.error}` : null;
}

function registeredBackends(): BackendName[] {
  return BACKEND_ORDER.filter((b) => tf.findBackendFactory(b) != null);
}

function measure(key: string, parts: Awaited<ReturnType<typeof deviceKeyParts>>, opts: StartOptions) {
  return measureBackends({
    start: startBackend,
    backends: registeredBackends(),
    key,
    parts,
    onProgress: opts.onProgress,
  });
}

export async function startRuntime(
  preferred: BackendName | null,
  baseUrl: string,
  opts: StartOptions = {},
): Promise<RuntimeInfo> {
  configure(baseUrl);
  const parts = await deviceKeyParts();
  const key = deviceKey(parts);
  const { probe, chosenBy, reason, ...choice } = await chooseBackend({
    preferred,
    key,
    stored: opts.stored,
    start: startBackend,
    measure: () => measure(key, parts, opts),
  });
  return {
    ...choice,
    probe,
    chosenBy,
    reason,
    tfjsVersion: tf.version.tfjs,
    registered: registeredBackends(),
    gpu: choice.name === 'webgpu' ? await describeGpu() : null,
    webgpuNote: await webgpuNote(choice),
  };
}

/**
 * Measures every backend again and returns to `active`, so tensors already made (loaded models)
 * stay where they are; using a different winner needs a reload.
 */
export async function measureAgain(active: BackendName, opts: StartOptions = {}): Promise<ProbeRecord> {
  const parts = await deviceKeyParts();
  try {
    return await measure(deviceKey(parts), parts, opts);
  } finally {
    await startBackend(active);
  }
}

export function memorySnapshot(): { numTensors: number; numBytes: number } {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}
