// Built-in sample images (paintings for style, photos for content). They are written at
// build time by scripts/make-samples.mjs into public/samples/ and served from the app's own
// origin, so they work offline once cached; nothing here reaches the network beyond it.
import type { Fetcher } from './models';

export type SampleKind = 'painting' | 'photo';

export interface SampleEntry {
  id: string;
  file: string;
  title: string;
  kind: SampleKind;
  width: number;
  height: number;
  credit: string;
}

export class SampleLoadError extends Error {
  constructor(
    message: string,
    readonly sampleId: string | null = null,
  ) {
    super(message);
    this.name = 'SampleLoadError';
  }
}

/** Resolves a file in the samples folder of the app's own origin. */
export function sampleUrl(baseUrl: string, file: string): string {
  return `${baseUrl.replace(/\/?$/, '/')}samples/${file}`;
}

// A bare file name: a manifest must not be able to point the loader elsewhere.
const SAFE_FILE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

function parseEntry(raw: unknown, index: number): SampleEntry {
  const e = (raw ?? {}) as Record<string, unknown>;
  const ok =
    typeof e.id === 'string' &&
    typeof e.file === 'string' &&
    SAFE_FILE.test(e.file) &&
    typeof e.title === 'string' &&
    (e.kind === 'painting' || e.kind === 'photo') &&
    typeof e.width === 'number' &&
    e.width > 0 &&
    typeof e.height === 'number' &&
    e.height > 0 &&
    typeof e.credit === 'string';
  if (!ok) {
    throw new SampleLoadError(
      `The list of sample images is damaged (entry ${index + 1} is malformed). Reload the page; if this persists, reinstall the app.`,
    );
  }
  return {
    id: e.id as string,
    file: e.file as string,
    title: e.title as string,
    kind: e.kind as SampleKind,
    width: e.width as number,
    height: e.height as number,
    credit: e.credit as string,
  };
}

/** Fetches and validates samples/manifest.json. */
export async function fetchSampleManifest(baseUrl: string, fetcher: Fetcher = fetch): Promise<SampleEntry[]> {
  let res: Response;
  try {
    res = await fetcher(sampleUrl(baseUrl, 'manifest.json'));
  } catch {
    throw new SampleLoadError(
      'The sample images could not be listed: the app is offline and they are not cached yet. Connect once, or use your own image.',
    );
  }
  if (!res.ok) {
    throw new SampleLoadError(
      `The sample images could not be listed (HTTP ${res.status}). Reload the page, or use your own image.`,
    );
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    // A single-page-app fallback answers a missing file with index.html, which is not JSON.
    throw new SampleLoadError(
      'The list of sample images is missing from this build (got a page instead of the list). Use your own image.',
    );
  }
  if (!Array.isArray(body)) {
    throw new SampleLoadError(
      'The list of sample images is damaged (not a list). Reload the page; if this persists, reinstall the app.',
    );
  }
  return body.map(parseEntry);
}

/** Fetches one sample image as a Blob typed as an image. */
export async function loadSample(entry: SampleEntry, baseUrl: string, fetcher: Fetcher = fetch): Promise<Blob> {
  const name = `The sample image “${entry.title}”`;
  if (!SAFE_FILE.test(entry.file)) {
    throw new SampleLoadError(`${name} has an invalid file name (${entry.file}).`, entry.id);
  }
  let res: Response;
  try {
    res = await fetcher(sampleUrl(baseUrl, entry.file));
  } catch {
    throw new SampleLoadError(
      `${name} could not be loaded: the app is offline and it is not cached yet. Connect once, or use your own image.`,
      entry.id,
    );
  }
  if (!res.ok) {
    throw new SampleLoadError(
      `${name} could not be loaded (HTTP ${res.status}). Reload the page, or use your own image.`,
      entry.id,
    );
  }
  const blob = await res.blob();
  if (blob.size === 0) {
    throw new SampleLoadError(`${name} is empty. Reload the page, or use your own image.`, entry.id);
  }
  if (blob.type && !blob.type.startsWith('image/')) {
    throw new SampleLoadError(
      `${name} is missing from this build (the server sent ${blob.type.split(';')[0]} instead of an image). Use your own image.`,
      entry.id,
    );
  }
  if (blob.type) return blob;
  // Some servers and caches drop the content type; the decoder is told from the file name.
  const type = entry.file.toLowerCase().endsWith('.png') ? 'image/png' : 'image/jpeg';
  return new Blob([blob], { type });
}

/** The entry `id` of the manifest; a sentence to show when this build lacks it. */
export function findSample(entries: readonly SampleEntry[], id: string): SampleEntry {
  const entry = entries.find((e) => e.id === id);
  if (!entry) throw new SampleLoadError(`The sample "${id}" is missing from this build.`, id);
  return entry;
}

/** Fetches one sample as a File named after it, ready for the image decoder like a picked file. */
export async function loadSampleFile(entry: SampleEntry, baseUrl: string, fetcher: Fetcher = fetch): Promise<File> {
  const blob = await loadSample(entry, baseUrl, fetcher);
  return new File([blob], entry.file, { type: blob.type });
}
