import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabelledEmbedding } from '../face/evaluate';
import { compareOnHeldOut, type LabComparison, type MethodEvaluation } from './compare';
import { EmbeddingHead } from './head';
import { splitByIdentity } from './split';
import { syntheticEmbeddings } from './synthetic';
import { trainHead, trainPairClassifier, TrainingControl, type StepReport } from './train';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const small = syntheticEmbeddings({ identities: 6, perIdentity: 4, dim: 8, seed: 2 });
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const method = (c: LabComparison, m: MethodEvaluation['method']) => c.methods.find((x) => x.method === m)!;

describe('training on synthetic data where raw cosine is mediocre', () => {
  // Identity in 6 of 32 dimensions, large nuisance variance in the rest; 20 identities to train
  // on, 20 others held out. Raw cosine: EER ≈ 23 % here; cosine on the 6 identity dimensions
  // alone: ≈ 1 %.
  const data = syntheticEmbeddings({ identities: 40, perIdentity: 6, dim: 32, seed: 3 });
  const split = splitByIdentity(data, { testFraction: 0.5, seed: 2 });

  it('a linear head lowers the triplet loss and beats raw cosine on held-out identities', async () => {
    const { model, history, stepsDone } = await trainHead(split.train, {
      modelId: 'synthetic',
      steps: 100,
      learningRate: 0.03,
      miner: 'hardest',
      margin: 0.5,
    });
    expect(stepsDone).toBe(100);
    const lossAt = (from: number) => mean(history.slice(from, from + 10).map((s) => s.loss));
    expect(lossAt(90)).toBeLessThan(0.5 * lossAt(0));
    const result = await compareOnHeldOut(split.test, { head: model });
    const cosine = method(result, 'cosine');
    const head = method(result, 'head');
    expect(cosine.eer).toBeGreaterThan(0.15);
    expect(head.eer).toBeLessThan(cosine.eer - 0.08);
    expect(head.auc).toBeGreaterThan(cosine.auc + 0.05);
    model.dispose();
  });

  it('a pair classifier lowers the logistic loss and beats raw cosine on held-out identities', async () => {
    const { model, history } = await trainPairClassifier(split.train, {
      modelId: 'synthetic',
      steps: 100,
      learningRate: 0.05,
    });
    const lossAt = (from: number) => mean(history.slice(from, from + 10).map((s) => s.loss));
    expect(lossAt(90)).toBeLessThan(0.5 * lossAt(0));
    expect(mean(history.slice(90).map((s) => s.accuracy))).toBeGreaterThan(0.8);
    const result = await compareOnHeldOut(split.test, { pairClassifier: model });
    const cosine = method(result, 'cosine');
    const classifier = method(result, 'pair-classifier');
    expect(classifier.eer).toBeLessThan(cosine.eer - 0.08);
    expect(classifier.auc).toBeGreaterThan(cosine.auc + 0.05);
    model.dispose();
  });
});

