// Shader programs compiled without blocking the page. On WebGL, tfjs compiles each new program
// the first time an op runs and then asks the driver whether it linked, which waits for the
// compile on the main thread: VGG-19's forward and backward pass froze the page for ~5 s in one
// task on SwiftShader. tfjs's compile-only mode records the programs without running them; with
// KHR_parallel_shader_compile their completion is then polled once a frame, so the page keeps
// painting while the GPU process compiles. Without that extension (SwiftShader has none) asking
// whether a program linked waits for it; the programs are then asked one by one, with a yield
// every ~20 ms, so each wait is one program's, not all of them at once. WebGPU already compiles
// off the main thread in Chromium, and wasm and cpu have nothing to compile, so this is WebGL only.
import * as tf from '@tensorflow/tfjs';
import { yieldToEventLoop } from './run-control';

/** What compile-ahead uses of a tfjs backend; the WebGL backend has both methods. */
export interface CompilingBackend {
  checkCompileCompletionAsync?(): Promise<unknown>;
  getUniformLocations?(): void;
  // tfjs-backend-webgl's own (4.22): its compiled programs and the check of one program's link.
  binaryCache?: Record<string, object>;
  checkCompletion_?(binary: object): unknown;
  gpgpu?: { parallelCompilationExtension?: unknown };
}

/** Programs already known to have linked: asked about once. */
const linked = new WeakSet<object>();
const SLICE_MS = 20;

export interface CompileAheadTarget {
  /** The backend's name, e.g. 'webgl'. */
  name: string;
  backend: CompilingBackend;
  setCompileOnly(on: boolean): void;
}

function currentTarget(): CompileAheadTarget {
  return {
    name: tf.getBackend(),
    backend: tf.backend() as unknown as CompilingBackend,
    setCompileOnly: (on) => tf.env().set('ENGINE_COMPILE_ONLY', on),
  };
}

/**
 * Runs `work` once in compile-only mode (its results are meaningless and freed), then waits,
 * a frame at a time, until every program it needed has compiled. Returns whether it did
 * anything; elsewhere than WebGL it returns false without calling `work`.
 */
export async function compileAhead(work: () => void, target: CompileAheadTarget = currentTarget()): Promise<boolean> {
  const { backend } = target;
  if (target.name !== 'webgl' || typeof backend.checkCompileCompletionAsync !== 'function') return false;
  // Marks for a performance profile (DevTools, scripts/measure-style-longtasks.mjs).
  performance.mark('facet:compile-ahead:start');
  target.setCompileOnly(true);
  try {
    tf.tidy(() => {
      work();
    });
  } finally {
    // Off again before anything else can run: an op outside `work` must execute for real.
    target.setCompileOnly(false);
  }
  performance.mark('facet:compile-ahead:recorded');
  const { binaryCache, checkCompletion_ } = backend;
  if (!backend.gpgpu?.parallelCompilationExtension && binaryCache && typeof checkCompletion_ === 'function') {
    let slice = performance.now();
    for (const binary of Object.values(binaryCache)) {
      if (linked.has(binary)) continue;
      checkCompletion_.call(backend, binary);
      linked.add(binary);
      if (performance.now() - slice > SLICE_MS) {
        await yieldToEventLoop();
        slice = performance.now();
      }
    }
  } else {
    await backend.checkCompileCompletionAsync();
  }
  // Programs compiled in compile-only mode have no uniform locations yet; this fills them in.
  performance.mark('facet:compile-ahead:linked');
  backend.getUniformLocations?.();
  performance.mark('facet:compile-ahead:done');
  return true;
}
