/**
 * The rules for what the gallery stores, shared by the API (gallery.ts) and the backup importer
 * (backup.ts), so a backup can never bring in a record the API would have refused. Each check
 * returns a sentence describing the problem, or null; the callers add context and the error kind.
 */
import { TEMPLATE_SOURCES, type TemplateSource } from './schema';

export const LIMITS = {
  nameLength: 200,
  notesLength: 10_000,
  /** Larger than any embedder the app ships (FaceRes is 1024-D), small enough to catch a swapped image. */
  maxDim: 4096,
  /** A thumbnail is a small face crop; a multi-megabyte blob is a whole photo stored by mistake. */
  thumbnailBytes: 1024 * 1024,
  thumbnailSide: 4096,
} as const;

const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function nameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return 'The name must be text.';
  const trimmed = name.trim();
  if (trimmed === '') return 'The name is empty; type a name for this person.';
  if (trimmed.length > LIMITS.nameLength) return `The name is longer than ${LIMITS.nameLength} characters.`;
  return null;
}

export function notesProblem(notes: unknown): string | null {
  if (typeof notes !== 'string') return 'The notes must be text.';
  if (notes.length > LIMITS.notesLength) return `The notes are longer than ${LIMITS.notesLength} characters.`;
  return null;
}

export function modelIdProblem(modelId: unknown): string | null {
  if (typeof modelId !== 'string' || !MODEL_ID.test(modelId)) {
    return `The model id ${JSON.stringify(modelId)} is not valid (letters, digits, '.', '_' or '-', at most 64).`;
  }
  return null;
}

export function qualityProblem(quality: unknown): string | null {
  if (typeof quality !== 'number' || !Number.isFinite(quality) || quality < 0 || quality > 1) {
    return `The quality must be a number from 0 to 1 (got ${String(quality)}).`;
  }
  return null;
}

export function sourceProblem(source: unknown): string | null {
  if (!TEMPLATE_SOURCES.includes(source as TemplateSource)) {
    return `The source must be one of ${TEMPLATE_SOURCES.join(', ')} (got ${JSON.stringify(source)}).`;
  }
  return null;
}

export function embeddingProblem(embedding: ArrayLike<number>): string | null {
  const n = embedding.length;
  if (n === 0) return 'The embedding is empty.';
  if (n > LIMITS.maxDim) return `The embedding has ${n} values; at most ${LIMITS.maxDim} are allowed.`;
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    const v = embedding[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return `The embedding has an invalid value (${String(v)}) at position ${i}; the model output is broken.`;
    }
    if (v !== 0) nonZero = true;
  }
  // All zeros is what a failed GPU read-back looks like (see ARCHITECTURE.md on dataSync), never a face.
  if (!nonZero) return 'The embedding is all zeros; the model did not run correctly, so it was not stored.';
  return null;
}

export function sizeProblem(width: unknown, height: unknown): string | null {
  const ok = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= LIMITS.thumbnailSide;
  if (!ok(width) || !ok(height)) {
    return `The thumbnail size ${String(width)}×${String(height)} is not valid (whole pixels, 1 to ${LIMITS.thumbnailSide}).`;
  }
  return null;
}

export function imageTypeProblem(type: unknown): string | null {
  if (typeof type !== 'string' || !/^image\/[a-z0-9.+-]+$/.test(type)) {
    return `The thumbnail type ${JSON.stringify(type)} is not an image type.`;
  }
  return null;
}

export function thumbnailBytesProblem(size: number): string | null {
  if (size === 0) return 'The thumbnail image is empty.';
  if (size > LIMITS.thumbnailBytes) {
    return `The thumbnail is ${Math.ceil(size / 1024)} KiB; at most ${LIMITS.thumbnailBytes / 1024} KiB is allowed (store a small crop).`;
  }
  return null;
}

export function timestampProblem(ms: unknown): string | null {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) return `The time ${String(ms)} is not valid.`;
  return null;
}

export function idProblem(id: unknown): string | null {
  if (typeof id !== 'string' || id.length === 0 || id.length > 100) return `The id ${JSON.stringify(id)} is not valid.`;
  return null;
}
