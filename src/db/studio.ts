/**
 * The studio database: what the Style Studio and the Siamese Lab make (finished style-transfer
 * works, trained adaptation heads and pair classifiers). It is kept apart from the face gallery
 * on purpose: the gallery has its own schema history, encryption and backups, and none of that
 * should move when a painting is saved. Failures speak the gallery's language (GalleryError), so
 * the UI shows "storage is full" the same way everywhere. Every save is one transaction.
 */
import { wrap, type DBSchema, type IDBPDatabase } from 'idb';
import { defaultFactory } from './connection';
import { GalleryError, MESSAGES, toGalleryError, toOpenError } from './errors';

export const STUDIO_DB_NAME = 'facet-studio';
export const STUDIO_DB_VERSION = 1;

export interface StyleWork {
  id: string;
  title: string;
  created: number;
  /** The result as PNG. */
  image: Blob;
  width: number;
  height: number;
  /** Everything needed to run it again: the settings, the loss network, and the input names. */
  settings: Record<string, unknown>;
  /** The last iteration's costs. */
  costs: { total: number; content: number; style: number; tv: number } | null;
  iterations: number;
}

/** A trained head or pair classifier, stored as plain data (see src/ml/siamese). */
export interface StoredModel {
  id: string;
  kind: 'head' | 'pair-classifier';
  /** The embedder it was trained on: it is never applied to embeddings of another model. */
  modelId: string;
  name: string;
  created: number;
  /** Serialised weights and shapes, as the siamese module writes them. */
  data: unknown;
  /** Held-out figures from training, shown beside it. */
  metrics: Record<string, number> | null;
}

interface StudioSchema extends DBSchema {
  works: { key: string; value: StyleWork; indexes: { created: number } };
  models: { key: string; value: StoredModel; indexes: { modelId: string } };
}

export class StudioDb {
  constructor(private readonly db: IDBPDatabase<StudioSchema>) {}

  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toGalleryError(err);
    }
  }

  saveWork(work: StyleWork): Promise<void> {
    return this.write(async () => void (await this.db.put('works', work)));
  }

  /** Newest first. */
  async listWorks(): Promise<StyleWork[]> {
    return (await this.db.getAllFromIndex('works', 'created')).reverse();
  }

  deleteWork(id: string): Promise<void> {
    return this.write(() => this.db.delete('works', id));
  }

  saveModel(model: StoredModel): Promise<void> {
    return this.write(async () => void (await this.db.put('models', model)));
  }

  async listModels(modelId?: string): Promise<StoredModel[]> {
    const rows = modelId ? await this.db.getAllFromIndex('models', 'modelId', modelId) : await this.db.getAll('models');
    return rows.sort((a, b) => b.created - a.created);
  }

  getModel(id: string): Promise<StoredModel | undefined> {
    return this.db.get('models', id);
  }

  deleteModel(id: string): Promise<void> {
    return this.write(() => this.db.delete('models', id));
  }

  close(): void {
    this.db.close();
  }
}

export function openStudio(factory: IDBFactory | undefined): Promise<StudioDb> {
  if (factory === undefined) return Promise.reject(new GalleryError('unavailable', MESSAGES.unavailable));
  return new Promise((resolve, reject) => {
    let request: IDBOpenDBRequest;
    try {
      request = factory.open(STUDIO_DB_NAME, STUDIO_DB_VERSION);
    } catch (err) {
      reject(toOpenError(err));
      return;
    }
    request.onupgradeneeded = (event) => {
      const db = request.result;
      if (event.oldVersion < 1) {
        db.createObjectStore('works', { keyPath: 'id' }).createIndex('created', 'created');
        db.createObjectStore('models', { keyPath: 'id' }).createIndex('modelId', 'modelId');
      }
    };
    request.onblocked = () => reject(new GalleryError('blocked', MESSAGES.blocked));
    request.onerror = (event) => {
      event.preventDefault();
      reject(toOpenError(request.error));
    };
    request.onsuccess = () => {
      const raw = request.result;
      raw.onversionchange = () => raw.close();
      resolve(new StudioDb(wrap(raw) as unknown as IDBPDatabase<StudioSchema>));
    };
  });
}

let shared: Promise<StudioDb> | null = null;

/** The app's one connection, opened on first use; a failed open is retried on the next call. */
export function studio(): Promise<StudioDb> {
  shared ??= openStudio(defaultFactory()).catch((err: unknown) => {
    shared = null;
    throw err;
  });
  return shared;
}
