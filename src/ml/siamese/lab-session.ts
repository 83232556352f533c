// The Siamese Lab as one service, in the manner of MediaPipe Tasks: createLabSession(options) over
// one identity split → train(…) a head or a pair classifier / compare() on the held-out identities
// → close(). The session owns the trained models (and so their tensors); callers get plain data:
// step rows, a summary of each run, the comparison, a record to store.
//
// Operations run one at a time, in the order they were asked for: a comparison never reads a model
// that a later run is replacing, and close() frees the models only once what is under way has
// ended. Progress is reported in batches on a time budget rather than per step, so a fast backend
// (a few ms per step) does not turn every step into a store update and a repaint.
import type { LabelledEmbedding } from '../face/evaluate';
import { RunControl } from '../runtime/run-control';
import { compareOnHeldOut, type CompareOptions, type LabComparison } from './compare';
import type { EmbeddingHead, HeadKind, HeadRecord } from './head';
import type { PairClassifier, PairClassifierRecord, PairFeature } from './pair-classifier';
import type { LabMetrics } from './record';
import { embeddingDim } from './split';
import { trainHead, trainPairClassifier } from './train';
import type { MinerKind } from './triplet';

export type TrainMethod = 'head' | 'pair-classifier';

export interface HeadSettings {
  kind: HeadKind;
  /** null: the embedding's own size (then the head starts as the identity map). */
  outputDim: number | null;
  margin: number;
  miner: MinerKind;
  identitiesPerBatch: number;
  samplesPerIdentity: number;
  steps: number;
  learningRate: number;
  seed: number;
}

export interface PairSettings {
  feature: PairFeature;
  pairsPerBatch: number;
  steps: number;
  learningRate: number;
  seed: number;
}

export type TrainRequest =
  { method: 'head'; settings: HeadSettings } | { method: 'pair-classifier'; settings: PairSettings };

/** One row per step: [step, loss, share of active triplets (head) or batch accuracy (classifier), ms]. */
export type StepRow = [number, number, number, number];

export interface TrainOutcome {
  method: TrainMethod;
  stepsDone: number;
  /** Stopped before its last step; the model as trained so far is kept. */
  stopped: boolean;
  /** Median wall time of a step. */
  msPerStep: number;
}

export interface TrainCallbacks {
  /** New step rows since the last call, in order; called at least once more before train() settles. */
  onProgress?: (rows: StepRow[]) => void;
}

export interface LabSessionOptions {
  /** The embedder that made the embeddings; trained models are tied to it. */
  modelId: string;
  /** The identities to train on. */
  train: readonly LabelledEmbedding[];
  /** Identities that training never sees, for the comparison. */
  test: readonly LabelledEmbedding[];
  /** Longest wait, ms, before new step rows are reported; default 100. 0 reports every step. */
  progressIntervalMs?: number;
}

