// Backend selection: try each backend in order and keep the first that really starts.
// `tf.setBackend` resolves false (or throws) when a backend fails to initialise; moving on
// explicitly keeps tfjs from pointing at a backend that never came up.
import { errorMessage } from '../core/errors';

export const BACKEND_ORDER = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  error?: string;
  ms: number;
}

export interface BackendChoice {
  name: BackendName;
  attempts: BackendAttempt[];
  /** True when a preferred backend was asked for but could not start. */
  preferredFailed: boolean;
}

export function isBackendName(value: unknown): value is BackendName {
  return typeof value === 'string' && (BACKEND_ORDER as readonly string[]).includes(value);
}

/** The order to try: the preferred backend first (if any), then the default chain. */
export function backendChain(preferred?: BackendName | null): BackendName[] {
  if (!preferred) return [...BACKEND_ORDER];
  return [preferred, ...BACKEND_ORDER.filter((b) => b !== preferred)];
}

/**
 * Walk the chain and return the first backend for which `start` resolves true.
 * `start` is injected so the walk can be tested without a browser.
 */
export async function selectBackend(
  start: (name: BackendName) => Promise<boolean>,
  preferred?: BackendName | null,
  now: () => number = () => performance.now(),
): Promise<BackendChoice> {
  const attempts: BackendAttempt[] = [];
  for (const name of backendChain(preferred)) {
    const t0 = now();
    try {
      const ok = await start(name);
      attempts.push(
        ok ? { name, ok, ms: now() - t0 } : { name, ok, ms: now() - t0, error: 'the backend did not initialise' },
      );
      if (ok) return { name, attempts, preferredFailed: !!preferred && name !== preferred };
    } catch (e) {
      attempts.push({ name, ok: false, ms: now() - t0, error: errorMessage(e) });
    }
  }
  throw new Error(
    `No TensorFlow.js backend could start (${attempts.map((a) => `${a.name}: ${a.error ?? 'failed'}`).join('; ')}).`,
  );
}
