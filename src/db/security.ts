/**
 * Attempt counters in IndexedDB: how many Face Unlock attempts or passphrases failed in a row, and
 * until when the next one must wait. They live in the gallery database's `security` store, not in
 * localStorage, because IndexedDB is shared by every tab of the app and survives reloads, and
 * because a change is a transaction: two tabs failing at once both count.
 *
 * This stops a reload or a second tab from resetting a lockout. It does not stop someone who can
 * run code in the page, or edit the browser profile, from deleting the row: see docs/security.md.
 */
import type { IDBPDatabase } from 'idb';
import { defaultFactory, openDatabase } from './connection';
import { DB_NAME, SCHEMA_VERSION, STORES, type GallerySchema, type GuardKey, type GuardRow } from './schema';

export type { GuardKey };

/** A counter as the app uses it. */
export interface GuardRecord {
  failures: number;
  /** Ms since the epoch before which no attempt is allowed; 0: none. */
  until: number;
}

export const NO_FAILURES: GuardRecord = Object.freeze({ failures: 0, until: 0 });

/** Most failures a counter holds; more say nothing new and would only grow a stored number. */
const MAX_FAILURES = 1_000;

/** A stored row made sane: anything of the wrong type or out of range reads as no failures / no wait. */
export function toRecord(row: unknown): GuardRecord {
  if (typeof row !== 'object' || row === null) return NO_FAILURES;
  const { failures, until } = row as Partial<GuardRow>;
  return {
    failures:
      typeof failures === 'number' && Number.isInteger(failures) && failures > 0 ? Math.min(failures, MAX_FAILURES) : 0,
    until: typeof until === 'number' && Number.isFinite(until) && until > 0 ? until : 0,
  };
}

export interface SecurityStateOptions {
  factory?: IDBFactory;
  name?: string;
  now?: () => number;
}

/** The attempt counters of one database. */
export interface SecurityState {
  read(key: GuardKey): Promise<GuardRecord>;
  /** Reads, changes and writes one counter in a single transaction, so concurrent tabs never lose a count. */
  update(key: GuardKey, change: (current: GuardRecord) => GuardRecord): Promise<GuardRecord>;
  close(): void;
}

/** The counters over a lazily opened connection to the gallery database (see `lazyConnection`). */
export function openSecurityState(options: SecurityStateOptions = {}): SecurityState {
  const now = options.now ?? Date.now;
  const { connection, close } = lazyConnection(options);

  return {
    async read(key) {
      return toRecord(await (await connection()).get(STORES.security, key));
    },

    async update(key, change) {
      const tx = (await connection()).transaction(STORES.security, 'readwrite');
      const store = tx.objectStore(STORES.security);
      const next = toRecord(change(toRecord(await store.get(key))));
      const row: GuardRow = { key, schema: SCHEMA_VERSION, ...next, updated: now() };
      await store.put(row);
      await tx.done;
      return next;
    },

    close,
  };
}

/**
 * A connection to the gallery database opened on first use (migrated like any other open). When
 * another tab upgrades the database, or the browser closes it, the next call opens it again.
 */
export function lazyConnection(options: Pick<SecurityStateOptions, 'factory' | 'name'> = {}) {
  const factory = options.factory ?? defaultFactory();
  const name = options.name ?? DB_NAME;
  let db: Promise<IDBPDatabase<GallerySchema>> | null = null;
  const connection = () => {
    db ??= openDatabase(factory, name, {
      onVersionChange: () => void (db = null),
      onTerminated: () => void (db = null),
    });
    // A failed open is not kept: the next call tries again.
    db.catch(() => void (db = null));
    return db;
  };
  const close = () => {
    const open = db;
    db = null;
    void open?.then((d) => d.close()).catch(() => undefined);
  };
  return { connection, close };
}
