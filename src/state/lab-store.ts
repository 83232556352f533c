// The Siamese Lab's store: the sources, the settings, the state of the one run at a time, the
// comparison and the saved models. The training and the comparison are the lab session's
// (src/ml/siamese/lab-session.ts); everything outside this feature comes in as `LabServices`, so
// a test can drive the store with fakes and no tfjs, IndexedDB or other store.
import { create } from 'zustand';
import { createJSONStorage, persist, type StateStorage } from 'zustand/middleware';
import type { StoredModel } from '../db/studio';
import { errorMessage } from '../ml/core/errors';
import type { LabelledEmbedding } from '../ml/face/evaluate';
import type { LabComparison, LabMethod } from '../ml/siamese/compare';
import type { LabSession, LabSessionOptions, TrainRequest } from '../ml/siamese/lab-session';
import { labelledFromGroups } from '../ml/siamese/split';
import {
  appendSteps,
  DEFAULT_LAB_SETTINGS,
  describeHead,
  describePair,
  EMPTY_LOG,
  heldOutMetrics,
  modelName,
  prepareLabData,
  splitKey,
  type FolderSource,
  type HeadSettings,
  type LabData,
  type LabSettings,
  type LabSource,
  type PairSettings,
  type StepLog,
  type TrainMethod,
} from './lab-data';

export type TrainStatus = 'idle' | 'running' | 'paused' | 'done' | 'stopped' | 'error';

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

export interface EmbeddedFolder {
  samples: LabelledEmbedding[];
  modelId: string;
  images: number;
  skipped: { file: string; reason: string }[];
}

/** What the Lab needs from the rest of the app. */
export interface LabServices {
  createSession(options: LabSessionOptions): LabSession;
  /** The active embedder. */
  embedderId(): string;
  /** The gallery's templates of `modelId`, labelled by identity; rejects with a sentence to show. */
  galleryTemplates(modelId: string): Promise<LabelledEmbedding[]>;
  embedFolder(files: File[], onProgress: (done: number, total: number) => void): Promise<EmbeddedFolder>;
  models: {
    list(): Promise<StoredModel[]>;
    save(model: StoredModel): Promise<void>;
    delete(id: string): Promise<void>;
  };
  /** The saved model Unlock and Identify match with, or null for plain cosine. */
  adoptedModelId(): string | null;
  setAdoptedModelId(id: string | null): void;
  newId(): string;
  /** Where the settings are kept between visits; asked for lazily, as localStorage may be refused. */
  storage(): StateStorage;
}

export interface LabState {
  settings: LabSettings;
  gallery: { status: 'idle' | 'loading' | 'ready' | 'error'; source: LabSource | null; error: string | null };
  folder: FolderSource | null;
  importing: { done: number; total: number } | null;
  importError: string | null;

