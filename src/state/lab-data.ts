// What the Lab trains on, as plain data: its settings, its two sources of labelled embeddings and
// the split by identity they give for the active embedder. No store and no tensors here, so the
// page can derive the same figures the store acts on.
import type { LabelledEmbedding } from '../ml/face/evaluate';
import { EMBEDDERS, type EmbedderId } from '../ml/face/embedder-specs';
import { errorMessage } from '../ml/core/errors';
import type { LabComparison, MethodEvaluation } from '../ml/siamese/compare';
import type { HeadSettings, PairSettings, StepRow, TrainMethod } from '../ml/siamese/lab-session';
import { groupByLabel, splitByIdentity } from '../ml/siamese/split';

export type { HeadSettings, PairSettings, StepRow, TrainMethod } from '../ml/siamese/lab-session';

export interface LabSettings {
  useGallery: boolean;
  useFolder: boolean;
  /** Share of identities held out for the comparison. */
  testFraction: number;
  splitSeed: number;
  method: TrainMethod;
  head: HeadSettings;
  pair: PairSettings;
}

export const DEFAULT_LAB_SETTINGS: LabSettings = {
  useGallery: true,
  useFolder: true,
  testFraction: 0.3,
  splitSeed: 1,
  method: 'head',
  // Those of src/ml/siamese/train.ts, measured on FaceRes (where α = 0.2 leaves every triplet inactive).
  head: {
    kind: 'linear',
    outputDim: null,
    margin: 0.5,
    miner: 'hardest',
    identitiesPerBatch: 8,
    samplesPerIdentity: 4,
    steps: 200,
    learningRate: 3e-3,
    seed: 1,
  },
  pair: { feature: 'abs', pairsPerBatch: 64, steps: 200, learningRate: 5e-2, seed: 1 },
};

export interface LabSource {
  samples: LabelledEmbedding[];
  /** The embedder that made the embeddings. */
  modelId: string;
}

export interface FolderSource extends LabSource {
  name: string;
  images: number;
  skipped: { file: string; reason: string }[];
}

/** Everything the page needs to say about the data before training, as plain data. */
export interface LabData {
  modelId: string;
  dim: number;
  samples: LabelledEmbedding[];
  identities: number;
  /** Identities with a single embedding: no positive pair, so left out of both sides. */
  singles: number;
  split: ReturnType<typeof splitByIdentity> | null;
  /** Why training cannot start, as a sentence a person can act on; null when it can. */
  problem: string | null;
  /** Sources left out because another embedder made them. */
  otherModel: string[];
}

export type SplitSettings = Pick<LabSettings, 'useGallery' | 'useFolder' | 'testFraction' | 'splitSeed'>;

export const modelName = (id: string) => EMBEDDERS[id as EmbedderId]?.name ?? id;

const MORE_DATA =
  'Add photos on the People page (two or more per person, with “Add photo”), or import a labelled folder with one subfolder of several photos per person.';

