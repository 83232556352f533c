/**
 * The gallery backup file: one JSON document a person can keep, move to another device and import.
 *
 *   {"format":"facet-gallery-backup","version":2,"created":"<ISO 8601>","app":"…",
 *    "counts":{"identities":n,"templates":n,"thumbnails":n},"auth":{…seal…},"sha256":"<hex>","payload":{…}}
 *
 * - `payload` holds the records; embeddings are base64 of float32 little-endian bytes (bit-exact on
 *   any machine), thumbnails base64 with their MIME type.
 * - `sha256` is a checksum of the payload's canonical JSON (backup-json.ts): it catches a damaged
 *   download, nothing more — anyone who edits the file can recompute it.
 * - `auth` is the seal (backup-seal.ts): an HMAC under a key derived from a password the person
 *   holds. Only a file whose seal verifies with that password is known to be the one Facet wrote.
 *   Files without one (version 1, or saved without a password) and files whose seal does not
 *   verify are still readable, but the app shows what they would change and asks first.
 *
 * Version 1 had no seal, and its `sha256` is of `JSON.stringify(payload)` as written; it is still
 * read. Backups are always plaintext, even from an encrypted gallery: the export needs the gallery
 * unlocked, and the UI says that the file is not encrypted. That keeps a backup readable after the
 * passphrase is changed or forgotten, which is the point of a backup.
 *
 * Import is read → check → plan (backup-plan.ts) → write in one transaction (gallery.ts). Reading
 * and checking are pure functions here, done in slices (pacer.ts), so every refusal is decided before
 * any write and a file of 200,000 people never freezes the page.
 */
import { concat, decodeUtf8Paced, parseJsonPaced, serialiseJsonPaced } from './backup-json';
import { IMPORT_LIMITS, type GalleryContent, type GalleryCounts } from './backup-plan';
import {
  checkSeal,
  newSealParams,
  readSeal,
  sealedHeader,
  tagFor,
  type BackupSeal,
  type SealCheck,
  type SealKeySource,
} from './backup-seal';
import { GalleryError, invalid } from './errors';
import { base64ToBytes, bytesLEToFloat32, bytesToBase64, float32ToBytesLE, sha256Hex, utf8 } from './encoding';
import { Pacer, type ProgressListener } from './pacer';
import type { Identity, Template, Thumbnail } from './records';
import type { TemplateSource } from './schema';
import {
  LIMITS,
  embeddingProblem,
  idProblem,
  imageTypeProblem,
  modelIdProblem,
  nameProblem,
  notesProblem,
  qualityProblem,
  sizeProblem,
  sourceProblem,
  thumbnailBytesProblem,
  timestampProblem,
} from './validate';

export {
  IMPORT_LIMITS,
  dimensionConflict,
  planImport,
  zeroCounts,
  type GalleryContent,
  type GalleryCounts,
  type ImportMode,
  type ImportPreview,
  type ImportReport,
  type PersonChange,
  type PersonSummary,
} from './backup-plan';
export type { SealCheck, SealKeySource } from './backup-seal';

export const BACKUP_FORMAT = 'facet-gallery-backup';
export const BACKUP_VERSION = 2;
export const BACKUP_MIME_TYPE = 'application/json';
/** Far above any real gallery; stops a wrong multi-gigabyte file before it is read into memory. */
export const MAX_BACKUP_BYTES = 512 * 1024 * 1024;
/** Totals per file, beside the per-person limits of IMPORT_LIMITS. */
export const MAX_BACKUP_RECORDS = 1_000_000;

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  created: string;
  app: string;
  counts: GalleryCounts;
  sha256: string;
  /** Whose password the seal needs; null when the file has no seal (version 1, or saved without one). */
  sealKey: SealKeySource | null;
  /** Why a seal that is there cannot be checked (an unknown method, a broken field); null otherwise. */
  sealProblem: string | null;
}

/** A backup read and validated: nothing in it is malformed; whether it is authentic is `checkBackupSeal`'s call. */
export interface BackupFile {
  header: BackupHeader;
  content: GalleryContent;
  /** What the seal covers, kept so that each password attempt needs no second read. */
  readonly sealed: { seal: BackupSeal; header: Record<string, unknown>; payload: Uint8Array } | null;
}

