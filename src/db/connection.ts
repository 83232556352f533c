/**
 * Opening the database: the one place that calls `IDBFactory.open`, runs migrations, and turns the
 * ways an open can fail (blocked by another tab, a newer schema, no IndexedDB at all) into
 * GalleryErrors. The factory is a parameter so tests get a fresh in-memory IndexedDB each, and so the
 * app never reaches for `globalThis.indexedDB` anywhere else. (`idb`'s own `openDB` always uses the
 * global, hence the hand-rolled open around `wrap`.)
 */
import { wrap, type IDBPDatabase } from 'idb';
import { GalleryError, MESSAGES, toOpenError } from './errors';
import { runMigrations, type UpgradeTransaction } from './migrations';
import { SCHEMA_VERSION, type GallerySchema } from './schema';

export interface ConnectionEvents {
  /** Another tab wants a newer version; this connection has already been closed to let it. */
  onVersionChange?: () => void;
  /** The browser closed the connection on its own (e.g. site data cleared). */
  onTerminated?: () => void;
}

export function defaultFactory(): IDBFactory | undefined {
  try {
    return typeof indexedDB === 'undefined' ? undefined : indexedDB;
  } catch {
    // Some sandboxed iframes throw on merely reading `indexedDB`.
    return undefined;
  }
}

export function openDatabase(
  factory: IDBFactory | undefined,
  name: string,
  events: ConnectionEvents = {},
  version: number = SCHEMA_VERSION,
): Promise<IDBPDatabase<GallerySchema>> {
  if (factory === undefined) return Promise.reject(new GalleryError('unavailable', MESSAGES.unavailable));
  let request: IDBOpenDBRequest;
  try {
    request = factory.open(name, version);
  } catch (err) {
    return Promise.reject(toOpenError(err));
  }

  return new Promise((resolve, reject) => {
    let settled = false;
    let migrationError: unknown;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(toOpenError(err));
    };

    request.onupgradeneeded = (event) => {
      const upgradeTx = request.transaction;
      if (upgradeTx === null) return;
      const db = wrap(request.result) as IDBPDatabase<unknown>;
      const tx = wrap(upgradeTx) as unknown as UpgradeTransaction;
      // The outcome is reported through the open request; keep the aborted-transaction promise quiet.
      tx.done.catch(() => undefined);
      runMigrations(db, tx, event.oldVersion, event.newVersion ?? version).catch((err: unknown) => {
        migrationError = err;
        try {
          upgradeTx.abort();
        } catch {
          // Already finished: the error below still reports what went wrong.
        }
      });
    };

    // Fired when another tab keeps an older connection open and does not close it on request.
    request.onblocked = () => fail(new GalleryError('blocked', MESSAGES.blocked));

    request.onerror = (event) => {
      event.preventDefault();
      fail(migrationError ?? request.error);
    };

    request.onsuccess = () => {
      const raw = request.result;
      if (settled) {
        // We already told the caller "blocked"; the other tab closed later. Do not leak the connection.
        raw.close();
        return;
      }
      settled = true;
      raw.onversionchange = () => {
        raw.close();
        events.onVersionChange?.();
      };
      raw.onclose = () => events.onTerminated?.();
      resolve(wrap(raw) as unknown as IDBPDatabase<GallerySchema>);
    };
  });
}
