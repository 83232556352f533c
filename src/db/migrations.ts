/**
 * The ordered list of schema migrations, run inside IndexedDB's `upgradeneeded` transaction.
 *
 * Migration N turns a version N-1 database into version N; a fresh install runs them all from 1, so
 * the path real users take is the path every test takes. Migrations work on raw rows (`unknown`
 * schema), because they read shapes that no longer exist in schema.ts. Entries are never edited once
 * shipped; a change of shape is a new entry at the end and a bump of SCHEMA_VERSION.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { GalleryError } from './errors';
import { STORES } from './schema';
import { errorMessage } from '../ml/core/errors';

export type UpgradeTransaction = IDBPTransaction<unknown, string[], 'versionchange'>;

export interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: IDBPDatabase<unknown>, tx: UpgradeTransaction): Promise<void>;
}

/** Quality given to templates that were stored before quality was measured: "unknown, average". */
export const MIGRATED_QUALITY = 0.5;

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** Rewrite every row of a store with `change`, one cursor step at a time (no whole-store copy). */
async function rewriteRows(
  tx: UpgradeTransaction,
  store: string,
  change: (row: Record<string, unknown>) => Record<string, unknown>,
): Promise<void> {
  let cursor = await tx.objectStore(store).openCursor();
  while (cursor) {
    await cursor.update(change(asRecord(cursor.value)));
    cursor = await cursor.continue();
  }
}

function v1EmbeddingToFloat32(row: Record<string, unknown>): Float32Array {
  const embedding = row.embedding;
  const values: ArrayLike<unknown> | undefined =
    Array.isArray(embedding) || embedding instanceof Float32Array ? embedding : undefined;
  if (values === undefined || values.length === 0) {
    throw new Error(`template ${String(row.id)} has no embedding`);
  }
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new Error(`template ${String(row.id)} has a non-numeric value at position ${i} of its embedding`);
    }
    out[i] = v;
  }
  return out;
}

/** v1 thumbnails had no `type`; the Blob's own type is right when present, and v1 only wrote JPEG. */
function thumbnailType(row: Record<string, unknown>): string {
  if (typeof row.type === 'string' && row.type !== '') return row.type;
  if (row.blob instanceof Blob && row.blob.type !== '') return row.blob.type;
  return 'image/jpeg';
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'Identities, templates (embedding as number[]) indexed by identity, thumbnails, meta.',
    async up(db) {
      db.createObjectStore(STORES.identities, { keyPath: 'id' });
      const templates = db.createObjectStore(STORES.templates, { keyPath: 'id' });
      templates.createIndex('identityId', 'identityId');
      const thumbnails = db.createObjectStore(STORES.thumbnails, { keyPath: 'id' });
      thumbnails.createIndex('identityId', 'identityId');
      db.createObjectStore(STORES.meta, { keyPath: 'key' });
    },
  },
  {
    version: 2,
    description:
      'Embeddings become Float32Array with dim and quality (0.5 when unknown); templates indexed by model ' +
      'and by identity+model; every row stamped schema 2.',
    async up(_db, tx) {
      const templates = tx.objectStore(STORES.templates);
      templates.createIndex('modelId', 'modelId');
      templates.createIndex('identityModel', ['identityId', 'modelId']);
      await rewriteRows(tx, STORES.templates, (row) => {
        const embedding = v1EmbeddingToFloat32(row);
        const quality = typeof row.quality === 'number' && row.quality >= 0 && row.quality <= 1 ? row.quality : null;
        return { ...row, schema: 2, embedding, dim: embedding.length, quality: quality ?? MIGRATED_QUALITY };
      });
      await rewriteRows(tx, STORES.identities, (row) => ({ ...row, schema: 2 }));
      await rewriteRows(tx, STORES.thumbnails, (row) => ({ ...row, type: thumbnailType(row), schema: 2 }));
    },
  },
  {
    version: 3,
    description:
      'A security store for attempt counters (Face Unlock lockout, passphrase wait), kept out of the data ' +
      'stores so backups and encryption never touch it. No row changes.',
    async up(db) {
      db.createObjectStore(STORES.security, { keyPath: 'key' });
    },
  },
];

/**
 * Run the migrations after `oldVersion` up to `newVersion`, in order. A failure aborts the upgrade
 * transaction, which IndexedDB rolls back whole: the database stays at its old version, data intact.
 */
export async function runMigrations(
  db: IDBPDatabase<unknown>,
  tx: UpgradeTransaction,
  oldVersion: number,
  newVersion: number,
): Promise<void> {
  for (const migration of MIGRATIONS) {
    if (migration.version <= oldVersion || migration.version > newVersion) continue;
    try {
      await migration.up(db, tx);
    } catch (err) {
      throw new GalleryError(
        'upgrade-failed',
        `Facet could not upgrade the gallery to version ${migration.version} (${errorMessage(err)}). ` +
          'Nothing was changed; please report this.',
        { cause: err },
      );
    }
  }
}
