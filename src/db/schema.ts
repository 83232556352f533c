/**
 * The shape of the gallery database as it is stored, and the version number that names that shape.
 *
 * Stored rows are not the objects the rest of the app sees: when encryption at rest is on, the
 * sensitive part of a row (a name, an embedding, a thumbnail's bytes) is replaced by `sealed`
 * ciphertext while the fields IndexedDB must index or the gallery must check without a key
 * (ids, model id, dim, timestamps) stay in clear. `gallery.ts` converts rows to public objects.
 *
 * Every row carries `schema`, the version of the row shape it was written with, so a migration can
 * tell an old row from a new one and a reader can refuse a row it does not understand.
 */
import type { DBSchema } from 'idb';

export const DB_NAME = 'facet-gallery';

/** Bump together with a new entry at the end of `MIGRATIONS` in migrations.ts. */
export const SCHEMA_VERSION = 3;

export const STORES = {
  identities: 'identities',
  templates: 'templates',
  thumbnails: 'thumbnails',
  meta: 'meta',
  /** Attempt counters (Face Unlock's lockout, the passphrase's wait): never in backups, never sealed. */
  security: 'security',
} as const;

export const DATA_STORES = [STORES.identities, STORES.templates, STORES.thumbnails] as const;

export type TemplateSource = 'photo' | 'webcam';
export const TEMPLATE_SOURCES: readonly TemplateSource[] = ['photo', 'webcam'];

/** AES-GCM output: the 12-byte IV used for this one record and the ciphertext with its tag. */
export interface Sealed {
  iv: Uint8Array;
  data: ArrayBuffer;
}

export interface IdentityRowBase {
  schema: number;
  id: string;
  created: number;
  updated: number;
}
export type IdentityRow = IdentityRowBase & ({ name: string; notes: string } | { sealed: Sealed });

export interface TemplateRowBase {
  schema: number;
  id: string;
  identityId: string;
  modelId: string;
  dim: number;
  quality: number;
  source: TemplateSource;
  created: number;
}
/** `sealed` holds the embedding as float32 little-endian bytes. */
export type TemplateRow = TemplateRowBase & ({ embedding: Float32Array } | { sealed: Sealed });

export interface ThumbnailRowBase {
  schema: number;
  id: string;
  identityId: string;
  templateId?: string;
  /** MIME type, kept in clear so a sealed thumbnail can be turned back into a typed Blob. */
  type: string;
  width: number;
  height: number;
  created: number;
}
export type ThumbnailRow = ThumbnailRowBase & ({ blob: Blob } | { sealed: Sealed });

export interface EncryptionParams {
  /** Random id of this key; every write checks it so two tabs never mix keys. */
  id: string;
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  salt: Uint8Array;
  cipher: 'AES-GCM-256';
  /** A known string sealed with the key: lets `unlock` tell a wrong passphrase without touching data. */
  check: Sealed;
}

/**
 * The one meta row the gallery itself uses. `revision` goes up with every write transaction, so a
 * bulk rewrite that had to read everything first (import, turning encryption on) can tell that
 * nothing changed in between.
 */
export interface StateRow {
  key: 'state';
  schema: number;
  revision: number;
  encryption: EncryptionParams | null;
}

export const NOTES_KEY = 'private-notes';

/**
 * The private notes Face Unlock opens: one row, sealed like a name (`sealed` holds the UTF-8 text)
 * when the gallery is encrypted, so turning encryption on or off rewrites it with the rest.
 */
export type NotesRow = { key: typeof NOTES_KEY; schema: number; updated: number } & (
  { text: string } | { sealed: Sealed }
);

export type MetaRow = StateRow | NotesRow;

/** What an attempt counter guards. */
export type GuardKey = 'face-unlock' | 'passphrase' | 'passcode';

export const PASSCODE_KEY = 'passcode-hash';

/**
 * The unlock passcode, stored only as a salted PBKDF2 hash, in the security store: never sealed
 * (it must be checked while the gallery is locked) and never in backups.
 */
export interface PasscodeRow {
  key: typeof PASSCODE_KEY;
  schema: number;
  kdf: 'PBKDF2-SHA-256';
  iterations: number;
  salt: Uint8Array;
  hash: Uint8Array;
  updated: number;
}

/**
 * One attempt counter, shared by every tab and kept across reloads: failed attempts in a row and
 * the time (ms since the epoch; 0: none) before which no attempt is allowed.
 */
export interface GuardRow {
  key: GuardKey;
  schema: number;
  failures: number;
  until: number;
  updated: number;
}

export const STATE_KEY = 'state';

export function initialState(): StateRow {
  return { key: STATE_KEY, schema: SCHEMA_VERSION, revision: 0, encryption: null };
}

/** The state row from what the meta store holds under STATE_KEY (nothing yet: the initial state). */
export function asState(row: MetaRow | undefined): StateRow {
  return row?.key === STATE_KEY ? row : initialState();
}

export const INDEXES = {
  templatesByIdentity: 'identityId',
  templatesByModel: 'modelId',
  /** Compound [identityId, modelId]: per-model counts from a key cursor, without loading embeddings. */
  templatesByIdentityModel: 'identityModel',
  thumbnailsByIdentity: 'identityId',
} as const;

export interface GallerySchema extends DBSchema {
  identities: { key: string; value: IdentityRow };
  templates: {
    key: string;
    value: TemplateRow;
    indexes: { identityId: string; modelId: string; identityModel: [string, string] };
  };
  thumbnails: { key: string; value: ThumbnailRow; indexes: { identityId: string } };
  meta: { key: string; value: MetaRow };
  security: { key: GuardKey | typeof PASSCODE_KEY; value: GuardRow | PasscodeRow };
}