export interface LabSession {
  readonly modelId: string;
  /** Whether a model of this method has been trained in this session. */
  has(method: TrainMethod): boolean;
  /** Trains a model on the training identities; it replaces this session's earlier one of the same method. */
  train(request: TrainRequest, callbacks?: TrainCallbacks): Promise<TrainOutcome>;
  /** Pauses the run under way after its current step; what it has done so far is reported at once. */
  pause(): void;
  resume(): void;
  /** Ends the run under way after its current step (at once when paused). */
  stop(): void;
  /** Raw cosine and every model trained so far, on all pairs of the held-out identities. */
  compare(options?: CompareOptions): Promise<LabComparison>;
  /** The trained model's weights and `metrics` as a record to store. */
  toRecord(method: TrainMethod, metrics: LabMetrics): Promise<HeadRecord | PairClassifierRecord>;
  /** Stops any run and frees the models once nothing uses them; the session is then unusable. */
  close(): void;
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

export function createLabSession(options: LabSessionOptions): LabSession {
  const { modelId } = options;
  const train = options.train.slice();
  const test = options.test.slice();
  const interval = options.progressIntervalMs ?? 100;
  const dim = embeddingDim(train);
  if (embeddingDim(test) !== dim) {
    throw new RangeError(`The held-out embeddings are ${embeddingDim(test)}-D; the training ones are ${dim}-D.`);
  }

  let head: EmbeddingHead | null = null;
  let classifier: PairClassifier | null = null;
  let control: RunControl | null = null;
  let flushPending: (() => void) | null = null;
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  const ensureOpen = () => {
    if (closed) throw new Error('This Lab session is closed; start a new one.');
  };

  /** Runs `task` after every earlier operation has settled, whatever their outcome. */
  function serial<T>(task: () => Promise<T>): Promise<T> {
    const next = queue.then(() => {
      ensureOpen();
      return task();
    });
    queue = next.catch(() => undefined);
    return next;
  }

  async function runTraining(request: TrainRequest, callbacks: TrainCallbacks): Promise<TrainOutcome> {
    const run = new RunControl();
    control = run;
    let pending: StepRow[] = [];
    let lastReport = performance.now();
    const flush = () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      lastReport = performance.now();
      callbacks.onProgress?.(rows);
    };
    flushPending = flush;
    const add = (row: StepRow) => {
      pending.push(row);
      if (performance.now() - lastReport >= interval || run.paused || run.signal.aborted) flush();
    };
    try {
      if (request.method === 'head') {
        const h = request.settings;
        const result = await trainHead(
          train,
          {
            modelId,
            kind: h.kind,
            ...(h.outputDim !== null ? { outputDim: h.outputDim } : {}),
            margin: h.margin,
            miner: h.miner,
            identitiesPerBatch: h.identitiesPerBatch,
            samplesPerIdentity: h.samplesPerIdentity,
            steps: h.steps,
            learningRate: h.learningRate,
            seed: h.seed,
          },
          { control: run, onStep: (r) => add([r.step, r.loss, r.activeTriplets, r.ms]) },
        );
        if (head !== result.model) head?.dispose();
        head = result.model;
        return summary('head', result);
      }
      const p = request.settings;
      const result = await trainPairClassifier(
        train,
        {
          modelId,
          feature: p.feature,
          pairsPerBatch: p.pairsPerBatch,
          steps: p.steps,
          learningRate: p.learningRate,
          seed: p.seed,
        },
        { control: run, onStep: (r) => add([r.step, r.loss, r.accuracy, r.ms]) },
      );
      if (classifier !== result.model) classifier?.dispose();
      classifier = result.model;
      return summary('pair-classifier', result);
    } finally {
      flush();
      if (control === run) {
        control = null;
        flushPending = null;
      }
    }
  }

  function summary(
    method: TrainMethod,
    result: { stepsDone: number; stopped: boolean; history: { ms: number }[] },
  ): TrainOutcome {
    return {
      method,
      stepsDone: result.stepsDone,
      stopped: result.stopped,
      msPerStep: median(result.history.map((r) => r.ms)),
    };
  }

  return {
    modelId,
    has: (method) => (method === 'head' ? head : classifier) !== null,
    train(request, callbacks = {}) {
      ensureOpen();
      return serial(() => runTraining(request, callbacks));
    },
    pause() {
      if (!control) return;
      control.pause();
      flushPending?.();
    },
    resume() {
      control?.resume();
    },
    stop() {
      control?.stop();
    },
    compare(compareOptions) {
      ensureOpen();
      return serial(() => compareOnHeldOut(test, { head, pairClassifier: classifier }, compareOptions));
    },
    toRecord(method, metrics) {
      ensureOpen();
      return serial(async () => {
        const model = method === 'head' ? head : classifier;
        if (!model) throw new Error(`No ${method === 'head' ? 'head' : 'pair classifier'} has been trained yet.`);
        return model.toRecord(metrics);
      });
    },
    close() {
      if (closed) return;
      control?.stop();
      closed = true;
      void queue.then(() => {
        head?.dispose();
        classifier?.dispose();
        head = null;
        classifier = null;
      });
    },
  };
}