describe('trainHead and trainPairClassifier', () => {
  async function tensorCounts(run: (onStep: (s: StepReport) => void) => Promise<{ model: { dispose(): void } }>) {
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { model } = await run(() => counts.push(tf.memory().numTensors));
    model.dispose();
    return { before, counts, after: tf.memory().numTensors };
  }

  it('keep the tensor count flat across steps and release everything', async () => {
    for (const miner of ['random', 'semi-hard', 'hardest'] as const) {
      for (const kind of ['linear', 'mlp'] as const) {
        const { before, counts, after } = await tensorCounts((onStep) =>
          trainHead(
            small,
            { modelId: 'syn', kind, miner, steps: 4, identitiesPerBatch: 3, samplesPerIdentity: 3 },
            { onStep },
          ),
        );
        expect(new Set(counts).size).toBe(1);
        expect(after).toBe(before);
      }
    }
    for (const feature of ['abs', 'chi2'] as const) {
      const { before, counts, after } = await tensorCounts((onStep) =>
        trainPairClassifier(small, { modelId: 'syn', feature, steps: 4, pairsPerBatch: 8 }, { onStep }),
      );
      expect(new Set(counts).size).toBe(1);
      expect(after).toBe(before);
    }
  });

  it('report each step: loss, triplets, the active share and time', async () => {
    const { history } = await trainHead(small, {
      modelId: 'syn',
      miner: 'semi-hard',
      steps: 3,
      identitiesPerBatch: 3,
      samplesPerIdentity: 2,
    });
    expect(history.map((s) => [s.step, s.steps])).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
    for (const s of history) {
      // semi-hard: one triplet per ordered positive pair: 3 identities × 2 × 1.
      expect(s.triplets).toBe(6);
      expect(s.lossSum).toBeCloseTo(s.loss * s.triplets, 5);
      expect(s.activeTriplets).toBeGreaterThanOrEqual(0);
      expect(s.activeTriplets).toBeLessThanOrEqual(1);
      expect(s.ms).toBeGreaterThan(0);
    }
    const pairs = await trainPairClassifier(small, { modelId: 'syn', steps: 1, pairsPerBatch: 10 });
    expect(pairs.history[0]).toMatchObject({ step: 1, steps: 1, pairs: 10 });
    pairs.model.dispose();
  });

  it('stop on an abort signal between steps and return the model trained so far', async () => {
    const abort = new AbortController();
    const result = await trainHead(
      small,
      { modelId: 'syn', steps: 50 },
      { signal: abort.signal, onStep: (s) => (s.step === 3 ? abort.abort() : undefined) },
    );
    expect(result).toMatchObject({ stepsDone: 3, stopped: true });
    expect(result.history).toHaveLength(3);
    expect((await result.model.applyToVector(small[0]!.embedding)).length).toBe(8);
    result.model.dispose();
  });

  it('pause and resume through a TrainingControl, and yield to the event loop between steps', async () => {
    const control = new TrainingControl();
    let timerFired = false;
    setTimeout(() => (timerFired = true), 0);
    let firedBeforeStep2 = false;
    const running = trainPairClassifier(
      small,
      { modelId: 'syn', steps: 6, pairsPerBatch: 8 },
      {
        control,
        onStep: (s) => {
          if (s.step === 2) {
            firedBeforeStep2 = timerFired;
            control.pause();
          }
        },
      },
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(control.paused).toBe(true);
    expect(firedBeforeStep2).toBe(true);
    control.resume();
    const result = await running;
    expect(result).toMatchObject({ stepsDone: 6, stopped: false });
    result.model.dispose();

    // A paused run that is stopped ends at once.
    const stopper = new TrainingControl();
    const paused = trainHead(small, { modelId: 'syn', steps: 6 }, { control: stopper, onStep: () => stopper.pause() });
    await new Promise((r) => setTimeout(r, 20));
    stopper.stop();
    const stopped = await paused;
    expect(stopped).toMatchObject({ stepsDone: 1, stopped: true });
    stopped.model.dispose();

    // So does one paused through its control and stopped through its signal.
    const both = new TrainingControl();
    const abort = new AbortController();
    const pausedToo = trainHead(
      small,
      { modelId: 'syn', steps: 6 },
      { control: both, signal: abort.signal, onStep: () => both.pause() },
    );
    await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    const stoppedToo = await pausedToo;
    expect(stoppedToo).toMatchObject({ stepsDone: 1, stopped: true });
    stoppedToo.model.dispose();
  });

  it('continue training a given head in place, without disposing it', async () => {
    const head = EmbeddingHead.create({ kind: 'linear', modelId: 'syn', inputDim: 8 });
    const before = (await head.toRecord()).weights[0]!;
    const { model } = await trainHead(small, { head, steps: 3, miner: 'hardest', learningRate: 0.05 });
    expect(model).toBe(head);
    expect((await head.toRecord()).weights[0]).not.toEqual(before);
    head.dispose();
  });

  it('say what is wrong with unusable data or options', async () => {
    const one: LabelledEmbedding[] = small.filter((s) => s.label === 'id0');
    await expect(trainHead(one, { modelId: 'syn' })).rejects.toThrow(/at least two identities/);
    await expect(trainPairClassifier(one, { modelId: 'syn' })).rejects.toThrow(/two identities/);
    await expect(trainHead(small, {})).rejects.toThrow(/modelId/);
    await expect(trainHead(small, { modelId: 'syn', steps: -1 })).rejects.toThrow(/steps/);
    await expect(trainHead(small, { modelId: 'syn', identitiesPerBatch: 1 })).rejects.toThrow(/identitiesPerBatch/);
    const head = EmbeddingHead.create({ kind: 'linear', modelId: 'faceres', inputDim: 8 });
    await expect(trainHead(small, { modelId: 'syn', head })).rejects.toThrow(/made for faceres/);
    head.dispose();
    const wide = EmbeddingHead.create({ kind: 'linear', modelId: 'syn', inputDim: 9 });
    await expect(trainHead(small, { head: wide })).rejects.toThrow(/9-D/);
    wide.dispose();
  });
});
