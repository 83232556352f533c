/**
 * The gallery backup file: one JSON document a person can keep, move to another device and import.
 *
 *   {"format":"facet-gallery-backup","version":1,"created":"<ISO 8601>","app":"…",
 *    "counts":{"identities":n,"templates":n,"thumbnails":n},"sha256":"<hex>","payload":{…}}
 *
 * `sha256` is the SHA-256 of `JSON.stringify(payload)` in UTF-8. The exporter writes exactly that
 * text as the payload, and a JSON parse/stringify round trip reproduces it, so the check needs no
 * second copy of the data and survives nothing but an unchanged payload. Embeddings are base64 of
 * float32 little-endian bytes (bit-exact on any machine); thumbnails are base64 with their MIME type.
 *
 * Backups are always plaintext, even from an encrypted gallery: the export needs the gallery
 * unlocked, and the UI must say that the file is not protected by the passphrase. That keeps a
 * backup readable after the passphrase is changed or forgotten, which is the point of a backup.
 *
 * Import is decode → validate everything → plan → write in one transaction (in gallery.ts). This
 * module does the first three as pure functions, so every refusal is decided before any write.
 */
import { GalleryError } from './errors';
import {
  base64ToBytes,
  bytesEqual,
  bytesLEToFloat32,
  bytesToBase64,
  float32ToBytesLE,
  sha256Hex,
  utf8,
} from './encoding';
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

export const BACKUP_FORMAT = 'facet-gallery-backup';
export const BACKUP_VERSION = 1;
export const BACKUP_MIME_TYPE = 'application/json';
/** Far above any real gallery; stops a wrong multi-gigabyte file before it is read into memory. */
export const MAX_BACKUP_BYTES = 512 * 1024 * 1024;

export interface GalleryCounts {
  identities: number;
  templates: number;
  thumbnails: number;
}

export interface GalleryContent {
  identities: Identity[];
  templates: Template[];
  thumbnails: Thumbnail[];
}

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  created: string;
  app: string;
  counts: GalleryCounts;
  sha256: string;
}

export type ImportMode = 'merge' | 'replace';

export interface ImportReport {
  mode: ImportMode;
  /** Records written (including re-id'd ones). */
  added: GalleryCounts;
  /** Records already in the gallery with the same id and the same content. */
  skipped: GalleryCounts;
  /** Records whose id was taken by different content, written under a new id. */
  reIded: GalleryCounts;
}

export function zeroCounts(): GalleryCounts {
  return { identities: 0, templates: 0, thumbnails: 0 };
}

export function backupFileName(date: Date): string {
  return `facet-gallery-${date.toISOString().slice(0, 10)}.json`;
}

// --- export -------------------------------------------------------------------------------------

export async function encodeBackup(
  content: GalleryContent,
  opts: { app: string; created: Date },
): Promise<Uint8Array<ArrayBuffer>> {
  const thumbnails = await Promise.all(
    content.thumbnails.map(async (t) => ({
      id: t.id,
      identityId: t.identityId,
      templateId: t.templateId ?? null,
      type: t.blob.type,
      width: t.width,
      height: t.height,
      created: t.created,
      data: bytesToBase64(new Uint8Array(await t.blob.arrayBuffer())),
    })),
  );
  const payload = {
    identities: content.identities.map((i) => ({
      id: i.id,
      name: i.name,
      notes: i.notes,
      created: i.created,
      updated: i.updated,
    })),
    templates: content.templates.map((t) => ({
      id: t.id,
      identityId: t.identityId,
      modelId: t.modelId,
      dim: t.dim,
      quality: t.quality,
      source: t.source,
      created: t.created,
      embedding: bytesToBase64(float32ToBytesLE(t.embedding)),
    })),
    thumbnails,
  };
  const payloadText = JSON.stringify(payload);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    created: opts.created.toISOString(),
    app: opts.app,
    counts: {
      identities: payload.identities.length,
      templates: payload.templates.length,
      thumbnails: payload.thumbnails.length,
    },
    sha256: await sha256Hex(utf8(payloadText)),
  };
  const headerText = JSON.stringify(header);
  return utf8(`${headerText.slice(0, -1)},"payload":${payloadText}}`);
}

