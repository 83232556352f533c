/**
 * One error type for everything the gallery can refuse or fail at, with a `kind` the UI can switch on
 * and a message a person can act on. Storage failures arrive from IndexedDB as DOMExceptions with
 * browser-specific names; they are translated here, in one place, so no caller ever has to know them.
 */

export type GalleryErrorKind =
  /** The browser's storage quota is used up. */
  | 'full'
  /** Another tab holds the database at a different version. */
  | 'blocked'
  /** IndexedDB cannot be used here at all (some private modes, storage disabled). */
  | 'unavailable'
  /** The database was written by a newer version of Facet than this one. */
  | 'newer'
  /** A migration failed; the upgrade was rolled back. */
  | 'upgrade-failed'
  /** The caller passed something the gallery refuses to store. */
  | 'invalid'
  /** An identity or template that does not exist. */
  | 'not-found'
  /** The gallery is encrypted and has not been unlocked. */
  | 'locked'
  | 'wrong-passphrase'
  /** Another tab changed the gallery in a way that invalidates this operation. */
  | 'conflict'
  /** A backup file was refused before anything was written. */
  | 'bad-backup'
  /** A stored record cannot be read back (failed decryption, impossible shape). */
  | 'corrupt'
  /** The gallery was closed by `close()` or by the browser. */
  | 'closed'
  | 'unknown';

export class GalleryError extends Error {
  override readonly name = 'GalleryError';
  readonly kind: GalleryErrorKind;

  constructor(kind: GalleryErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.kind = kind;
  }
}

export const MESSAGES = {
  full: 'Storage is full: free space in the browser or delete old identities, then try again. Nothing was saved.',
  blocked: 'Facet is open in another tab with an older version; close the other tabs and reload.',
  replaced: 'Facet was updated in another tab; reload this tab to keep using the gallery.',
  unavailable:
    'This browser does not let Facet store data (private browsing, or site storage is turned off). ' +
    'Allow site data for Facet, or use a normal window, and reload.',
  newer: 'This gallery was written by a newer version of Facet; update the app.',
  closed: 'The gallery is closed; reload the page to open it again.',
  terminated: 'The browser closed the gallery database (site data may have been cleared); reload the page.',
  locked: 'The gallery is encrypted: unlock it with your passphrase first.',
  wrongPassphrase: 'That passphrase is not the one this gallery was encrypted with. Nothing was changed.',
} as const;

/** Names browsers use for a full quota; Firefox used its own before adopting the standard one. */
const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);
/** Names seen when IndexedDB is present but refuses to work (Firefox private mode, blocked storage, Safari). */
const UNAVAILABLE_NAMES = new Set(['SecurityError', 'InvalidStateError', 'UnknownError', 'NotAllowedError']);

/** The `name` of a DOMException or DOMException-like object, if it has one. */
export function errorName(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'name' in err) {
    const name = (err as { name: unknown }).name;
    return typeof name === 'string' ? name : undefined;
  }
  return undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  const name = errorName(err);
  if (name !== undefined) {
    const message = (err as { message?: unknown }).message;
    return typeof message === 'string' && message !== '' ? `${name}: ${message}` : name;
  }
  return String(err);
}

export function isQuotaError(err: unknown): boolean {
  const name = errorName(err);
  return name !== undefined && QUOTA_NAMES.has(name);
}

/** Translate anything thrown by IndexedDB (or already a GalleryError) into a GalleryError. */
export function toGalleryError(err: unknown): GalleryError {
  if (err instanceof GalleryError) return err;
  if (isQuotaError(err)) return new GalleryError('full', MESSAGES.full, { cause: err });
  return new GalleryError('unknown', `The gallery could not be read or written (${describe(err)}).`, { cause: err });
}

/** Translate a failure of `indexedDB.open()` itself, where the names mean different things. */
export function toOpenError(err: unknown): GalleryError {
  if (err instanceof GalleryError) return err;
  const name = errorName(err);
  if (name === 'VersionError') return new GalleryError('newer', MESSAGES.newer, { cause: err });
  if (name !== undefined && UNAVAILABLE_NAMES.has(name)) {
    return new GalleryError('unavailable', MESSAGES.unavailable, { cause: err });
  }
  return toGalleryError(err);
}

export function invalid(message: string): GalleryError {
  return new GalleryError('invalid', message);
}