export interface BackupJobOptions {
  onProgress?: ProgressListener;
  pacer?: Pacer;
}

export interface SealOptions {
  password: string;
  keySource: SealKeySource;
  iterations: number;
}

export function backupFileName(date: Date): string {
  return `facet-gallery-${date.toISOString().slice(0, 10)}.json`;
}

// --- export -------------------------------------------------------------------------------------

export async function encodeBackup(
  content: GalleryContent,
  opts: { app: string; created: Date; seal?: SealOptions } & BackupJobOptions,
): Promise<Uint8Array<ArrayBuffer>> {
  const pacer = opts.pacer ?? new Pacer();
  const total = content.identities.length + content.templates.length + content.thumbnails.length;
  let done = 0;
  const tick = async () => {
    done++;
    if (pacer.due()) {
      opts.onProgress?.({ stage: 'saving', done, total });
      await pacer.yield();
    }
  };
  const identities = [];
  for (const i of content.identities) {
    identities.push({ id: i.id, name: i.name, notes: i.notes, created: i.created, updated: i.updated });
    await tick();
  }
  const templates = [];
  for (const t of content.templates) {
    templates.push({
      id: t.id,
      identityId: t.identityId,
      modelId: t.modelId,
      dim: t.dim,
      quality: t.quality,
      source: t.source,
      created: t.created,
      embedding: bytesToBase64(float32ToBytesLE(t.embedding)),
    });
    await tick();
  }
  const thumbnails = [];
  for (const t of content.thumbnails) {
    thumbnails.push({
      id: t.id,
      identityId: t.identityId,
      templateId: t.templateId ?? null,
      type: t.blob.type,
      width: t.width,
      height: t.height,
      created: t.created,
      data: bytesToBase64(new Uint8Array(await t.blob.arrayBuffer())),
    });
    await tick();
  }
  const payload = { identities, templates, thumbnails };
  const payloadBytes = await serialiseJsonPaced(payload, { canonical: true }, pacer);
  const header: Record<string, unknown> = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created: opts.created.toISOString(),
    app: opts.app,
    counts: { identities: identities.length, templates: templates.length, thumbnails: thumbnails.length },
  };
  if (opts.seal !== undefined) {
    const { params, key } = await newSealParams(opts.seal.password, opts.seal.keySource, opts.seal.iterations);
    header.auth = params;
    header.auth = { ...params, tag: await tagFor(key, sealedHeader(header), payloadBytes) };
  }
  header.sha256 = await sha256Hex(payloadBytes);
  const headerText = JSON.stringify(header);
  opts.onProgress?.({ stage: 'saving', done: total, total });
  return concat([utf8(`${headerText.slice(0, -1)},"payload":`), payloadBytes, utf8('}')]);
}

// --- import: reading, checking and validation ---------------------------------------------------

function refuse(message: string): GalleryError {
  return new GalleryError('bad-backup', message);
}
const notBackup = (looksLike: string) => refuse(`This file is not a Facet backup (${looksLike}).`);
const damaged = (what: string) => refuse(`The backup is damaged: ${what}.`);
const invalidRecord = (what: string, problem: string) =>
  refuse(`The backup cannot be imported: ${what}: ${problem.replace(/^The /, 'the ')}`);
const tooMany = (n: number, what: string, limit: number, per = '') =>
  refuse(
    `This backup holds ${n.toLocaleString('en')} ${what}${per ? ` for ${per}` : ''}; Facet imports at most ` +
      `${limit.toLocaleString('en')} ${what}${per ? ' per person' : ' from one backup'}.`,
  );

const SIGNATURES: readonly { bytes: readonly number[]; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], what: 'it looks like a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'it looks like a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'it looks like a GIF image' },
  { bytes: [0x25, 0x50, 0x44, 0x46, 0x2d], what: 'it looks like a PDF document' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'it looks like a ZIP archive' },
  { bytes: [0x1f, 0x8b], what: 'it looks like a gzip archive' },
];

