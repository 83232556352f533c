// Keeps one loaded copy of each model, loads lazily, and shares an in-flight load
// between callers so a model is never fetched or uploaded twice.
import type * as tf from '@tensorflow/tfjs';
import {
  fetchManifest,
  loadGraphModel,
  loadWeightsModel,
  type Fetcher,
  type LoadProgress,
  type ModelManifest,
  type WeightsModel,
} from './models';

/** What the registry holds: a graph model, or the weights of a network written in code. */
export type LoadedModel = tf.GraphModel | WeightsModel;

export class ModelRegistry {
  private manifest: Promise<ModelManifest> | null = null;
  private readonly loads = new Map<string, Promise<LoadedModel>>();

  constructor(
    private readonly baseUrl: string,
    private readonly fetcher: Fetcher = (url) => fetch(url),
  ) {}

  getManifest(): Promise<ModelManifest> {
    this.manifest ??= fetchManifest(this.baseUrl, this.fetcher).catch((e: unknown) => {
      this.manifest = null;
      throw e;
    });
    return this.manifest;
  }

  /** A graph model by id; weights-only models are refused (use `loadWeights`). */
  load(id: string, onProgress?: (p: LoadProgress) => void): Promise<tf.GraphModel> {
    return this.loadAny(id, 'graph', onProgress) as Promise<tf.GraphModel>;
  }

  /** The weights of a network written in code, by id. */
  loadWeights(id: string, onProgress?: (p: LoadProgress) => void): Promise<WeightsModel> {
    return this.loadAny(id, 'weights', onProgress) as Promise<WeightsModel>;
  }

  private async loadAny(
    id: string,
    kind: 'graph' | 'weights',
    onProgress?: (p: LoadProgress) => void,
  ): Promise<LoadedModel> {
    const entry = (await this.getManifest()).models.find((m) => m.id === id);
    if (!entry) throw new Error(`No model called "${id}" is shipped with this version of Facet.`);
    if ((entry.format === 'weights') !== (kind === 'weights')) {
      throw new Error(
        kind === 'graph'
          ? `The ${entry.name} model holds weights only; load it with loadWeights.`
          : `The ${entry.name} model is a ${entry.format}, not a weights-only model.`,
      );
    }
    let pending = this.loads.get(id);
    if (!pending) {
      pending =
        kind === 'weights'
          ? loadWeightsModel(entry, this.baseUrl, onProgress, this.fetcher)
          : loadGraphModel(entry, this.baseUrl, onProgress, this.fetcher);
      // A failed load is forgotten so that the next call tries again.
      pending.catch(() => this.loads.delete(id));
      this.loads.set(id, pending);
    }
    return pending;
  }

  isLoaded(id: string): boolean {
    return this.loads.has(id);
  }

  async unload(id: string): Promise<void> {
    const pending = this.loads.get(id);
    this.loads.delete(id);
    if (pending) (await pending.catch(() => null))?.dispose();
  }

  async unloadAll(): Promise<void> {
    await Promise.all([...this.loads.keys()].map((id) => this.unload(id)));
  }
}
