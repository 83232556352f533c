// The Siamese Lab: labelled embeddings from the gallery and from imported folders, a split by
// identity, one training run at a time (a triplet-loss head or a pair classifier on the frozen
// embeddings), the before/after comparison on the held-out identities, and the saved models, one
// of which Unlock and Identify may adopt (see `match` in gallery.ts). The maths is in src/ml/siamese.
import { create } from 'zustand';
import { persist } from 'zustand/middleware';
import { GalleryError } from '../db';
import { studio, type StoredModel } from '../db/studio';
import type { LabelledEmbedding } from '../ml/face/evaluate';
import { EMBEDDERS, type EmbedderId } from '../ml/face/embedder-specs';
import { compareOnHeldOut, type LabComparison, type LabMethod } from '../ml/siamese/compare';
import type { EmbeddingHead, HeadKind } from '../ml/siamese/head';
import type { PairClassifier, PairFeature } from '../ml/siamese/pair-classifier';
import { groupByLabel, labelledFromGroups, labelledFromPackedTemplates, splitByIdentity } from '../ml/siamese/split';
import { trainHead, trainPairClassifier, TrainingControl } from '../ml/siamese/train';
import type { MinerKind } from '../ml/siamese/triplet';
import { embedLabelledFolder } from './evaluate';
import { useFaces } from './faces';
import { useGallery } from './gallery';
import { useSettings } from './settings';
import { errorMessage } from '../ml/core/errors';

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

export type TrainStatus = 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

/** One row per step: [step, loss, share of active triplets (head) or batch accuracy (classifier), ms]. */
export type StepRow = [number, number, number, number];

export interface TrainedInfo {
  method: TrainMethod;
  modelId: string;
  /** A short description, the default name when saving. */
  label: string;
  stepsDone: number;
  stopped: boolean;
  msPerStep: number;
  /** What was trained with, kept in the saved record. */
  settings: HeadSettings | PairSettings;
}

