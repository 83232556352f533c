// Keeps one loaded copy of each model, loads lazily, and shares an in-flight load
// between callers so a model is never fetched or uploaded twice.
import type * as tf from '@tensorflow/tfjs';
import { fetchManifest, loadGraphModel, type Fetcher, type LoadProgress, type ModelManifest } from './models';

export class ModelRegistry {
  private manifest: Promise<ModelManifest> | null = null;
  private readonly loads = new Map<string, Promise<tf.GraphModel>>();

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

  load(id: string, onProgress?: (p: LoadProgress) => void): Promise<tf.GraphModel> {
    let pending = this.loads.get(id);
    if (!pending) {
      pending = this.getManifest().then((manifest) => {
        const entry = manifest.models.find((m) => m.id === id);
        if (!entry) throw new Error(`No model called "${id}" is shipped with this version of Facet.`);
        return loadGraphModel(entry, this.baseUrl, onProgress, this.fetcher);
      });
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
