// The messages between the page and the Style worker (style-worker.ts), and the small port both
// sides speak through. Plain data only: pictures travel as ImageBitmaps (cloned in, transferred
// out), the PNG as a Blob, the custom model as Files, errors as their message. No tfjs here, so
// both ends and their tests can share it.
import type { ModelManifest } from '../runtime/models';
import type { CostRow, NetworkInfo, NetworkRequest, StyleRunOutcome, StyleRunRequest, StyleStage } from './session';

/** What a Worker, a MessagePort or a test's fake offers. */
export interface StylePort {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** Where the worker starts: the page's backend and where the page's files are. */
export interface WorkerInit {
  backend: string;
  /** Absolute: the worker's own URL is not the page's, so relative paths would go astray. */
  baseUrl: string;
  wasmPath: string;
}

export type ToWorker =
  | { type: 'init'; init: WorkerInit }
  | { type: 'load'; id: number; request: NetworkRequest; manifest: ModelManifest | null }
  | { type: 'run'; id: number; request: StyleRunRequest }
  | { type: 'pause' | 'resume' | 'stop' }
  | { type: 'close' };

export type FromWorker =
  | { type: 'ready'; backend: string; numTensors: number }
  | { type: 'init-failed'; message: string }
  | { type: 'load-progress'; id: number; fraction: number | null }
  | { type: 'loaded'; id: number; info: NetworkInfo; problem: string | null; numTensors: number }
  | { type: 'iteration'; id: number; row: CostRow; stage: StyleStage; numTensors: number }
  | { type: 'preview'; id: number; bitmap: ImageBitmap }
  | { type: 'result'; id: number; outcome: StyleRunOutcome; numTensors: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'closed'; numTensors: number };

const TO_WORKER = new Set(['init', 'load', 'run', 'pause', 'resume', 'stop', 'close']);
const FROM_WORKER = new Set([
  'ready',
  'init-failed',
  'load-progress',
  'loaded',
  'iteration',
  'preview',
  'result',
  'failed',
  'closed',
]);

const typeOf = (data: unknown): string | null =>
  typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string'
    ? (data as { type: string }).type
    : null;

/** The message if it is one the worker understands, else null (stray messages are ignored). */
export function asToWorker(data: unknown): ToWorker | null {
  const type = typeOf(data);
  return type && TO_WORKER.has(type) ? (data as ToWorker) : null;
}

/** The message if it is one the page understands, else null. */
export function asFromWorker(data: unknown): FromWorker | null {
  const type = typeOf(data);
  return type && FROM_WORKER.has(type) ? (data as FromWorker) : null;
}

/** What to transfer rather than copy: the bitmaps the worker made and will not use again. */
export function transferOf(message: FromWorker): Transferable[] {
  if (message.type === 'preview') return [message.bitmap];
  if (message.type === 'result') return [message.outcome.bitmap];
  return [];
}

/** Where a run happens, for the page to show. */
export interface RunPlace {
  /** The tfjs backend the run is on. */
  backend: string;
  /** In a background worker (true) or on the page itself (false). */
  inWorker: boolean;
  /** Why it is on the page, when it is; plain words. */
  note: string | null;
  /** Tensors alive where the run happens, after the latest step or result. */
  numTensors: number | null;
}
