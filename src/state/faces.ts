// The face engine: builds the pipeline from the registry's models on first use and turns
// frames (camera, photo) into plain face results for the gallery, unlock and identify stores.
import { create, type StateCreator } from 'zustand';
import { persist } from 'zustand/middleware';
import * as tf from '@tensorflow/tfjs';
import { FaceDetector } from '../ml/face/detector';
import {
  createEmbeddingNetwork,
  Embedder,
  EMBEDDERS,
  type EmbedderId,
  type EmbeddingNetwork,
  type OperatingPoint,
} from '../ml/face/embedder';
import { LandmarkModel } from '../ml/face/landmarks';
import { FacePipeline, landmarkStage, type FaceAnalysis } from '../ml/face/pipeline';
import { tensorToBlob } from '../ml/core/image';
import { FrameGrabber, pixelsToTensor } from '../ml/runtime/frames';
import { useModels } from './models';
import { useSettings, type ThresholdUse } from './settings';
import { errorMessage } from '../ml/core/errors';

export type FrameInput = HTMLVideoElement | ImageBitmap;

export interface AnalysedFrame {
  faces: FaceAnalysis[];
  width: number;
  height: number;
  ms: number;
}

interface FacesState {
  embedderId: EmbedderId;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  pipeline(): Promise<FacePipeline>;
  /**
   * Runs the face pipeline on one frame. `onFrame` sees the frame tensor ([H, W, 3] in 0..1)
   * and the faces before the frame is released, for work that needs the pixels (liveness crops,
   * thumbnails); it must not dispose the frame.
   */
  analyse<T = void>(
    source: FrameInput,
    maxFaces?: number,
    onFrame?: (frame: tf.Tensor3D, faces: FaceAnalysis[]) => Promise<T> | T,
  ): Promise<AnalysedFrame & { extra?: T }>;
  /** Analyses and also returns a JPEG thumbnail of each face's aligned crop. */
  analyseWithThumbnails(source: FrameInput, maxFaces?: number): Promise<AnalysedFrame & { thumbnails: Blob[] }>;
  setEmbedder(id: EmbedderId): void;
  /** Set when an update changed the default model: the gallery re-embeds once, then clears it. */
  upgradePending: boolean;
  clearUpgrade(): void;
}

/** The embedder used until the user picks another: the best measured separation (see EMBEDDERS). */
export const DEFAULT_EMBEDDER: EmbedderId = 'facedescriptor';

function isEmbedderId(value: unknown): value is EmbedderId {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(EMBEDDERS, value);
}

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

const grabber = new FrameGrabber();
/** One network per model for the page's life: our own networks hold folded weight copies. */
const networks = new Map<EmbedderId, Promise<EmbeddingNetwork>>();

function embeddingNetwork(id: EmbedderId): Promise<EmbeddingNetwork> {
  let net = networks.get(id);
  if (!net) {
    const models = useModels.getState();
    net = createEmbeddingNetwork(EMBEDDERS[id], {
      graph: (m) => models.load(m),
      weights: (m) => models.loadWeights(m).then((w) => w.weights),
    });
    net.catch(() => networks.delete(id));
    networks.set(id, net);
  }
  return net;
}

let pending: { id: EmbedderId; pipeline: Promise<FacePipeline> } | null = null;

function toTensor(source: FrameInput): tf.Tensor3D {
  return source instanceof HTMLVideoElement ? grabber.toTensor(source) : pixelsToTensor(source);
}

async function cropsToJpegs(crops: tf.Tensor4D): Promise<Blob[]> {
  const out: Blob[] = [];
  for (let i = 0; i < crops.shape[0]; i++) {
    const one = tf.tidy(() => crops.slice([i], [1]).squeeze([0]).clipByValue(0, 1) as tf.Tensor3D);
    try {
      out.push(await tensorToBlob(one, 'image/jpeg', 0.85));
    } finally {
      one.dispose();
    }
  }
  return out;
}

const facesStore: StateCreator<FacesState, [['zustand/persist', unknown]]> = (set, get) => ({
  embedderId: DEFAULT_EMBEDDER,
  status: 'idle',
  error: null,

  pipeline() {
    const id = get().embedderId;
    if (pending?.id === id) return pending.pipeline;
    const models = useModels.getState();
    set({ status: 'loading', error: null });
    const pipeline = Promise.all([models.load('blazeface'), models.load('facemesh'), embeddingNetwork(id)]).then(
      ([blazeface, facemesh, network]) => {
        set({ status: 'ready' });
        // The registry (and `networks`) own the networks; the pipeline never disposes them.
        return new FacePipeline(
          new FaceDetector(blazeface),
          new Embedder(network, EMBEDDERS[id]),
          landmarkStage(new LandmarkModel(facemesh)),
        );
      },
      (e: unknown) => {
        pending = null;
        set({ status: 'error', error: errorMessage(e) });
        throw e;
      },
    );
    pending = { id, pipeline };
    return pipeline;
  },

  async analyse(source, maxFaces, onFrame) {
    const pipeline = await get().pipeline();
    const t0 = performance.now();
    const frame = toTensor(source);
    try {
      const faces = await pipeline.analyse(frame, maxFaces);
      const ms = performance.now() - t0;
      const extra = onFrame ? await onFrame(frame, faces) : undefined;
      return { faces, width: frame.shape[1], height: frame.shape[0], ms, extra };
    } finally {
      frame.dispose();
    }
  },

  async analyseWithThumbnails(source, maxFaces) {
    const pipeline = await get().pipeline();
    const result = await get().analyse(source, maxFaces, async (frame, faces) => {
      const crops = pipeline.alignedCrops(frame, faces, 160);
      try {
        return await cropsToJpegs(crops);
      } finally {
        crops.dispose();
      }
    });
    return { ...result, thumbnails: result.extra ?? [] };
  },

  setEmbedder(embedderId) {
    if (isEmbedderId(embedderId)) set({ embedderId });
  },
  upgradePending: false,
  clearUpgrade: () => set({ upgradePending: false }),
});

// The model choice persists (it decides which templates Unlock and Identify compare against),
// and so does an upgrade still to be done.
export const useFaces = create<FacesState>()(
  persist(facesStore, {
    name: 'facet.faces',
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

/** The threshold in force for a model and use: the user's, or the model's calibrated default. */
export function thresholdFor(modelId: EmbedderId, use: ThresholdUse): number {
  return useSettings.getState().faceThresholds[modelId]?.[use] ?? EMBEDDERS[modelId][use].threshold;
}

/** The threshold in force for the active model. */
export function faceThreshold(use: ThresholdUse = 'unlock'): number {
  return thresholdFor(useFaces.getState().embedderId, use);
}
