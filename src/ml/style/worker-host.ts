// The worker's side of the Style protocol: it answers the page's messages with a style session
// running where it is (style-worker.ts gives it tfjs, a backend and the session). No tfjs import
// of its own, so a test can serve a session on cpu through a fake port.
import type { ModelManifest } from '../runtime/models';
import { errorMessage } from '../core/errors';
import type { StyleSession } from './session';
import { asToWorker, transferOf, type FromWorker, type StylePort, type WorkerInit } from './worker-protocol';

export interface StyleHostDeps {
  /** Starts the backend the page asked for; throws, in plain words, when it cannot. Returns its name. */
  start(init: WorkerInit): Promise<string>;
  /** The session, made once the backend runs; `manifest` is the one sent with the latest load. */
  createSession(init: WorkerInit, manifest: () => ModelManifest | undefined): StyleSession;
  /** Live tensors (tf.memory().numTensors). */
  numTensors(): number;
  /** After close: ends the worker (self.close). */
  exit?(): void;
}

const closeImage = (image: unknown) => (image as { close?: () => void } | null)?.close?.();

export function serveStyleSession(port: StylePort, deps: StyleHostDeps): void {
  let session: StyleSession | null = null;
  let manifest: ModelManifest | undefined;
  const work = new Set<Promise<unknown>>();
  const post = (message: FromWorker) => port.postMessage(message, transferOf(message));

  const track = (id: number, job: () => Promise<FromWorker>) => {
    const p = (async () => {
      try {
        post(await job());
      } catch (e) {
        post({ type: 'failed', id, message: errorMessage(e) });
      }
    })();
    work.add(p);
    void p.finally(() => work.delete(p));
  };

  const needSession = () => {
    if (!session) throw new Error('The Style worker has not started yet.');
    return session;
  };

  port.addEventListener('message', (event) => {
    const message = asToWorker(event.data);
    if (!message) return;
    switch (message.type) {
      case 'init': {
        if (session) return;
        void deps.start(message.init).then(
          (backend) => {
            session = deps.createSession(message.init, () => manifest);
            post({ type: 'ready', backend, numTensors: deps.numTensors() });
          },
          (e: unknown) => post({ type: 'init-failed', message: errorMessage(e) }),
        );
        return;
      }
      case 'load': {
        if (message.manifest) manifest = message.manifest;
        const { id, request } = message;
        track(id, async () => {
          const s = needSession();
          const info = await s.loadNetwork(request, (fraction) => post({ type: 'load-progress', id, fraction }));
          return { type: 'loaded', id, info, problem: s.runProblem(), numTensors: deps.numTensors() };
        });
        return;
      }
      case 'run': {
        const { id, request } = message;
        track(id, async () => {
          try {
            const outcome = await needSession().run(request, {
              onIteration: (row, stage) => post({ type: 'iteration', id, row, stage, numTensors: deps.numTensors() }),
              onPreview: (bitmap) => post({ type: 'preview', id, bitmap }),
            });
            return { type: 'result', id, outcome, numTensors: deps.numTensors() };
          } finally {
            // The pictures came as copies for this run; they are not needed again.
            closeImage(request.content);
            request.styles.forEach((s) => closeImage(s.image));
          }
        });
        return;
      }
      case 'pause':
        return session?.pause();
      case 'resume':
        return session?.resume();
      case 'stop':
        return session?.stop();
      case 'close': {
        session?.close();
        // The session frees its network once its run and loads have ended; then the count is final.
        void Promise.allSettled([...work])
          .then(() => new Promise((r) => setTimeout(r, 0)))
          .then(() => {
            post({ type: 'closed', numTensors: deps.numTensors() });
            deps.exit?.();
          });
        return;
      }
    }
  });
}
