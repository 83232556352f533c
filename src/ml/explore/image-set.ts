// Where the Explorer's image set comes from: the built-in samples, the gallery's face thumbnails
// and files the user drops. Each read returns decoded bitmaps with a descriptor that identifies
// the image for the top-patch cache; the caller owns (and closes) the bitmaps.
import { decodeImageFile, decodeImageFiles, type DecodedImage } from '../runtime/image-file';
import { fetchSampleManifest, loadSampleFile, type SampleEntry } from '../runtime/samples';
import type { Fetcher } from '../runtime/models';
import type { ImageDescriptor } from './cache';

export type ImageOrigin = 'sample' | 'gallery' | 'dropped';

export interface SetImage {
  id: string;
  name: string;
  origin: ImageOrigin;
  bitmap: ImageBitmap;
  descriptor: ImageDescriptor;
}

/** What the Explorer reads from the gallery: its people and their thumbnails. */
export interface ThumbnailSource {
  listIdentities(): Promise<readonly { id: string; name: string }[]>;
  thumbnails(identityId: string): Promise<readonly { id: string; blob: Blob; created: number }[]>;
}

export interface ImageSetOptions {
  /** The app's base URL, under which samples/ is served. */
  baseUrl: string;
  fetcher?: Fetcher;
  /** Checks and decodes a file; default decodeImageFile (browser). */
  decode?(file: Blob & { name?: string }): Promise<Pick<DecodedImage, 'bitmap' | 'name' | 'notice'>>;
  /** Decodes a stored thumbnail; default createImageBitmap. */
  decodeThumbnail?(blob: Blob): Promise<ImageBitmap>;
  /** Opens the gallery; throws (a GalleryError of kind 'locked' when it is locked) when it cannot. */
  openGallery(): Promise<ThumbnailSource>;
}

export interface ImportResult {
  added: SetImage[];
  /** One sentence per file that was refused. */
  problems: string[];
  /** One sentence per file that was changed on the way in (downscaled). */
  notices: string[];
}

export interface ImageSetReader {
  loadSamples(): Promise<SetImage[]>;
  readGallery(): Promise<SetImage[]>;
  importFiles(files: readonly File[]): Promise<ImportResult>;
}

export function createImageSetReader(options: ImageSetOptions): ImageSetReader {
  const decode = options.decode ?? ((file) => decodeImageFile(file));
  const decodeThumbnail = options.decodeThumbnail ?? ((blob) => createImageBitmap(blob));
  let counter = 0;

  /** Runs `step` over `items`; on a failure closes what was made so far and rethrows. */
  async function collect<T>(items: readonly T[], step: (item: T, out: SetImage[]) => Promise<void>) {
    const out: SetImage[] = [];
    try {
      for (const item of items) await step(item, out);
    } catch (e) {
      out.forEach((i) => i.bitmap.close());
      throw e;
    }
    return out;
  }

  return {
    async loadSamples() {
      const entries = await fetchSampleManifest(options.baseUrl, options.fetcher);
      return collect(entries, async (entry: SampleEntry, out) => {
        const file = await loadSampleFile(entry, options.baseUrl, options.fetcher);
        const image = await decode(file);
        out.push({
          id: `sample-${entry.id}`,
          name: entry.title,
          origin: 'sample',
          bitmap: image.bitmap,
          descriptor: { name: `sample:${entry.file}`, size: file.size },
        });
      });
    },

    async readGallery() {
      const gallery = await options.openGallery();
      const identities = await gallery.listIdentities();
      return collect(identities, async (identity, out) => {
        const thumbnails = await gallery.thumbnails(identity.id);
        for (const [i, t] of thumbnails.entries()) {
          out.push({
            id: `gallery-${t.id}`,
            name: thumbnails.length > 1 ? `${identity.name} (${i + 1})` : identity.name,
            origin: 'gallery',
            bitmap: await decodeThumbnail(t.blob),
            descriptor: { name: `gallery:${t.id}`, size: t.blob.size, lastModified: t.created },
          });
        }
      });
    },

    async importFiles(files) {
      const { decoded, problems, notices } = await decodeImageFiles(files, decode);
      const added = decoded.map(({ file, image }): SetImage => ({
        id: `dropped-${++counter}`,
        name: image.name,
        origin: 'dropped',
        bitmap: image.bitmap,
        descriptor: { name: `file:${file.name}`, size: file.size, lastModified: file.lastModified },
      }));
      return { added, problems, notices };
    },
  };
}