function sniff(bytes: Uint8Array): string | null {
  for (const { bytes: magic, what } of SIGNATURES) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return what;
  }
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'it looks like a WebP image';
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function toBytes(data: Blob | ArrayBuffer | Uint8Array): Promise<Uint8Array> {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(await data.arrayBuffer());
}

const STORES = ['identities', 'templates', 'thumbnails'] as const;
const sealChecked = new WeakSet<BackupFile>();

/**
 * Read and fully validate a backup file, in slices, reporting progress. Throws GalleryError
 * 'bad-backup' with the first reason it cannot be imported at all (not a backup, damaged, malformed
 * records, over a limit); on success every record is well-formed and internally consistent. It does
 * not decide whether the file is authentic: see `checkBackupSeal`.
 */
export async function readBackup(
  data: Blob | ArrayBuffer | Uint8Array,
  opts: BackupJobOptions = {},
): Promise<BackupFile> {
  const pacer = opts.pacer ?? new Pacer();
  const progress = opts.onProgress ?? (() => undefined);
  const size = data instanceof Blob ? data.size : data.byteLength;
  if (size === 0) throw notBackup('the file is empty');
  if (size > MAX_BACKUP_BYTES) throw notBackup(`it is ${Math.round(size / 2 ** 20)} MiB, larger than any backup`);
  progress({ stage: 'reading', done: 0, total: size });
  const bytes = await toBytes(data);
  const looksLike = sniff(bytes);
  if (looksLike !== null) throw notBackup(looksLike);

  // Not fatal on bad UTF-8: a damaged byte then shows up as a checksum mismatch, a clearer reason.
  const text = await decodeUtf8Paced(bytes, pacer);
  const ours = /"format"\s*:\s*"facet-gallery-backup"/.test(text.slice(0, 1024));
  let doc: unknown;
  try {
    // Characters and bytes differ only past ASCII; close enough for a progress bar.
    doc = await parseJsonPaced(text, pacer, (done, total) =>
      progress({ stage: 'reading', done: Math.round((done / total) * size), total: size }),
    );
  } catch {
    if (ours) throw damaged('it is incomplete or broken (was the download or copy interrupted?)');
    throw notBackup(/^\s*[[{]/.test(text) ? 'it is not valid JSON' : 'it is not a JSON document');
  }
  if (!isObject(doc) || doc.format !== BACKUP_FORMAT) throw notBackup('it is JSON, but not written by Facet');

  const version = doc.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw damaged('its format version is missing or not valid');
  }
  if (version > BACKUP_VERSION) {
    throw refuse(
      `This backup was made by a newer version of Facet (backup format ${version}); update the app to import it.`,
    );
  }
  if (typeof doc.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(doc.sha256)) throw damaged('its checksum is missing');
  const payload = doc.payload;
  if (!isObject(payload)) throw damaged('it has no content');
  const lists = { identities: payload.identities, templates: payload.templates, thumbnails: payload.thumbnails };
  if (!Array.isArray(lists.identities) || !Array.isArray(lists.templates) || !Array.isArray(lists.thumbnails)) {
    throw damaged('its content is missing a list of identities, templates or thumbnails');
  }
  const raw = lists as Record<(typeof STORES)[number], unknown[]>;
  const expected: GalleryCounts = {
    identities: raw.identities.length,
    templates: raw.templates.length,
    thumbnails: raw.thumbnails.length,
  };
  const counts = doc.counts;
  if (!isObject(counts)) throw damaged('its header has no counts');
  for (const store of STORES) {
    if (counts[store] !== expected[store]) {
      throw damaged(`its header counts ${String(counts[store])} ${store}, but it holds ${expected[store]}`);
    }
  }
  if (expected.identities > IMPORT_LIMITS.identities) {
    throw tooMany(expected.identities, 'people', IMPORT_LIMITS.identities);
  }
  if (expected.templates > MAX_BACKUP_RECORDS) throw tooMany(expected.templates, 'templates', MAX_BACKUP_RECORDS);
  if (expected.thumbnails > MAX_BACKUP_RECORDS) throw tooMany(expected.thumbnails, 'thumbnails', MAX_BACKUP_RECORDS);

  // Version 1 summed the payload as written; version 2 sums (and seals) its canonical form.
  progress({ stage: 'checking', done: 0, total: expected.identities + expected.templates + expected.thumbnails });
  const payloadBytes = await serialiseJsonPaced(payload, { canonical: version >= 2 }, pacer);
  if ((await sha256Hex(payloadBytes as Uint8Array<ArrayBuffer>)) !== doc.sha256) {
    throw damaged('its checksum does not match');
  }
  let sealed: BackupFile['sealed'] = null;
  let sealProblem: string | null = null;
  if (version >= 2 && doc.auth !== undefined) {
    const seal = readSeal(doc.auth);
    if (typeof seal === 'string') sealProblem = `The backup's seal cannot be checked: ${seal}.`;
    else sealed = { seal, header: sealedHeader(doc), payload: payloadBytes };
  }

  const content = await validate(raw, pacer, progress);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version,
    created: typeof doc.created === 'string' ? doc.created : '',
    app: typeof doc.app === 'string' ? doc.app : '',
    counts: expected,
    sha256: doc.sha256,
    sealKey: sealed?.seal.key ?? null,
    sealProblem,
  };
  return { header, content, sealed };
}

