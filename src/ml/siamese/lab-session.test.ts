import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LabComparison } from './compare';
import { createLabSession, type HeadSettings, type PairSettings, type StepRow } from './lab-session';
import { splitByIdentity } from './split';
import { syntheticEmbeddings } from './synthetic';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const HEAD: HeadSettings = {
  kind: 'linear',
  outputDim: null,
  margin: 0.5,
  miner: 'hardest',
  identitiesPerBatch: 4,
  samplesPerIdentity: 3,
  steps: 6,
  learningRate: 0.03,
  seed: 1,
};
const PAIR: PairSettings = { feature: 'abs', pairsPerBatch: 16, steps: 6, learningRate: 0.05, seed: 1 };

const small = splitByIdentity(syntheticEmbeddings({ identities: 8, perIdentity: 4, dim: 8, seed: 2 }), {
  testFraction: 0.5,
  seed: 1,
});
const session = (progressIntervalMs = 0) =>
  createLabSession({ modelId: 'syn', train: small.train, test: small.test, progressIntervalMs });
const eer = (c: LabComparison, m: string) => c.methods.find((x) => x.method === m)?.eer;

describe('createLabSession', () => {
  it('trains a head and a pair classifier that beat raw cosine on held-out identities', async () => {
    const data = syntheticEmbeddings({ identities: 40, perIdentity: 6, dim: 32, seed: 3 });
    const split = splitByIdentity(data, { testFraction: 0.5, seed: 2 });
    const lab = createLabSession({ modelId: 'syn', train: split.train, test: split.test });
    const rows: StepRow[] = [];
    const head = await lab.train(
      { method: 'head', settings: { ...HEAD, identitiesPerBatch: 8, samplesPerIdentity: 4, steps: 100 } },
      { onProgress: (batch) => rows.push(...batch) },
    );
    expect(head).toMatchObject({ method: 'head', stepsDone: 100, stopped: false });
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const mean = (xs: StepRow[]) => xs.reduce((a, r) => a + r[1], 0) / xs.length;
    expect(mean(rows.slice(90))).toBeLessThan(0.5 * mean(rows.slice(0, 10)));
    await lab.train({ method: 'pair-classifier', settings: { ...PAIR, pairsPerBatch: 64, steps: 100 } });

    const comparison = await lab.compare();
    expect(comparison.methods.map((m) => m.method)).toEqual(['cosine', 'head', 'pair-classifier']);
    expect(eer(comparison, 'head')!).toBeLessThan(eer(comparison, 'cosine')! - 0.08);
    expect(eer(comparison, 'pair-classifier')!).toBeLessThan(eer(comparison, 'cosine')! - 0.08);
    lab.close();
  });

  it('reports step rows in batches on its time budget, all of them before train() settles', async () => {
    const each: StepRow[][] = [];
    const everyStep = session(0);
    await everyStep.train({ method: 'head', settings: HEAD }, { onProgress: (rows) => each.push(rows) });
    expect(each.map((b) => b.length)).toEqual([1, 1, 1, 1, 1, 1]);
    everyStep.close();

    const batches: StepRow[][] = [];
    const onceAtEnd = session(Infinity);
    await onceAtEnd.train({ method: 'pair-classifier', settings: PAIR }, { onProgress: (rows) => batches.push(rows) });
    expect(batches).toHaveLength(1);
    expect(batches[0]!.map((r) => r[0])).toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches[0]!.every((r) => r[2] >= 0 && r[2] <= 1 && r[3] >= 0)).toBe(true);
    onceAtEnd.close();
  });

  it('pauses with what it has done reported, and stops keeping the model trained so far', async () => {
    const lab = session(Infinity);
    const seen: number[] = [];
    const run = lab.train(
      { method: 'head', settings: { ...HEAD, steps: 500 } },
      { onProgress: (rows) => seen.push(...rows.map((r) => r[0])) },
    );
    await new Promise((r) => setTimeout(r, 30));
    lab.pause();
    // Paused after some steps: they are reported at once, not when the run ends.
    await new Promise((r) => setTimeout(r, 20));
    const reportedWhilePaused = seen.length;
    expect(reportedWhilePaused).toBeGreaterThan(0);
    // Stopping a paused run ends it at once, without a resume.
    lab.stop();
    const outcome = await run;
    expect(outcome.stopped).toBe(true);
    expect(outcome.stepsDone).toBeLessThan(500);
    expect(seen).toEqual(Array.from({ length: outcome.stepsDone }, (_, i) => i + 1));
    expect(outcome.stepsDone - reportedWhilePaused).toBeLessThanOrEqual(1);
    expect(lab.has('head')).toBe(true);
    expect((await lab.compare()).methods.map((m) => m.method)).toEqual(['cosine', 'head']);
    lab.close();
  });

  it('resumes a paused run to the end', async () => {
    const lab = session(0);
    let count = 0;
    const run = lab.train(
      { method: 'pair-classifier', settings: { ...PAIR, steps: 8 } },
      {
        onProgress: () => {
          if (++count !== 3) return;
          lab.pause();
          setTimeout(() => lab.resume(), 20);
        },
      },
    );
    expect(await run).toMatchObject({ stepsDone: 8, stopped: false });
    lab.close();
  });

  it('keeps the tensor count flat across steps and runs, and frees everything on close', async () => {
    const before = tf.memory().numTensors;
    const lab = session(0);
    const counts: number[] = [];
    const onProgress = () => void counts.push(tf.memory().numTensors);
    await lab.train({ method: 'head', settings: { ...HEAD, kind: 'mlp', steps: 5 } }, { onProgress });
    expect(new Set(counts.slice(1)).size).toBe(1);
    const afterHead = tf.memory().numTensors;
    // A second head replaces the first: no more tensors than one head's.
    await lab.train({ method: 'head', settings: { ...HEAD, kind: 'mlp', steps: 5 } });
    expect(tf.memory().numTensors).toBe(afterHead);
    counts.length = 0;
    await lab.train({ method: 'pair-classifier', settings: PAIR }, { onProgress });
    expect(new Set(counts.slice(1)).size).toBe(1);
    const trained = tf.memory().numTensors;
    await lab.compare();
    const record = await lab.toRecord('head', { eer: 0.1 });
    expect(record).toMatchObject({ role: 'head', modelId: 'syn', metrics: { eer: 0.1 } });
    expect(tf.memory().numTensors).toBe(trained);
    lab.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the earlier model when a run fails, and says what is missing', async () => {
    const lab = session();
    await expect(lab.toRecord('head', {})).rejects.toThrow(/No head has been trained/);
    await lab.train({ method: 'head', settings: HEAD });
    const tensors = tf.memory().numTensors;
    await expect(lab.train({ method: 'head', settings: { ...HEAD, learningRate: 0 } })).rejects.toThrow(
      /learningRate must be a positive number/,
    );
    expect(tf.memory().numTensors).toBe(tensors);
    expect(lab.has('head')).toBe(true);
    expect(lab.has('pair-classifier')).toBe(false);
    lab.close();
  });

  it('close stops the run under way, frees its model after it ends, and refuses new work', async () => {
    const before = tf.memory().numTensors;
    const lab = session(0);
    let closedAt = 0;
    const run = lab.train(
      { method: 'head', settings: { ...HEAD, steps: 100 } },
      {
        onProgress: (rows) => {
          if (!closedAt) {
            closedAt = rows[0]![0];
            lab.close();
          }
        },
      },
    );
    const outcome = await run;
    expect(outcome.stopped).toBe(true);
    expect(outcome.stepsDone).toBe(closedAt);
    expect(() => lab.compare()).toThrow(/closed/);
    await new Promise((r) => setTimeout(r, 0));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses held-out embeddings of another size', () => {
    const other = syntheticEmbeddings({ identities: 2, perIdentity: 2, dim: 4, signalDims: 2 });
    expect(() => createLabSession({ modelId: 'syn', train: small.train, test: other })).toThrow(/4-D/);
  });
});
