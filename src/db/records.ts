/**
 * Public record types and the conversion between them and stored rows. With no key the rows hold
 * the values in clear; with a key the sensitive part goes through AES-GCM (crypto.ts). Keeping both
 * directions here means the gallery, encryption toggling and backups all share one definition of
 * "what is sealed, bound to what".
 */
import { GalleryError, MESSAGES } from './errors';
import { bytesLEToFloat32, float32ToBytesLE, fromUtf8, utf8 } from './encoding';
import { seal, unseal } from './crypto';
import {
  SCHEMA_VERSION,
  type IdentityRow,
  type Sealed,
  type TemplateRow,
  type TemplateSource,
  type ThumbnailRow,
} from './schema';

export interface Identity {
  id: string;
  name: string;
  notes: string;
  /** Milliseconds since the epoch. */
  created: number;
  updated: number;
}

export interface Template {
  id: string;
  identityId: string;
  modelId: string;
  dim: number;
  quality: number;
  source: TemplateSource;
  created: number;
  embedding: Float32Array;
}

export interface Thumbnail {
  id: string;
  identityId: string;
  templateId?: string;
  blob: Blob;
  width: number;
  height: number;
  created: number;
}

// Additional authenticated data: everything in clear that gives a ciphertext its meaning.
export const identityAad = (r: { id: string }) => `facet/identities/${r.id}`;
export const templateAad = (r: { id: string; identityId: string; modelId: string; dim: number }) =>
  `facet/templates/${r.id}/${r.identityId}/${r.modelId}/${r.dim}`;
export const thumbnailAad = (r: { id: string; identityId: string; templateId?: string; type: string }) =>
  `facet/thumbnails/${r.id}/${r.identityId}/${r.templateId ?? ''}/${r.type}`;

function requireKey(key: CryptoKey | null): CryptoKey {
  if (key === null) throw new GalleryError('locked', MESSAGES.locked);
  return key;
}

function corrupt(what: string): GalleryError {
  return new GalleryError('corrupt', `A stored ${what} is damaged and cannot be read.`);
}

export async function encodeIdentity(key: CryptoKey | null, identity: Identity): Promise<IdentityRow> {
  const base = { schema: SCHEMA_VERSION, id: identity.id, created: identity.created, updated: identity.updated };
  if (key === null) return { ...base, name: identity.name, notes: identity.notes };
  const secret = utf8(JSON.stringify({ name: identity.name, notes: identity.notes }));
  return { ...base, sealed: await seal(key, secret, identityAad(identity)) };
}

export async function decodeIdentity(key: CryptoKey | null, row: IdentityRow): Promise<Identity> {
  const base = { id: row.id, created: row.created, updated: row.updated };
  if (!('sealed' in row)) return { ...base, name: row.name, notes: row.notes };
  const plain = await unseal(requireKey(key), row.sealed, identityAad(row));
  const secret = JSON.parse(fromUtf8(plain)) as { name?: unknown; notes?: unknown };
  if (typeof secret.name !== 'string' || typeof secret.notes !== 'string') throw corrupt('identity');
  return { ...base, name: secret.name, notes: secret.notes };
}

export async function encodeTemplate(key: CryptoKey | null, t: Template): Promise<TemplateRow> {
  const base = {
    schema: SCHEMA_VERSION,
    id: t.id,
    identityId: t.identityId,
    modelId: t.modelId,
    dim: t.dim,
    quality: t.quality,
    source: t.source,
    created: t.created,
  };
  if (key === null) return { ...base, embedding: t.embedding };
  return { ...base, sealed: await seal(key, float32ToBytesLE(t.embedding), templateAad(t)) };
}

/**
 * Write a row's embedding into `out` at `offset` — the packing path of `templatesForModel`, which
 * builds one matrix without an intermediate object per template.
 */
export async function decodeEmbeddingInto(
  key: CryptoKey | null,
  row: TemplateRow,
  out: Float32Array,
  offset: number,
): Promise<void> {
  if (!('sealed' in row)) {
    if (row.embedding.length !== row.dim) throw corrupt('template');
    out.set(row.embedding, offset);
    return;
  }
  const bytes = await unseal(requireKey(key), row.sealed, templateAad(row));
  if (bytes.length !== row.dim * 4) throw corrupt('template');
  bytesLEToFloat32(bytes, out, offset);
}

export async function decodeTemplate(key: CryptoKey | null, row: TemplateRow): Promise<Template> {
  const embedding = new Float32Array(row.dim);
  await decodeEmbeddingInto(key, row, embedding, 0);
  return {
    id: row.id,
    identityId: row.identityId,
    modelId: row.modelId,
    dim: row.dim,
    quality: row.quality,
    source: row.source,
    created: row.created,
    embedding,
  };
}

export async function encodeThumbnail(key: CryptoKey | null, t: Thumbnail): Promise<ThumbnailRow> {
  const type = t.blob.type;
  const base = {
    schema: SCHEMA_VERSION,
    id: t.id,
    identityId: t.identityId,
    ...(t.templateId !== undefined ? { templateId: t.templateId } : {}),
    type,
    width: t.width,
    height: t.height,
    created: t.created,
  };
  if (key === null) return { ...base, blob: t.blob };
  const bytes = new Uint8Array(await t.blob.arrayBuffer());
  return { ...base, sealed: await seal(key, bytes, thumbnailAad(base)) };
}

export async function decodeThumbnail(key: CryptoKey | null, row: ThumbnailRow): Promise<Thumbnail> {
  let blob: Blob;
  if ('sealed' in row) {
    const bytes = await unseal(requireKey(key), row.sealed, thumbnailAad(row));
    blob = new Blob([new Uint8Array(bytes)], { type: row.type });
  } else {
    blob = row.blob.type === row.type ? row.blob : new Blob([row.blob], { type: row.type });
  }
  return {
    id: row.id,
    identityId: row.identityId,
    ...(row.templateId !== undefined ? { templateId: row.templateId } : {}),
    blob,
    width: row.width,
    height: row.height,
    created: row.created,
  };
}

export function isSealedRow(row: IdentityRow | TemplateRow | ThumbnailRow): row is typeof row & { sealed: Sealed } {
  return 'sealed' in row;
}
