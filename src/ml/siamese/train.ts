// Training loops for the Lab, framework-free: Adam on the head's (or classifier's) variables, the
// embeddings frozen and uploaded once. Between steps the loop yields to the event loop, so a tab
// keeps painting and answering clicks, and checks for pause and stop. Stopping is not an error:
// the model as trained so far is returned, with `stopped: true`.
//
// Each step reads back only what it must: the batch's distance matrix for mining (n² numbers,
// skipped by the random miner) and the per-triplet losses (or the pairs' logits) for the report.
// Every tensor of a step is released before the next, so the tensor count is flat after the
// first step (which creates Adam's moment variables).
import * as tf from '@tensorflow/tfjs';
import type { LabelledEmbedding } from '../face/evaluate';
import { EmbeddingHead, type HeadInit, type HeadKind } from './head';
import { balancedPairs, logisticLosses, PairClassifier, sigmoid, type PairFeature } from './pair-classifier';
import { seededRandom } from '../core/random';
import { embeddingDim, groupByLabel } from './split';
import {
  identityBatch,
  mineTriplets,
  pairwiseSquaredDistances,
  summariseTripletLosses,
  tripletLosses,
  type MinerKind,
} from './triplet';

import { RunControl, yieldToEventLoop } from '../runtime/run-control';

/** The Lab's name for the shared run control (src/ml/runtime/run-control.ts). */
export { RunControl as TrainingControl, yieldToEventLoop };
type TrainingControl = RunControl;

export interface StepReport {
  /** 1-based. */
  step: number;
  steps: number;
  /** Mean loss of the batch, measured before this step's update. */
  loss: number;
  /** Wall time of the step, reads included, yields excluded. */
  ms: number;
}

export interface HeadStepReport extends StepReport {
  /** Sum of the triplet losses of the batch. */
  lossSum: number;
  triplets: number;
  /** Share of triplets with a loss > 0. */
  activeTriplets: number;
  /** semi-hard miner: triplets whose negative was a fallback (empty band). */
  fallbacks: number;
}

export interface PairStepReport extends StepReport {
  pairs: number;
  /** Share of the batch's pairs on the right side of probability 0.5. */
  accuracy: number;
}

export interface TrainCallbacks<S extends StepReport> {
  onStep?: (report: S) => void | Promise<void>;
  /** Stops the run between steps. */
  signal?: AbortSignal;
  /** Pause/resume and stop; its signal is honoured like `signal`. */
  control?: TrainingControl;
}

export interface TrainResult<M, S extends StepReport> {
  model: M;
  stepsDone: number;
  stopped: boolean;
  history: S[];
}

interface CommonOptions {
  /** Default 300. */
  steps?: number;
  /** Adam's step size; default 3e-3 for a head, 5e-2 for a pair classifier. */
  learningRate?: number;
  /** Seeds batches and initial weights; default 1. */
  seed?: number;
}

export interface TrainHeadOptions extends CommonOptions {
  /** The embedder the data came from; defaults to `head.modelId` when continuing a head. */
  modelId?: string;
  /** Default 'linear'. */
  kind?: HeadKind;
  outputDim?: number;
  hiddenDim?: number;
  init?: HeadInit;
  /** Continue training this head instead of creating one; it is updated in place, never disposed. */
  head?: EmbeddingHead;
  /** P: identities per batch; default 8. */
  identitiesPerBatch?: number;
  /** K: samples per identity; default 4. */
  samplesPerIdentity?: number;
  /**
   * α, in squared-distance units (unit vectors are 0..4 apart); default 0.5. FaceNet's 0.2 is
   * met by every triplet of FaceRes embeddings of the packaged face set before training starts,
   * so nothing would be learned.
   */
  margin?: number;
  /** Default 'hardest', which did best on MobileFaceNet embeddings and on synthetic data. */
  miner?: MinerKind;
}

export interface TrainPairOptions extends CommonOptions {
  /** The embedder the data came from; defaults to `classifier.modelId` when continuing one. */
  modelId?: string;
  /** Default 'abs'. */
  feature?: PairFeature;
  /** Continue training this classifier; it is updated in place, never disposed. */
  classifier?: PairClassifier;
  /** Pairs per batch, half genuine and half impostor; default 64. */
  pairsPerBatch?: number;
}

