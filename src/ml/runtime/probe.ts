// The backend probe: one small convnet inference (the shape of a face detector's first layers:
// strided conv, depthwise conv, 1×1 conv, pooled) timed on each backend that starts, after a
// warm-up that compiles its shaders. Kept to a few seconds on a software GPU: a slow warm-up cuts
// the timed runs to one, since a backend that slow will not be chosen anyway.
import * as tf from '@tensorflow/tfjs';
import { errorMessage } from '../core/errors';
import type { BackendName } from './backend';
import { isSoftwareAdapter, type DeviceKeyParts, type ProbeFigure, type ProbeRecord } from './backend-choice';

const SIZE = 64;

function probeNet() {
  const w1 = tf.randomUniform([3, 3, 3, 16], -0.3, 0.3, 'float32', 11) as tf.Tensor4D;
  const dw = tf.randomUniform([3, 3, 16, 1], -0.3, 0.3, 'float32', 12) as tf.Tensor4D;
  const w2 = tf.randomUniform([1, 1, 16, 32], -0.3, 0.3, 'float32', 13) as tf.Tensor4D;
  const w3 = tf.randomUniform([3, 3, 32, 32], -0.3, 0.3, 'float32', 14) as tf.Tensor4D;
  const x = tf.randomUniform([1, SIZE, SIZE, 3], 0, 1, 'float32', 15) as tf.Tensor4D;
  const run = () =>
    tf.tidy(() => {
      // Fused activations, as the face models' graphs run them: fewer shader programs to compile.
      const relu = 'relu' as const;
      let y = tf.fused.conv2d({ x, filter: w1, strides: 2, pad: 'same', activation: relu });
      y = tf.fused.depthwiseConv2d({ x: y, filter: dw, strides: 1, pad: 'same', activation: relu });
      y = tf.fused.conv2d({ x: y, filter: w2, strides: 1, pad: 'same', activation: relu });
      y = tf.fused.conv2d({ x: y, filter: w3, strides: 2, pad: 'same', activation: relu });
      return tf.mean(y, [1, 2]);
    });
  return { run, dispose: () => tf.dispose([w1, dw, w2, w3, x]) };
}

/** Median ms of the probe inference on the current backend, and its warm-up's ms. */
async function timeProbe(runs: number, now: () => number): Promise<{ ms: number; warmupMs: number }> {
  const net = probeNet();
  try {
    const once = async () => {
      const t0 = now();
      const out = net.run();
      await out.data();
      out.dispose();
      return now() - t0;
    };
    const warmupMs = await once();
    const n = warmupMs > 400 ? 1 : runs;
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await once());
    times.sort((a, b) => a - b);
    return { ms: times[Math.floor(times.length / 2)]!, warmupMs };
  } finally {
    net.dispose();
  }
}

/** Whether tfjs registers the gradient kernels image optimisation needs on this backend. */
export function gradientKernels(backend: string): ProbeFigure['gradients'] {
  const has = (k: string) => tf.getKernel(k, backend) != null;
  return {
    conv: has('Conv2DBackpropInput') && has('MaxPoolGrad') && has('AvgPoolGrad'),
    depthwise: has('DepthwiseConv2dNativeBackpropInput'),
  };
}

/** The WebGPU adapter, WebGL renderer and browser this page runs on: the probe result's key. */
export async function deviceKeyParts(): Promise<DeviceKeyParts> {
  let webgpu: DeviceKeyParts['webgpu'] = null;
  try {
    const adapter = await navigator.gpu?.requestAdapter({ powerPreference: 'high-performance' });
    if (adapter) {
      const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
      webgpu = {
        vendor: info?.vendor ?? '',
        architecture: info?.architecture ?? '',
        device: info?.device ?? '',
        description: info?.description ?? '',
        isFallbackAdapter:
          info?.isFallbackAdapter ??
          (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter ??
          null,
      };
    }
  } catch {
    webgpu = null;
  }
  return { webgpu, webglRenderer: webglRenderer(), userAgent: navigator.userAgent };
}

function webglRenderer(): string | null {
  try {
    const canvas = document.createElement('canvas');
    const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
    if (!gl) return null;
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return renderer;
  } catch {
    return null;
  }
}

export interface ProbeOptions {
  /** Starts a backend (tf.setBackend and its settings); resolves false when it cannot. */
  start(name: BackendName): Promise<boolean>;
  backends: readonly BackendName[];
  key: string;
  parts: DeviceKeyParts;
  runs?: number;
  now?: () => number;
  onProgress?(message: string): void;
}

/** Times the probe on every backend in `backends`; leaves tfjs on the last one that started. */
export async function measureBackends(opts: ProbeOptions): Promise<ProbeRecord> {
  const now = opts.now ?? (() => performance.now());
  const t0 = now();
  const figures: ProbeFigure[] = [];
  for (const name of opts.backends) {
    opts.onProgress?.(`Measuring ${name}…`);
    const figure: ProbeFigure = {
      name,
      started: false,
      ms: null,
      warmupMs: null,
      gradients: gradientKernels(name),
      ...(name === 'webgpu' ? { software: isSoftwareAdapter(opts.parts.webgpu) } : {}),
    };
    try {
      figure.started = await opts.start(name);
      if (!figure.started) figure.error = 'the backend did not initialise';
      else Object.assign(figure, await timeProbe(opts.runs ?? 3, now));
    } catch (e) {
      figure.error = errorMessage(e);
    }
    figures.push(figure);
  }
  return { version: 1, key: opts.key, at: new Date().toISOString(), figures, totalMs: Math.round(now() - t0) };
}