// --- import: decoding and validation ------------------------------------------------------------

function refuse(message: string): GalleryError {
  return new GalleryError('bad-backup', message);
}
const notBackup = (looksLike: string) => refuse(`This file is not a Facet backup (${looksLike}).`);
const damaged = (what: string) => refuse(`The backup is damaged: ${what}.`);
const invalidRecord = (what: string, problem: string) =>
  refuse(`The backup cannot be imported: ${what}: ${problem.replace(/^The /, 'the ')}`);

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

/**
 * Read and fully validate a backup file. Throws GalleryError 'bad-backup' with the first reason it
 * cannot be imported; on success every record is well-formed and internally consistent.
 */
export async function decodeBackup(
  data: Blob | ArrayBuffer | Uint8Array,
): Promise<{ header: BackupHeader; content: GalleryContent }> {
  const size = data instanceof Blob ? data.size : data.byteLength;
  if (size === 0) throw notBackup('the file is empty');
  if (size > MAX_BACKUP_BYTES) throw notBackup(`it is ${Math.round(size / 2 ** 20)} MiB, larger than any backup`);
  const bytes = await toBytes(data);
  const looksLike = sniff(bytes);
  if (looksLike !== null) throw notBackup(looksLike);

  // Not fatal on bad UTF-8: a damaged byte then shows up as a checksum mismatch, a clearer reason.
  const text = new TextDecoder('utf-8').decode(bytes);
  const ours = /"format"\s*:\s*"facet-gallery-backup"/.test(text.slice(0, 1024));
  let doc: unknown;
  try {
    doc = JSON.parse(text);
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
  if (!isObject(doc.payload)) throw damaged('it has no content');
  if ((await sha256Hex(utf8(JSON.stringify(doc.payload)))) !== doc.sha256) {
    throw damaged('its checksum does not match');
  }
  const { payload } = doc;

  const identities = payload.identities;
  const templates = payload.templates;
  const thumbnails = payload.thumbnails;
  if (!Array.isArray(identities) || !Array.isArray(templates) || !Array.isArray(thumbnails)) {
    throw damaged('its content is missing a list of identities, templates or thumbnails');
  }
  const counts = doc.counts;
  const expected: GalleryCounts = {
    identities: identities.length,
    templates: templates.length,
    thumbnails: thumbnails.length,
  };
  if (!isObject(counts)) throw damaged('its header has no counts');
  for (const store of ['identities', 'templates', 'thumbnails'] as const) {
    if (counts[store] !== expected[store]) {
      throw damaged(`its header counts ${String(counts[store])} ${store}, but it holds ${expected[store]}`);
    }
  }

  const content: GalleryContent = {
    identities: identities.map((raw, i) => decodeIdentity(raw, i)),
    templates: [],
    thumbnails: [],
  };
  const identityIds = uniqueIds(content.identities, 'identity');

  const dims = new Map<string, number>();
  content.templates = templates.map((raw, i) => {
    const t = decodeTemplate(raw, i);
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
  uniqueIds(content.templates, 'template');
  const templateOwners = new Map(content.templates.map((t) => [t.id, t.identityId]));

  content.thumbnails = thumbnails.map((raw, i) => {
    const t = decodeThumbnail(raw, i);
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
  uniqueIds(content.thumbnails, 'thumbnail');

  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    version,
    created: typeof doc.created === 'string' ? doc.created : '',
    app: typeof doc.app === 'string' ? doc.app : '',
    counts: expected,
    sha256: doc.sha256,
  };
  return { header, content };
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

// --- import: merge planning ---------------------------------------------------------------------

/** The gallery's records that share an id with a record in the backup (only those are compared). */
export interface Colliding {
  identities: ReadonlyMap<string, Identity>;
  templates: ReadonlyMap<string, Template>;
  thumbnails: ReadonlyMap<string, Thumbnail>;
}

const sameIdentity = (a: Identity, b: Identity) => a.name === b.name && a.notes === b.notes && a.created === b.created;

const sameTemplate = (a: Template, b: Template) =>
  a.identityId === b.identityId &&
  a.modelId === b.modelId &&
  a.dim === b.dim &&
  a.quality === b.quality &&
  a.source === b.source &&
  a.created === b.created &&
  bytesEqual(float32ToBytesLE(a.embedding), float32ToBytesLE(b.embedding));

async function sameThumbnail(a: Thumbnail, b: Thumbnail): Promise<boolean> {
  return (
    a.identityId === b.identityId &&
    a.templateId === b.templateId &&
    a.width === b.width &&
    a.height === b.height &&
    a.created === b.created &&
    a.blob.type === b.blob.type &&
    a.blob.size === b.blob.size &&
    bytesEqual(new Uint8Array(await a.blob.arrayBuffer()), new Uint8Array(await b.blob.arrayBuffer()))
  );
}

/**
 * Decide what a merge writes. A record whose id is free is added as is; one whose id is taken by the
 * same content is skipped (importing the same backup twice changes nothing); one whose id is taken
 * by different content gets a new id, and records pointing at it follow — nothing local is
 * overwritten and nothing in the backup is lost. Identities compare by name, notes and creation time.
 */
export async function planMerge(
  incoming: GalleryContent,
  existing: Colliding,
  newId: () => string,
): Promise<{ toAdd: GalleryContent; report: ImportReport }> {
  const report: ImportReport = { mode: 'merge', added: zeroCounts(), skipped: zeroCounts(), reIded: zeroCounts() };
  const toAdd: GalleryContent = { identities: [], templates: [], thumbnails: [] };

  const identityIds = new Map<string, string>();
  for (const identity of incoming.identities) {
    const local = existing.identities.get(identity.id);
    if (local === undefined) {
      toAdd.identities.push(identity);
      identityIds.set(identity.id, identity.id);
    } else if (sameIdentity(local, identity)) {
      report.skipped.identities++;
      identityIds.set(identity.id, identity.id);
    } else {
      const id = newId();
      toAdd.identities.push({ ...identity, id });
      identityIds.set(identity.id, id);
      report.reIded.identities++;
    }
  }

  const templateIds = new Map<string, string>();
  for (const template of incoming.templates) {
    const t = { ...template, identityId: identityIds.get(template.identityId) ?? template.identityId };
    const local = existing.templates.get(t.id);
    if (local === undefined) {
      toAdd.templates.push(t);
      templateIds.set(t.id, t.id);
    } else if (sameTemplate(local, t)) {
      report.skipped.templates++;
      templateIds.set(t.id, t.id);
    } else {
      const id = newId();
      toAdd.templates.push({ ...t, id });
      templateIds.set(t.id, id);
      report.reIded.templates++;
    }
  }

  for (const thumbnail of incoming.thumbnails) {
    const t: Thumbnail = {
      ...thumbnail,
      identityId: identityIds.get(thumbnail.identityId) ?? thumbnail.identityId,
      ...(thumbnail.templateId !== undefined
        ? { templateId: templateIds.get(thumbnail.templateId) ?? thumbnail.templateId }
        : {}),
    };
    const local = existing.thumbnails.get(t.id);
    if (local === undefined) {
      toAdd.thumbnails.push(t);
    } else if (await sameThumbnail(local, t)) {
      report.skipped.thumbnails++;
    } else {
      toAdd.thumbnails.push({ ...t, id: newId() });
      report.reIded.thumbnails++;
    }
  }

  report.added = {
    identities: toAdd.identities.length,
    templates: toAdd.templates.length,
    thumbnails: toAdd.thumbnails.length,
  };
  return { toAdd, report };
}

/** A sentence if `templates` disagree with the gallery's dimension for some model, else null. */
export function dimensionConflict(
  templates: readonly Template[],
  galleryDims: ReadonlyMap<string, number>,
): string | null {
  for (const t of templates) {
    const dim = galleryDims.get(t.modelId);
    if (dim !== undefined && dim !== t.dim) {
      return (
        `The backup's templates for model ${t.modelId} have ${t.dim} values, but this gallery's have ${dim}. ` +
        'Import it with "replace", or into an empty gallery. Nothing was imported.'
      );
    }
  }
  return null;
}
