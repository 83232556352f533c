/**
 * Shared helpers for the db tests (not used by the app). Importing this installs fake-indexeddb's
 * globals, which `idb` needs for its instanceof checks; each test still opens its own fresh
 * IDBFactory, so no test sees another's data.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { openGallery, type Gallery, type GalleryOptions } from './gallery';
import { DB_NAME } from './schema';

export interface TestGallery {
  gallery: Gallery;
  factory: IDBFactory;
}

/** A gallery on a fresh in-memory IndexedDB, with a clock that ticks 1 ms per call and sequential ids. */
export async function freshGallery(opts: GalleryOptions = {}): Promise<TestGallery> {
  const factory = opts.factory ?? new IDBFactory();
  let t = 1_700_000_000_000;
  let n = 0;
  const gallery = await openGallery({
    now: () => t++,
    newId: () => `id-${String(++n).padStart(4, '0')}`,
    ...opts,
    factory,
  });
  return { gallery, factory };
}

/** A deterministic, non-zero embedding. */
export function embedding(dim: number, seed: number): Float32Array {
  const out = new Float32Array(dim);
  for (let i = 0; i < dim; i++) out[i] = Math.sin(seed * 7.13 + i * 0.37) + (i === 0 ? 0.01 : 0);
  return out;
}

/** A small Blob that starts like a JPEG file. */
export function jpeg(size = 64, seed = 1): Blob {
  const bytes = new Uint8Array(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0]);
  for (let i = 4; i < size; i++) bytes[i] = (i * 31 + seed * 17) & 255;
  return new Blob([bytes], { type: 'image/jpeg' });
}

export async function blobBytes(blob: Blob): Promise<number[]> {
  return [...new Uint8Array(await blob.arrayBuffer())];
}

export interface RawDump {
  version: number;
  identities: unknown[];
  templates: unknown[];
  thumbnails: unknown[];
  meta: unknown[];
}

/**
 * Every stored row at whatever version the database is, read over a second plain connection, with
 * Blobs replaced by their bytes so dumps can be compared with toEqual.
 */
export async function rawDump(factory: IDBFactory, name = DB_NAME): Promise<RawDump> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = factory.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('open failed'));
  });
  try {
    const rows = async (store: string): Promise<unknown[]> => {
      if (!db.objectStoreNames.contains(store)) return [];
      const all = await done(db.transaction(store, 'readonly').objectStore(store).getAll());
      return Promise.all(
        all.map(async (row: Record<string, unknown>) =>
          row.blob instanceof Blob ? { ...row, blob: await blobBytes(row.blob) } : row,
        ),
      );
    };
    return {
      version: db.version,
      identities: await rows('identities'),
      templates: await rows('templates'),
      thumbnails: await rows('thumbnails'),
      meta: await rows('meta'),
    };
  } finally {
    db.close();
  }
}

/** Open a database with plain IndexedDB calls (no idb, no app code), as an older Facet would have. */
export function rawOpen(
  factory: IDBFactory,
  version: number,
  upgrade?: (db: IDBDatabase, tx: IDBTransaction) => void,
  name = DB_NAME,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, version);
    request.onupgradeneeded = () => upgrade?.(request.result, request.transaction!);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('open failed'));
    request.onblocked = () => reject(new Error('rawOpen blocked'));
  });
}

/** Resolve when a raw IDBRequest succeeds. */
export function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('request failed'));
  });
}

/** Catch the GalleryError (or anything) a promise rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<{ kind?: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { kind?: string; message: string };
  }
  throw new Error('expected the promise to reject, but it resolved');
}