/** Combines the chosen sources of the active embedder and splits them by identity. */
export function prepareLabData(
  gallery: LabSource | null,
  folder: LabSource | null,
  settings: SplitSettings,
  embedderId: string,
): LabData {
  const otherModel: string[] = [];
  const parts: LabelledEmbedding[][] = [];
  for (const [source, use, prefix, what] of [
    [gallery, settings.useGallery, 'gallery:', 'the gallery'],
    [folder, settings.useFolder, 'folder:', 'the imported folder'],
  ] as const) {
    if (!source || !use || source.samples.length === 0) continue;
    if (source.modelId !== embedderId) {
      otherModel.push(`${what} (${modelName(source.modelId)})`);
      continue;
    }
    // Prefixes keep a gallery identity and a folder subfolder of the same name apart.
    parts.push(source.samples.map((s) => ({ label: prefix + s.label, embedding: s.embedding })));
  }
  const samples = parts.flat();
  const { groups } = groupByLabel(samples);
  const singles = groups.filter((g) => g.length === 1).length;
  const eligible = groups.length - singles;
  const base = {
    modelId: embedderId,
    dim: samples[0]?.embedding.length ?? 0,
    samples,
    identities: groups.length,
    singles,
    otherModel,
  };
  let problem: string | null = null;
  if (samples.length === 0) {
    problem = `There are no labelled ${modelName(embedderId)} embeddings to train on yet. ${MORE_DATA}`;
  } else if (eligible < 4) {
    problem =
      `Training and a fair test need at least 4 people with two or more photos each (at least 2 to train on ` +
      `and 2 held out); there ${eligible === 1 ? 'is' : 'are'} ${eligible}` +
      `${singles ? `, and ${singles} with a single photo, which triplets cannot use` : ''}. ${MORE_DATA}`;
  }
  if (problem) return { ...base, split: null, problem };
  try {
    const split = splitByIdentity(samples, { testFraction: settings.testFraction, seed: settings.splitSeed });
    return { ...base, split, problem: null };
  } catch (e) {
    return { ...base, split: null, problem: errorMessage(e) };
  }
}

/** Identifies a split: models trained on one are only fairly compared on its own held-out people. */
export function splitKey(modelId: string, split: NonNullable<LabData['split']>): string {
  return `${modelId}|${split.trainIdentities.slice().sort().join(',')}|${split.testIdentities.slice().sort().join(',')}|${split.train.length}|${split.test.length}`;
}

export function describeHead(h: HeadSettings, inputDim: number): string {
  const out = h.outputDim ?? inputDim;
  return `${h.kind === 'mlp' ? 'MLP' : 'Linear'} head ${inputDim}→${out}, ${h.miner} triplets, α ${h.margin}`;
}

export function describePair(p: PairSettings): string {
  return `Pair classifier, ${p.feature === 'abs' ? '|a−b|' : 'χ²'} features`;
}

/**
 * The run's step rows in the batches they arrived in. A batch is appended as it is, so a long run
 * never copies the rows it already has, and what the status line shows is kept up to date here.
 */
export interface StepLog {
  batches: readonly (readonly StepRow[])[];
  steps: number;
  first: StepRow | null;
  last: StepRow | null;
  /** Every row's share is 0: for a head, no triplet was ever active and nothing was learned. */
  allShareZero: boolean;
}

export const EMPTY_LOG: StepLog = { batches: [], steps: 0, first: null, last: null, allShareZero: true };

export function appendSteps(log: StepLog, rows: readonly StepRow[]): StepLog {
  if (rows.length === 0) return log;
  return {
    batches: [...log.batches, rows],
    steps: log.steps + rows.length,
    first: log.first ?? (rows[0] as StepRow),
    last: rows[rows.length - 1] as StepRow,
    allShareZero: log.allShareZero && rows.every((r) => r[2] === 0),
  };
}

/** The held-out figures a saved model keeps beside its weights (and gallery.ts reads its threshold from). */
export function heldOutMetrics(
  comparison: LabComparison,
  evaluation: MethodEvaluation,
  cosine: MethodEvaluation,
  split: { trainIdentities: number; trainSamples: number },
  steps: number,
): Record<string, number> {
  return {
    threshold: evaluation.threshold_at_eer,
    eer: evaluation.eer,
    auc: evaluation.auc,
    tar_at_far_1e3: evaluation.tar_at_far_1e3,
    cosine_eer: cosine.eer,
    cosine_auc: cosine.auc,
    cosine_tar_at_far_1e3: cosine.tar_at_far_1e3,
    cosine_threshold: cosine.threshold_at_eer,
    test_identities: comparison.identities,
    genuine_pairs: comparison.genuine_pairs,
    impostor_pairs: comparison.impostor_pairs,
    train_identities: split.trainIdentities,
    train_samples: split.trainSamples,
    steps,
  };
}