/** The split the trained models rest on: the comparison is only fair on identities not trained on. */
export interface FrozenSplit {
  key: string;
  modelId: string;
  trainIdentities: number;
  trainSamples: number;
  testIdentities: number;
  test: LabelledEmbedding[];
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

const modelName = (id: string) => EMBEDDERS[id as EmbedderId]?.name ?? id;

const MORE_DATA =
  'Add photos on the People page (two or more per person, with “Add photo”), or import a labelled folder with one subfolder of several photos per person.';

/** Combines the chosen sources of the active embedder and splits them by identity. */
export function prepareLabData(
  gallery: LabSource | null,
  folder: LabSource | null,
  settings: Pick<LabSettings, 'useGallery' | 'useFolder' | 'testFraction' | 'splitSeed'>,
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

function splitKey(modelId: string, split: NonNullable<LabData['split']>): string {
  return `${modelId}|${split.trainIdentities.slice().sort().join(',')}|${split.testIdentities.slice().sort().join(',')}|${split.train.length}|${split.test.length}`;
}

interface LabState {
  settings: LabSettings;
  gallery: { status: 'idle' | 'loading' | 'ready' | 'error'; source: LabSource | null; error: string | null };
  folder: FolderSource | null;
  importing: { done: number; total: number } | null;
  importError: string | null;

  status: TrainStatus;
  error: string | null;
  runMethod: TrainMethod | null;
  rows: StepRow[];
  trained: { head: TrainedInfo | null; pair: TrainedInfo | null };
  split: FrozenSplit | null;
  comparison: LabComparison | null;
  comparing: boolean;

  saved: StoredModel[];
  savedMessage: string | null;

  setSettings(patch: Partial<Omit<LabSettings, 'head' | 'pair'>>): void;
  setHead(patch: Partial<HeadSettings>): void;
  setPair(patch: Partial<PairSettings>): void;
  resetSettings(): void;
  /** Reads the active embedder's templates from the gallery, labelled by identity. */
  loadGallery(): Promise<void>;
  importFolder(files: File[]): Promise<void>;
  clearFolder(): void;
  /** The data the chosen sources give now, for the active embedder. */
  data(): LabData;
  start(): Promise<void>;
  pause(): void;
  resume(): void;
  stop(): void;
  /** Saves the trained head or classifier with its held-out figures; resolves to its id. */
  save(method: TrainMethod, name: string): Promise<string | null>;
  loadSaved(): Promise<void>;
  adopt(id: string): void;
  rollBack(): void;
  deleteSaved(id: string): Promise<void>;
}

// The trained models own tensors, so they live here rather than in the (copied) state.
let head: EmbeddingHead | null = null;
let classifier: PairClassifier | null = null;
let control: TrainingControl | null = null;

function replaceHead(next: EmbeddingHead | null): void {
  if (head !== next) head?.dispose();
  head = next;
}

function replaceClassifier(next: PairClassifier | null): void {
  if (classifier !== next) classifier?.dispose();
  classifier = next;
}

function describeHead(h: HeadSettings, inputDim: number): string {
  const out = h.outputDim ?? inputDim;
  return `${h.kind === 'mlp' ? 'MLP' : 'Linear'} head ${inputDim}→${out}, ${h.miner} triplets, α ${h.margin}`;
}

function describePair(p: PairSettings): string {
  return `Pair classifier, ${p.feature === 'abs' ? '|a−b|' : 'χ²'} features`;
}

export const useLab = create<LabState>()(
  persist(
    (set, get) => ({
      settings: DEFAULT_LAB_SETTINGS,
      gallery: { status: 'idle', source: null, error: null },
      folder: null,
      importing: null,
      importError: null,
      status: 'idle',
      error: null,
      runMethod: null,
      rows: [],
      trained: { head: null, pair: null },
      split: null,
      comparison: null,
      comparing: false,
      saved: [],
      savedMessage: null,

      setSettings(patch) {
        set({ settings: { ...get().settings, ...patch } });
      },
      setHead(patch) {
        const s = get().settings;
        set({ settings: { ...s, head: { ...s.head, ...patch } } });
      },
      setPair(patch) {
        const s = get().settings;
        set({ settings: { ...s, pair: { ...s.pair, ...patch } } });
      },
      resetSettings() {
        set({ settings: DEFAULT_LAB_SETTINGS });
      },

      async loadGallery() {
        set({ gallery: { ...get().gallery, status: 'loading', error: null } });
        const modelId = useFaces.getState().embedderId;
        try {
          const g = await useGallery.getState().open();
          if (!g) throw new Error(useGallery.getState().error ?? 'The gallery could not be opened.');
          const packed = await g.templatesForModel(modelId);
          set({
            gallery: {
              status: 'ready',
              source: { samples: labelledFromPackedTemplates(packed), modelId },
              error: null,
            },
          });
        } catch (e) {
          const locked = e instanceof GalleryError && e.kind === 'locked';
          set({
            gallery: {
              status: 'error',
              source: null,
              error: locked
                ? 'The gallery is locked: unlock it with your passphrase on the People page to train on it.'
                : `The gallery could not be read: ${errorMessage(e)}`,
            },
          });
        }
      },

      async importFolder(files) {
        if (get().importing) return;
        set({ importing: { done: 0, total: 0 }, importError: null });
        try {
          const result = await embedLabelledFolder(files, (done, total) => set({ importing: { done, total } }));
          if (result.images === 0) {
            throw new Error('No labelled images found. Choose a folder with one subfolder of photos per person.');
          }
          if (result.samples.length === 0) {
            throw new Error(`No face was found in any of the ${result.images} images, so nothing was imported.`);
          }
          const first = files[0] as (File & { webkitRelativePath?: string }) | undefined;
          const name = first?.webkitRelativePath?.split('/')[0] || 'folder';
          const byLabel = new Map<string, Float32Array[]>();
          for (const x of result.samples) byLabel.set(x.label, [...(byLabel.get(x.label) ?? []), x.embedding]);
          const samples = labelledFromGroups(byLabel);
          set({ folder: { name, samples, modelId: result.modelId, images: result.images, skipped: result.skipped } });
        } catch (e) {
          set({ importError: errorMessage(e) });
        } finally {
          set({ importing: null });
        }
      },

      clearFolder() {
        set({ folder: null });
      },

      data() {
        const { gallery, folder, settings } = get();
        return prepareLabData(gallery.source, folder, settings, useFaces.getState().embedderId);
      },

      async start() {
        const { status, settings } = get();
        if (status === 'running' || status === 'paused') return;
        const data = get().data();
        if (data.problem || !data.split) {
          set({ error: data.problem ?? 'There is nothing to train on.' });
          return;
        }
        const { split } = data;
        const key = splitKey(data.modelId, split);
        if (get().split?.key !== key) {
          // Models trained on another split may have seen today's held-out people: drop them.
          replaceHead(null);
          replaceClassifier(null);
          set({ trained: { head: null, pair: null }, comparison: null });
        }
        const method = settings.method;
        control = new TrainingControl();
        const run = control;
        set({
          status: 'running',
          error: null,
          runMethod: method,
          rows: [],
          savedMessage: null,
          split: {
            key,
            modelId: data.modelId,
            trainIdentities: split.trainIdentities.length,
            trainSamples: split.train.length,
            testIdentities: split.testIdentities.length,
            test: split.test,
          },
        });
        const addRow = (row: StepRow): void => {
          set({ rows: [...get().rows, row] });
        };
        try {
          let info: TrainedInfo;
          if (method === 'head') {
            const h = settings.head;
            const result = await trainHead(
              split.train,
              {
                modelId: data.modelId,
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
              { control: run, onStep: (r) => addRow([r.step, r.loss, r.activeTriplets, r.ms]) },
            );
            replaceHead(result.model);
            info = {
              method,
              modelId: data.modelId,
              label: describeHead(h, data.dim),
              stepsDone: result.stepsDone,
              stopped: result.stopped,
              msPerStep: median(result.history.map((r) => r.ms)),
              settings: { ...h },
            };
            set({ trained: { ...get().trained, head: info } });
          } else {
            const p = settings.pair;
            const result = await trainPairClassifier(
              split.train,
              {
                modelId: data.modelId,
                feature: p.feature,
                pairsPerBatch: p.pairsPerBatch,
                steps: p.steps,
                learningRate: p.learningRate,
                seed: p.seed,
              },
              { control: run, onStep: (r) => addRow([r.step, r.loss, r.accuracy, r.ms]) },
            );
            replaceClassifier(result.model);
            info = {
              method,
              modelId: data.modelId,
              label: describePair(p),
              stepsDone: result.stepsDone,
              stopped: result.stopped,
              msPerStep: median(result.history.map((r) => r.ms)),
              settings: { ...p },
            };
            set({ trained: { ...get().trained, pair: info } });
          }
          set({ status: info.stopped ? 'stopped' : 'done', comparing: true });
          const comparison = await compareOnHeldOut(split.test, { head, pairClassifier: classifier });
          set({ comparison });
        } catch (e) {
          set({ status: 'error', error: errorMessage(e) });
        } finally {
          set({ comparing: false });
          if (control === run) control = null;
        }
      },

      pause() {
        if (get().status !== 'running' || !control) return;
        control.pause();
        set({ status: 'paused' });
      },
      resume() {
        if (get().status !== 'paused' || !control) return;
        control.resume();
        set({ status: 'running' });
      },
      stop() {
        control?.stop();
      },

      async save(method, name) {
        const { comparison, split, trained } = get();
        const info = method === 'head' ? trained.head : trained.pair;
        const model = method === 'head' ? head : classifier;
        const evaluation = comparison?.methods.find((m) => m.method === (method as LabMethod));
        const cosine = comparison?.methods.find((m) => m.method === 'cosine');
        if (!info || !model || !evaluation || !cosine || !split || !comparison) {
          set({ savedMessage: 'Train a model and let the held-out comparison finish before saving it.' });
          return null;
        }
        const metrics: Record<string, number> = {
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
          steps: info.stepsDone,
        };
        try {
          const id = crypto.randomUUID();
          await (
            await studio()
          ).saveModel({
            id,
            kind: method,
            modelId: info.modelId,
            name: name.trim() || `${info.label}, ${info.stepsDone} steps`,
            created: Date.now(),
            data: await model.toRecord(metrics),
            metrics,
          });
          set({ savedMessage: 'Saved. Choose “Use for Unlock and Identify” to match with it.' });
          await get().loadSaved();
          return id;
        } catch (e) {
          set({ savedMessage: `Not saved: ${errorMessage(e)}` });
          return null;
        }
      },

      async loadSaved() {
        try {
          set({ saved: await (await studio()).listModels() });
        } catch (e) {
          set({ savedMessage: `The saved models could not be read: ${errorMessage(e)}` });
        }
      },

      adopt(id) {
        const model = get().saved.find((m) => m.id === id);
        const active = useFaces.getState().embedderId;
        if (!model) return;
        if (model.modelId !== active) {
          set({
            savedMessage: `${model.name} was trained on ${modelName(model.modelId)} embeddings and cannot be used with ${modelName(active)}.`,
          });
          return;
        }
        useSettings.setState({ adoptedLabModelId: id });
        set({ savedMessage: null });
      },

      rollBack() {
        useSettings.setState({ adoptedLabModelId: null });
        set({ savedMessage: null });
      },

      async deleteSaved(id) {
        try {
          if (useSettings.getState().adoptedLabModelId === id) useSettings.setState({ adoptedLabModelId: null });
          await (await studio()).deleteModel(id);
          await get().loadSaved();
        } catch (e) {
          set({ savedMessage: `Not deleted: ${errorMessage(e)}` });
        }
      },
    }),
    {
      name: 'facet-lab',
      version: 1,
      partialize: (s) => ({ settings: s.settings }),
      merge: (persisted, current) => {
        const p = ((persisted ?? {}) as { settings?: Partial<LabSettings> }).settings ?? {};
        const d = DEFAULT_LAB_SETTINGS;
        return { ...current, settings: { ...d, ...p, head: { ...d.head, ...p.head }, pair: { ...d.pair, ...p.pair } } };
      },
    },
  ),
);

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}
