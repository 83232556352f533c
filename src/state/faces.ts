// Which face model is active, and its engine (src/ml/face/engine.ts), loaded with tfjs on first
// use, which turns frames into plain face results for the gallery, unlock and identify stores.
import { create, type StateCreator } from 'zustand';
import { persist } from 'zustand/middleware';
import { errorMessage } from '../ml/core/errors';
import {
  clampThreshold,
  EMBEDDERS,
  isEmbedderId,
  type EmbedderId,
  type OperatingPoint,
} from '../ml/face/embedder-specs';
import type { AnalysedFrame, EmbeddingNetworks, FaceEngine, FrameInput } from '../ml/face/engine';
import { useModels } from './models';
import { useSettings, type ThresholdUse } from './settings';

export type { AnalysedFrame, FrameInput };

interface FacesState {
  embedderId: EmbedderId;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** The face engine of the active embedder (loaded, with tfjs, on first use). */
  engine(): Promise<FaceEngine>;
  /** The active engine's `analyse` and `analyseWithThumbnails` (see FaceEngine). */
  analyse: FaceEngine['analyse'];
  analyseWithThumbnails: FaceEngine['analyseWithThumbnails'];
  /** The active engine's video path: `track`, `decide`, `newAttempt` (see FaceEngine). */
  track: FaceEngine['track'];
  decide: FaceEngine['decide'];
  newAttempt(): Promise<void>;
  setEmbedder(id: EmbedderId): void;
  /** Set when an update changed the default model: the gallery re-embeds once, then clears it. */
  upgradePending: boolean;
  clearUpgrade(): void;
}

/** The embedder used until the user picks another: the best measured separation (see EMBEDDERS). */
export const DEFAULT_EMBEDDER: EmbedderId = 'facedescriptor';

/** What the UI shows about an embedding model, as plain data. */
export interface FaceModelInfo {
  id: EmbedderId;
  name: string;
  /** Length of its embeddings. */
  dim: number;
  /** Calibrated on real photos (see EMBEDDERS): the thresholds unless the user sets their own. */
  unlock: OperatingPoint;
  identify: OperatingPoint;
  note: string;
  isDefault: boolean;
}

/** The embedding models to choose from, the default first. */
export const FACE_MODELS: readonly FaceModelInfo[] = Object.values(EMBEDDERS)
  .map(({ id, name, dim, unlock, identify, note }) => ({
    id,
    name,
    dim,
    unlock,
    identify,
    note,
    isDefault: id === DEFAULT_EMBEDDER,
  }))
  .sort((a, b) => Number(b.isDefault) - Number(a.isDefault));

/** How the store gets a face engine for an embedder; tests pass a fake. */
export type EngineFactory = (id: EmbedderId) => Promise<FaceEngine>;

/**
 * The faces store over `createEngine`, persisted under `storageName`: which model is active (it
 * decides which templates Unlock and Identify compare against) and whether an upgrade is still to
 * be done. One engine at a time, built when first asked for; a failed build is forgotten.
 */
export function createFacesStore(createEngine: EngineFactory, storageName = 'facet.faces') {
  let pending: { id: EmbedderId; engine: Promise<FaceEngine> } | null = null;
  const store: StateCreator<FacesState, [['zustand/persist', unknown]]> = (set, get) => ({
    embedderId: DEFAULT_EMBEDDER,
    status: 'idle',
    error: null,

    engine() {
      const id = get().embedderId;
      if (pending?.id === id) return pending.engine;
      set({ status: 'loading', error: null });
      const engine = createEngine(id).then(
        (e) => {
          set({ status: 'ready' });
          return e;
        },
        (e: unknown) => {
          pending = null;
          set({ status: 'error', error: errorMessage(e) });
          throw e;
        },
      );
      pending = { id, engine };
      return engine;
    },

    async analyse(source, maxFaces, onFrame) {
      return (await get().engine()).analyse(source, maxFaces, onFrame);
    },

    async analyseWithThumbnails(source, maxFaces) {
      return (await get().engine()).analyseWithThumbnails(source, maxFaces);
    },

    async track(source, onFrame, t) {
      return (await get().engine()).track(source, onFrame, t);
    },

    async decide() {
      return (await get().engine()).decide();
    },

    async newAttempt() {
      (await get().engine()).newAttempt();
    },

    setEmbedder(embedderId) {
      if (isEmbedderId(embedderId)) set({ embedderId });
    },
    upgradePending: false,
    clearUpgrade: () => set({ upgradePending: false }),
  });

  return create<FacesState>()(
    persist(store, {
      name: storageName,
      version: 2,
      partialize: ({ embedderId, upgradePending }) => ({ embedderId, upgradePending }),
      // Version 1 had FaceRes (or MobileFaceNet) as the default. The 128-D descriptor makes far
      // fewer errors on real photos, so everyone moves to it, and the gallery re-embeds the people
      // enrolled before from their stored thumbnails the next time it opens.
      migrate: (persisted, version) =>
        version < 2
          ? { embedderId: DEFAULT_EMBEDDER, upgradePending: true }
          : (persisted as { embedderId: EmbedderId; upgradePending: boolean }),
      // An id this version does not know (a renamed or removed model) falls back to the default.
      merge: (persisted, current) => {
        const p = persisted as { embedderId?: unknown; upgradePending?: unknown } | null | undefined;
        const stored = p?.embedderId;
        return {
          ...current,
          embedderId: isEmbedderId(stored) ? stored : current.embedderId,
          upgradePending: p?.upgradePending === true,
        };
      },
    }),
  );
}

/** One embedding network per embedder for the page's life, shared by its engines. */
const networks: EmbeddingNetworks = new Map();

export const useFaces = createFacesStore(async (id) => {
  // tfjs and the face stages load with the first engine, not with the page.
  const { createFaceEngine } = await import('../ml/face/engine');
  const models = useModels.getState();
  return createFaceEngine(
    id,
    { graph: (m) => models.load(m), weights: (m) => models.loadWeights(m).then((w) => w.weights) },
    networks,
  );
});

/** The threshold in force for a model and use: the user's, or the model's calibrated default. */
export function thresholdFor(modelId: EmbedderId, use: ThresholdUse): number {
  const own = useSettings.getState().faceThresholds[modelId]?.[use];
  // Settings are checked when loaded and set; this keeps a value put there any other way in range too.
  return own === undefined ? EMBEDDERS[modelId][use].threshold : clampThreshold(modelId, use, own);
}

/** The threshold in force for the active model. */
export function faceThreshold(use: ThresholdUse = 'unlock'): number {
  return thresholdFor(useFaces.getState().embedderId, use);
}