  status: TrainStatus;
  error: string | null;
  runMethod: TrainMethod | null;
  log: StepLog;
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

export function createLabStore(services: LabServices) {
  // The session owns the trained models' tensors, so it lives beside the state, not in it.
  let session: LabSession | null = null;

  return create<LabState>()(
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
        log: EMPTY_LOG,
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
          const modelId = services.embedderId();
          try {
            const samples = await services.galleryTemplates(modelId);
            set({ gallery: { status: 'ready', source: { samples, modelId }, error: null } });
          } catch (e) {
            set({ gallery: { status: 'error', source: null, error: errorMessage(e) } });
          }
        },

        async importFolder(files) {
          if (get().importing) return;
          set({ importing: { done: 0, total: 0 }, importError: null });
          try {
            const result = await services.embedFolder(files, (done, total) => set({ importing: { done, total } }));
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
            set({
              folder: { name, samples, modelId: result.modelId, images: result.images, skipped: result.skipped },
            });
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
          return prepareLabData(gallery.source, folder, settings, services.embedderId());
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
          if (!session || get().split?.key !== key) {
            // Models trained on another split may have seen today's held-out people: drop them.
            session?.close();
            session = null;
            set({ trained: { head: null, pair: null }, comparison: null });
            try {
              session = services.createSession({ modelId: data.modelId, train: split.train, test: split.test });
            } catch (e) {
              set({ status: 'error', error: errorMessage(e), split: null });
              return;
            }
          }
          const lab = session;
          const method = settings.method;
          const request: TrainRequest =
            method === 'head' ? { method, settings: { ...settings.head } } : { method, settings: { ...settings.pair } };
          set({
            status: 'running',
            error: null,
            runMethod: method,
            log: EMPTY_LOG,
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
          const current = () => session === lab;
          try {
            const outcome = await lab.train(request, {
              onProgress: (rows) => {
                if (current()) set({ log: appendSteps(get().log, rows) });
              },
            });
            if (!current()) return;
            const info: TrainedInfo = {
              method,
              modelId: data.modelId,
              label:
                request.method === 'head' ? describeHead(request.settings, data.dim) : describePair(request.settings),
              stepsDone: outcome.stepsDone,
              stopped: outcome.stopped,
              msPerStep: outcome.msPerStep,
              settings: request.settings,
            };
            set({
              trained: { ...get().trained, [method === 'head' ? 'head' : 'pair']: info },
              status: info.stopped ? 'stopped' : 'done',
              comparing: true,
            });
            const comparison = await lab.compare();
            // A newer split's session may have replaced this one meanwhile; its figures would mislead.
            if (current()) set({ comparison });
          } catch (e) {
            if (current()) set({ status: 'error', error: errorMessage(e) });
          } finally {
            if (current()) set({ comparing: false });
          }
        },

        pause() {
          if (get().status !== 'running' || !session) return;
          session.pause();
          set({ status: 'paused' });
        },
        resume() {
          if (get().status !== 'paused' || !session) return;
          session.resume();
          set({ status: 'running' });
        },
        stop() {
          session?.stop();
        },

        async save(method, name) {
          const { comparison, split, trained } = get();
          const info = method === 'head' ? trained.head : trained.pair;
          const evaluation = comparison?.methods.find((m) => m.method === (method as LabMethod));
          const cosine = comparison?.methods.find((m) => m.method === 'cosine');
          if (!info || !session?.has(method) || !evaluation || !cosine || !split || !comparison) {
            set({ savedMessage: 'Train a model and let the held-out comparison finish before saving it.' });
            return null;
          }
          const metrics = heldOutMetrics(comparison, evaluation, cosine, split, info.stepsDone);
          try {
            const id = services.newId();
            await services.models.save({
              id,
              kind: method,
              modelId: info.modelId,
              name: name.trim() || `${info.label}, ${info.stepsDone} ${info.stepsDone === 1 ? 'step' : 'steps'}`,
              created: Date.now(),
              data: await session.toRecord(method, metrics),
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
            set({ saved: await services.models.list() });
          } catch (e) {
            set({ savedMessage: `The saved models could not be read: ${errorMessage(e)}` });
          }
        },

        adopt(id) {
          const model = get().saved.find((m) => m.id === id);
          const active = services.embedderId();
          if (!model) return;
          if (model.modelId !== active) {
            set({
              savedMessage: `${model.name} was trained on ${modelName(model.modelId)} embeddings and cannot be used with ${modelName(active)}.`,
            });
            return;
          }
          services.setAdoptedModelId(id);
          set({ savedMessage: null });
        },

        rollBack() {
          services.setAdoptedModelId(null);
          set({ savedMessage: null });
        },

        async deleteSaved(id) {
          try {
            if (services.adoptedModelId() === id) services.setAdoptedModelId(null);
            await services.models.delete(id);
            await get().loadSaved();
          } catch (e) {
            set({ savedMessage: `Not deleted: ${errorMessage(e)}` });
          }
        },
      }),
      {
        name: 'facet-lab',
        version: 1,
        storage: createJSONStorage(() => services.storage()),
        partialize: (s) => ({ settings: s.settings }),
        merge: (persisted, current) => {
          const p = ((persisted ?? {}) as { settings?: Partial<LabSettings> }).settings ?? {};
          const d = DEFAULT_LAB_SETTINGS;
          return {
            ...current,
            settings: { ...d, ...p, head: { ...d.head, ...p.head }, pair: { ...d.pair, ...p.pair } },
          };
        },
      },
    ),
  );
}

export type LabStore = ReturnType<typeof createLabStore>;