/**
 * Check the file's seal with a password: 'valid' (the file is the one that was sealed with it),
 * 'wrong-password' (the password does not fit the seal), or 'changed' (the password fits, but the
 * contents are not what was sealed). Only a 'valid' check marks the file as authentic.
 */
export async function checkBackupSeal(file: BackupFile, password: string): Promise<SealCheck> {
  if (file.sealed === null) throw invalid('This backup has no seal to check.');
  const result = await checkSeal(file.sealed.seal, password, file.sealed.header, file.sealed.payload);
  if (result === 'valid') sealChecked.add(file);
  return result;
}

/** True once `checkBackupSeal` found this file's seal valid. */
export function isSealVerified(file: BackupFile): boolean {
  return sealChecked.has(file);
}

async function validate(
  raw: Record<(typeof STORES)[number], unknown[]>,
  pacer: Pacer,
  progress: ProgressListener,
): Promise<GalleryContent> {
  const total = raw.identities.length + raw.templates.length + raw.thumbnails.length;
  let done = 0;
  const each = async <T>(list: unknown[], decode: (r: unknown, i: number) => T): Promise<T[]> => {
    const out: T[] = [];
    for (let i = 0; i < list.length; i++) {
      out.push(decode(list[i], i));
      done++;
      if (pacer.due()) {
        progress({ stage: 'checking', done, total });
        await pacer.yield();
      }
    }
    return out;
  };

  const identities = await each(raw.identities, decodeIdentity);
  const identityIds = uniqueIds(identities, 'identity');
  const names = new Map(identities.map((i) => [i.id, i.name]));

  const dims = new Map<string, number>();
  const templates = await each(raw.templates, (r, i) => {
    const t = decodeTemplate(r, i);
    const where = `template ${i + 1} (id ${t.id})`;
    if (!identityIds.has(t.identityId)) {
      throw invalidRecord(where, `it belongs to identity ${t.identityId}, which is not in the backup.`);
    }
    const dim = dims.get(t.modelId);
    if (dim !== undefined && dim !== t.dim) {
      throw invalidRecord(where, `templates of model ${t.modelId} have both ${dim} and ${t.dim} values.`);
    }
    dims.set(t.modelId, t.dim);
    return t;
  });
  uniqueIds(templates, 'template');
  perPerson(templates, 'templates', IMPORT_LIMITS.templatesPerIdentity, names);
  const templateOwners = new Map(templates.map((t) => [t.id, t.identityId]));

  const thumbnails = await each(raw.thumbnails, (r, i) => {
    const t = decodeThumbnail(r, i);
    const where = `thumbnail ${i + 1} (id ${t.id})`;
    if (!identityIds.has(t.identityId)) {
      throw invalidRecord(where, `it belongs to identity ${t.identityId}, which is not in the backup.`);
    }
    if (t.templateId !== undefined && templateOwners.get(t.templateId) !== t.identityId) {
      throw invalidRecord(
        where,
        `it refers to template ${t.templateId}, which is not in the backup for that identity.`,
      );
    }
    return t;
  });
  uniqueIds(thumbnails, 'thumbnail');
  perPerson(thumbnails, 'thumbnails', IMPORT_LIMITS.thumbnailsPerIdentity, names);
  progress({ stage: 'checking', done: total, total });
  return { identities, templates, thumbnails };
}