function wholeAtLeast(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be a whole number >= ${min}; got ${v}.`);
  return v;
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number; got ${v}.`);
  return v;
}

function uploadEmbeddings(data: readonly LabelledEmbedding[], dim: number): tf.Tensor2D {
  const flat = new Float32Array(data.length * dim);
  data.forEach((s, i) => flat.set(s.embedding, i * dim));
  return tf.tensor2d(flat, [data.length, dim]);
}

/**
 * The shared loop: yield, honour pause/stop, time and report each step. `step` does one update
 * and returns its report without `step`, `steps` and `ms`.
 */
async function runSteps<S extends StepReport>(
  steps: number,
  callbacks: TrainCallbacks<S>,
  step: () => Promise<Omit<S, 'step' | 'steps' | 'ms'>>,
): Promise<{ stepsDone: number; stopped: boolean; history: S[] }> {
  const { control, signal, onStep } = callbacks;
  const stopped = () => !!signal?.aborted || !!control?.signal.aborted;
  const history: S[] = [];
  for (let i = 0; i < steps; i++) {
    await yieldToEventLoop();
    if (control) await control.whenRunning(signal);
    if (stopped()) return { stepsDone: i, stopped: true, history };
    const t0 = performance.now();
    const partial = await step();
    const report = { ...partial, step: i + 1, steps, ms: performance.now() - t0 } as S;
    history.push(report);
    await onStep?.(report);
  }
  return { stepsDone: steps, stopped: false, history };
}

/** Trains an adaptation head with the triplet loss on frozen, labelled embeddings. */
export async function trainHead(
  data: readonly LabelledEmbedding[],
  options: TrainHeadOptions = {},
  callbacks: TrainCallbacks<HeadStepReport> = {},
): Promise<TrainResult<EmbeddingHead, HeadStepReport>> {
  const steps = wholeAtLeast('steps', options.steps ?? 300, 0);
  const learningRate = positive('learningRate', options.learningRate ?? 3e-3);
  const P = wholeAtLeast('identitiesPerBatch', options.identitiesPerBatch ?? 8, 2);
  const K = wholeAtLeast('samplesPerIdentity', options.samplesPerIdentity ?? 4, 2);
  const margin = options.margin ?? 0.5;
  if (!(margin >= 0) || !Number.isFinite(margin)) throw new RangeError(`The margin must be >= 0; got ${margin}.`);
  const miner = options.miner ?? 'hardest';
  const seed = options.seed ?? 1;

  const dim = embeddingDim(data);
  const { groups } = groupByLabel(data);
  const random = seededRandom(seed);
  identityBatch(groups, P, K, seededRandom(seed)); // fails early, with its message, on unusable data

  const modelId = options.modelId ?? options.head?.modelId;
  if (!modelId) throw new Error('Say which embedder the embeddings came from (modelId).');
  const head =
    options.head ??
    EmbeddingHead.create({
      kind: options.kind ?? 'linear',
      modelId,
      inputDim: dim,
      ...(options.outputDim !== undefined ? { outputDim: options.outputDim } : {}),
      ...(options.hiddenDim !== undefined ? { hiddenDim: options.hiddenDim } : {}),
      ...(options.init !== undefined ? { init: options.init } : {}),
      seed,
    });
  if (head.inputDim !== dim) {
    throw new RangeError(`The head takes ${head.inputDim}-D embeddings; the data are ${dim}-D.`);
  }
  if (head.modelId !== modelId) {
    throw new RangeError(`The head was made for ${head.modelId} embeddings, not ${modelId}.`);
  }

  const all = uploadEmbeddings(data, dim);
  const optimizer = tf.train.adam(learningRate);
  try {
    const run = await runSteps<HeadStepReport>(steps, callbacks, async () => {
      const { indices, labels } = identityBatch(groups, P, K, random);
      const index = tf.tensor1d(Int32Array.from(indices), 'int32');
      try {
        let distances: Float32Array | null = null;
        if (miner !== 'random') {
          const d = tf.tidy(() => pairwiseSquaredDistances(head.apply(tf.gather(all, index))));
          distances = (await d.data()) as Float32Array;
          d.dispose();
        }
        const mined = mineTriplets(miner, distances, labels, { margin, random });
        const kept: { losses?: tf.Tensor1D } = {};
        optimizer.minimize(
          () => {
            const losses = tripletLosses(head.apply(tf.gather(all, index)), mined.triplets, margin);
            kept.losses = tf.keep(losses);
            // The mean, not FaceNet's sum: its scale does not depend on how many triplets were mined.
            return tf.mean(losses);
          },
          false,
          head.variables,
        );
        const losses = kept.losses as tf.Tensor1D;
        const summary = summariseTripletLosses(await losses.data());
        losses.dispose();
        return {
          loss: summary.mean,
          lossSum: summary.sum,
          triplets: summary.triplets,
          activeTriplets: summary.activeFraction,
          fallbacks: mined.fallbacks,
        };
      } finally {
        index.dispose();
      }
    });
    return { model: head, ...run };
  } catch (e) {
    if (!options.head) head.dispose();
    throw e;
  } finally {
    optimizer.dispose();
    all.dispose();
  }
}

