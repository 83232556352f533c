// The page's side of the Style worker: a StyleSession whose work happens in a background worker,
// so the page's main thread only passes messages and draws previews. It starts the worker on
// first use; when no worker can be made, or the page's backend cannot start inside one, it runs
// the in-page session instead and says why in place(). No tfjs import: tests drive it through
// a fake port.
import type { ModelManifest } from '../runtime/models';
import { errorMessage } from '../core/errors';
import type { NetworkInfo, StyleRunCallbacks, StyleRunOutcome, StyleSession } from './session';
import {
  asFromWorker,
  type FromWorker,
  type RunPlace,
  type StylePort,
  type ToWorker,
  type WorkerInit,
} from './worker-protocol';

export interface WorkerConnection extends StylePort {
  terminate(): void;
}

export interface StyleWorkerClientOptions {
  /** Where the worker is to start; null when the page has no backend to copy (then the run is on the page). */
  init(): Promise<WorkerInit | null>;
  /** A new worker; `onFailure` is called if it dies (a load error, a crash). Throws when none can be made. */
  connect(onFailure: (message: string) => void): WorkerConnection;
  /** The model manifest to send with each load (ResNet-50's files and checksums). */
  manifest(): Promise<ModelManifest | null>;
  /** The in-page session, used when the worker cannot be. */
  fallback(): StyleSession;
  /** The page's backend, for place() when the run is on the page. */
  pageBackend(): string;
}

export interface StyleWorkerSession extends StyleSession {
  /** Where runs happen, once known (after the first load). */
  place(): RunPlace | null;
}

interface Pending {
  resolve(value: never): void;
  reject(error: Error): void;
  onProgress?(fraction: number | null): void;
  callbacks?: StyleRunCallbacks;
}

type Target = { kind: 'worker'; send(message: ToWorker): void } | { kind: 'page'; session: StyleSession };

const CLOSED = 'This Style Studio session is closed; start a new one.';

export function createStyleWorkerClient(options: StyleWorkerClientOptions): StyleWorkerSession {
  let target: Promise<Target> | null = null;
  let resolved: Target | null = null;
  let place: RunPlace | null = null;
  let problem: string | null = null;
  let nextId = 1;
  let closed = false;
  const pending = new Map<number, Pending>();

  const onPage = (note: string): Target => {
    const t: Target = { kind: 'page', session: options.fallback() };
    place = { backend: options.pageBackend(), inWorker: false, note, numTensors: null };
    return t;
  };

  const handle = (message: FromWorker) => {
    if (message.type === 'ready' || message.type === 'init-failed' || message.type === 'closed') return;
    const job = pending.get(message.id);
    if (!job) {
      if (message.type === 'preview') message.bitmap.close();
      return;
    }
    switch (message.type) {
      case 'load-progress':
        return job.onProgress?.(message.fraction);
      case 'iteration':
        if (place) place = { ...place, numTensors: message.numTensors };
        return job.callbacks?.onIteration?.(message.row, message.stage);
      case 'preview':
        if (job.callbacks?.onPreview) job.callbacks.onPreview(message.bitmap);
        else message.bitmap.close();
        return;
      case 'loaded':
        problem = message.problem;
        if (place) place = { ...place, numTensors: message.numTensors };
        pending.delete(message.id);
        return job.resolve(message.info as never);
      case 'result':
        if (place) place = { ...place, numTensors: message.numTensors };
        pending.delete(message.id);
        return job.resolve(message.outcome as never);
      case 'failed':
        pending.delete(message.id);
        return job.reject(new Error(message.message));
    }
  };

  async function open(): Promise<Target> {
    const init = await options.init();
    if (!init) return onPage('The page has no compute backend running to copy into a background worker.');
    let worker: WorkerConnection;
    let startFailed: ((why: string) => void) | null = null;
    // A worker that dies fails what is under way, and the next call starts a fresh one.
    const fail = (why: string) => {
      target = null;
      resolved = null;
      const error = new Error(`The background Style worker stopped (${why}). Start again.`);
      [...pending.values()].forEach((p) => p.reject(error));
      pending.clear();
      startFailed?.(why);
    };
    try {
      worker = options.connect((why) => fail(why));
    } catch (e) {
      return onPage(`A background worker could not be made here (${errorMessage(e)}), so the run is on the page.`);
    }
    const started = await new Promise<{ backend: string } | { failed: string }>((resolve) => {
      startFailed = (why) => resolve({ failed: why });
      worker.addEventListener('message', (event) => {
        const message = asFromWorker(event.data);
        if (!message) return;
        if (message.type === 'ready') resolve({ backend: message.backend });
        else if (message.type === 'init-failed') resolve({ failed: message.message });
        else handle(message);
      });
      worker.postMessage({ type: 'init', init } satisfies ToWorker);
    });
    startFailed = null;
    if ('failed' in started) {
      worker.terminate();
      return onPage(
        `The ${init.backend} backend could not start in a background worker (${started.failed}), so the run is on the page.`,
      );
    }
    place = { backend: started.backend, inWorker: true, note: null, numTensors: null };
    return {
      kind: 'worker',
      send(message) {
        if (message.type === 'close') {
          worker.addEventListener('message', (event) => {
            if (asFromWorker(event.data)?.type === 'closed') worker.terminate();
          });
        }
        worker.postMessage(message);
      },
    };
  }

  const ready = async (): Promise<Target> => {
    if (closed) throw new Error(CLOSED);
    target ??= open().then((t) => (resolved = t));
    return target;
  };

  const ask = <T>(
    message: ToWorker & { id: number },
    target: Target & { kind: 'worker' },
    extra: Omit<Pending, 'resolve' | 'reject'>,
  ) =>
    new Promise<T>((resolve, reject) => {
      pending.set(message.id, { resolve: resolve as (v: never) => void, reject, ...extra });
      target.send(message);
    });

  const control = (type: 'pause' | 'resume' | 'stop') => {
    if (resolved?.kind === 'page') resolved.session[type]();
    else resolved?.send({ type });
  };

  return {
    place: () => place,
    async loadNetwork(request, onProgress): Promise<NetworkInfo> {
      const t = await ready();
      if (t.kind === 'page') return t.session.loadNetwork(request, onProgress);
      const manifest = request.id === 'resnet50' ? await options.manifest() : null;
      return ask<NetworkInfo>({ type: 'load', id: nextId++, request, manifest }, t, { onProgress });
    },
    runProblem: () => (resolved?.kind === 'page' ? resolved.session.runProblem() : problem),
    async run(request, callbacks = {}): Promise<StyleRunOutcome> {
      const t = await ready();
      if (t.kind === 'page') return t.session.run(request, callbacks);
      return ask<StyleRunOutcome>({ type: 'run', id: nextId++, request }, t, { callbacks });
    },
    pause: () => control('pause'),
    resume: () => control('resume'),
    stop: () => control('stop'),
    close() {
      if (closed) return;
      closed = true;
      // Also when the worker is still starting: it is closed as soon as it is up.
      void target?.then((t) => (t.kind === 'page' ? t.session.close() : t.send({ type: 'close' })));
    },
  };
}