function perPerson(
  records: readonly { identityId: string }[],
  what: string,
  limit: number,
  names: ReadonlyMap<string, string>,
): void {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.identityId, (counts.get(r.identityId) ?? 0) + 1);
  for (const [identityId, n] of counts) {
    if (n > limit) throw tooMany(n, what, limit, names.get(identityId) ?? identityId);
  }
}

function uniqueIds(records: readonly { id: string }[], what: string): Set<string> {
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) throw invalidRecord(`${what} id ${r.id}`, 'it appears more than once.');
    seen.add(r.id);
  }
  return seen;
}

function check(where: string, problem: string | null): void {
  if (problem !== null) throw invalidRecord(where, problem);
}

function field(raw: unknown, where: string): Record<string, unknown> {
  if (!isObject(raw)) throw invalidRecord(where, 'it is not a record.');
  return raw;
}

function decodeIdentity(raw: unknown, i: number): Identity {
  const r = field(raw, `identity ${i + 1}`);
  const where = `identity ${i + 1} (id ${String(r.id)})`;
  check(where, idProblem(r.id));
  check(where, nameProblem(r.name));
  check(where, notesProblem(r.notes));
  check(where, timestampProblem(r.created));
  check(where, timestampProblem(r.updated));
  return {
    id: r.id as string,
    name: r.name as string,
    notes: r.notes as string,
    created: r.created as number,
    updated: r.updated as number,
  };
}

function decodeTemplate(raw: unknown, i: number): Template {
  const r = field(raw, `template ${i + 1}`);
  const where = `template ${i + 1} (id ${String(r.id)})`;
  check(where, idProblem(r.id));
  check(where, idProblem(r.identityId));
  check(where, modelIdProblem(r.modelId));
  const dim = r.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1 || dim > LIMITS.maxDim) {
    throw invalidRecord(where, `its dimension ${String(dim)} is not valid.`);
  }
  check(where, qualityProblem(r.quality));
  check(where, sourceProblem(r.source));
  check(where, timestampProblem(r.created));
  const bytes = typeof r.embedding === 'string' ? base64ToBytes(r.embedding) : null;
  if (bytes === null) throw invalidRecord(where, 'its embedding is not valid base64.');
  if (bytes.length !== dim * 4) {
    throw invalidRecord(where, `its embedding has ${bytes.length} bytes, but ${dim} float32 values need ${dim * 4}.`);
  }
  const embedding = bytesLEToFloat32(bytes);
  check(where, embeddingProblem(embedding));
  return {
    id: r.id as string,
    identityId: r.identityId as string,
    modelId: r.modelId as string,
    dim,
    quality: r.quality as number,
    source: r.source as TemplateSource,
    created: r.created as number,
    embedding,
  };
}

function decodeThumbnail(raw: unknown, i: number): Thumbnail {
  const r = field(raw, `thumbnail ${i + 1}`);
  const where = `thumbnail ${i + 1} (id ${String(r.id)})`;
  check(where, idProblem(r.id));
  check(where, idProblem(r.identityId));
  if (r.templateId !== null) check(where, idProblem(r.templateId));
  check(where, imageTypeProblem(r.type));
  check(where, sizeProblem(r.width, r.height));
  check(where, timestampProblem(r.created));
  const bytes = typeof r.data === 'string' ? base64ToBytes(r.data) : null;
  if (bytes === null) throw invalidRecord(where, 'its image data is not valid base64.');
  check(where, thumbnailBytesProblem(bytes.length));
  return {
    id: r.id as string,
    identityId: r.identityId as string,
    ...(r.templateId !== null ? { templateId: r.templateId as string } : {}),
    blob: new Blob([new Uint8Array(bytes)], { type: r.type as string }),
    width: r.width as number,
    height: r.height as number,
    created: r.created as number,
  };
}