/** Trains a pair classifier with the logistic loss on balanced genuine/impostor pairs. */
export async function trainPairClassifier(
  data: readonly LabelledEmbedding[],
  options: TrainPairOptions = {},
  callbacks: TrainCallbacks<PairStepReport> = {},
): Promise<TrainResult<PairClassifier, PairStepReport>> {
  const steps = wholeAtLeast('steps', options.steps ?? 300, 0);
  const learningRate = positive('learningRate', options.learningRate ?? 5e-2);
  const batch = wholeAtLeast('pairsPerBatch', options.pairsPerBatch ?? 64, 2);
  const seed = options.seed ?? 1;

  const dim = embeddingDim(data);
  const { groups } = groupByLabel(data);
  const random = seededRandom(seed);
  balancedPairs(groups, 2, seededRandom(seed)); // fails early, with its message, on unusable data

  const modelId = options.modelId ?? options.classifier?.modelId;
  if (!modelId) throw new Error('Say which embedder the embeddings came from (modelId).');
  const classifier =
    options.classifier ?? PairClassifier.create({ feature: options.feature ?? 'abs', modelId, inputDim: dim });
  if (classifier.inputDim !== dim) {
    throw new RangeError(`The pair classifier takes ${classifier.inputDim}-D embeddings; the data are ${dim}-D.`);
  }
  if (classifier.modelId !== modelId) {
    throw new RangeError(`The pair classifier was made for ${classifier.modelId} embeddings, not ${modelId}.`);
  }

  const all = uploadEmbeddings(data, dim);
  const optimizer = tf.train.adam(learningRate);
  try {
    const run = await runSteps<PairStepReport>(steps, callbacks, async () => {
      const { first, second, targets } = balancedPairs(groups, batch, random);
      const kept: { logits?: tf.Tensor1D } = {};
      optimizer.minimize(
        () => {
          const logits = classifier.logits(
            tf.gather(all, tf.tensor1d(Int32Array.from(first), 'int32')),
            tf.gather(all, tf.tensor1d(Int32Array.from(second), 'int32')),
          );
          kept.logits = tf.keep(logits);
          const y = tf.tensor1d(Float32Array.from(targets));
          return tf.mean(logisticLosses(logits, y));
        },
        false,
        classifier.variables,
      );
      const logitsTensor = kept.logits as tf.Tensor1D;
      const logits = await logitsTensor.data();
      logitsTensor.dispose();
      let loss = 0;
      let correct = 0;
      for (let i = 0; i < logits.length; i++) {
        const z = logits[i] as number;
        const y = targets[i] as number;
        // softplus(z) − y·z, in a form that stays finite for large |z|.
        loss += Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
        if (sigmoid(z) >= 0.5 === (y === 1)) correct++;
      }
      return { loss: loss / logits.length, pairs: logits.length, accuracy: correct / logits.length };
    });
    return { model: classifier, ...run };
  } catch (e) {
    if (!options.classifier) classifier.dispose();
    throw e;
  } finally {
    optimizer.dispose();
    all.dispose();
  }
}
