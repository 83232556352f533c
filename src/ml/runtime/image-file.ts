// Image files from a picker or a drop: recognise the format from its first bytes (not the
// file name), read the pixel size from the header before decoding, and refuse or downscale
// what would be unsafe to decode, with a sentence a person can act on.
import { errorMessage } from '../core/errors';

export type ImageKind = 'jpeg' | 'png' | 'gif' | 'webp' | 'bmp';

export interface ImageHeader {
  kind: ImageKind;
  width: number;
  height: number;
}

/** Longest side an image is decoded at; larger ones are downscaled while decoding. */
export const MAX_IMAGE_SIDE = 2048;
/** Images above this many pixels are refused outright: decoding them can exhaust memory. */
export const MAX_IMAGE_PIXELS = 150_000_000;
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

export class ImageInputError extends Error {
  constructor(
    message: string,
    readonly reason: 'not-image' | 'corrupt' | 'too-large' | 'empty',
  ) {
    super(message);
    this.name = 'ImageInputError';
  }
}

function u16be(b: Uint8Array, i: number) {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}
function u16le(b: Uint8Array, i: number) {
  return (b[i] ?? 0) | ((b[i + 1] ?? 0) << 8);
}
function u32be(b: Uint8Array, i: number) {
  return u16be(b, i) * 65536 + u16be(b, i + 2);
}
function u32le(b: Uint8Array, i: number) {
  return u16le(b, i) + u16le(b, i + 2) * 65536;
}
function ascii(b: Uint8Array, i: number, n: number) {
  return String.fromCharCode(...b.subarray(i, i + n));
}

function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] ?? 0;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = u16be(b, i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: u16be(b, i + 5), width: u16be(b, i + 7) };
    }
    if (len < 2) return null;
    i += 2 + len;
  }
  return null;
}

/**
 * Recognises an image from its leading bytes and reads its size from the header.
 * Returns null for anything that is not one of the supported formats. For JPEG the
 * header must include the frame marker, so pass enough of the file (64 KiB is plenty
 * in practice; the whole file is always correct).
 */
export function sniffImage(bytes: Uint8Array): ImageHeader | null {
  const b = bytes;
  if (b.length >= 24 && u32be(b, 0) === 0x89504e47 && u32be(b, 4) === 0x0d0a1a0a && ascii(b, 12, 4) === 'IHDR') {
    return { kind: 'png', width: u32be(b, 16), height: u32be(b, 20) };
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    const size = jpegSize(b);
    return size ? { kind: 'jpeg', ...size } : null;
  }
  if (b.length >= 10 && (ascii(b, 0, 6) === 'GIF87a' || ascii(b, 0, 6) === 'GIF89a')) {
    return { kind: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
  }
  if (b.length >= 30 && ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 4) === 'WEBP') {
    const chunk = ascii(b, 12, 4);
    if (chunk === 'VP8X') {
      return {
        kind: 'webp',
        width: 1 + (b[24]! | (b[25]! << 8) | (b[26]! << 16)),
        height: 1 + (b[27]! | (b[28]! << 8) | (b[29]! << 16)),
      };
    }
    if (chunk === 'VP8 ') return { kind: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
    if (chunk === 'VP8L') {
      const bits = u32le(b, 21);
      return { kind: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    return null;
  }
  if (b.length >= 26 && b[0] === 0x42 && b[1] === 0x4d) {
    const height = u32le(b, 22) | 0;
    return { kind: 'bmp', width: u32le(b, 18) | 0, height: Math.abs(height) };
  }
  return null;
}

/**
 * Whether a file is an SVG drawing: by its type or name, or by an `<svg` element at the start of
 * its text (after an optional byte-order mark, XML declaration, comments or doctype).
 */
export function isSvg(bytes: Uint8Array, name: string, type: string): boolean {
  if (type === 'image/svg+xml' || /\.svgz?$/i.test(name)) return true;
  const head = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 1024)).replace(/^\uFEFF/, '');
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]/i.test(head);
}

/** A guess at what a non-image file is, to make the refusal specific. */
export function describeNonImage(bytes: Uint8Array, name: string, type: string): string {
  if (ascii(bytes, 0, 5) === '%PDF-') return 'a PDF document';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return 'a ZIP archive';
  if (ascii(bytes, 4, 4) === 'ftyp') return /hei[cf]|avif/.test(ascii(bytes, 8, 4)) ? 'a HEIC/AVIF photo' : 'a video';
  if (type.startsWith('video/')) return 'a video';
  if (type.startsWith('text/') || /\.(txt|csv|json|md)$/i.test(name)) return 'a text file';
  return 'not an image Facet can read';
}

export interface DecodePlan {
  header: ImageHeader;
  /** Size to decode at (equal to the header's size unless downscaled). */
  width: number;
  height: number;
  downscaled: boolean;
  message: string | null;
}

/** Decides how to decode an image of the given header, or refuses it. */
export function planDecode(header: ImageHeader, fileName: string, maxSide = MAX_IMAGE_SIDE): DecodePlan {
  const { width, height } = header;
  if (width <= 0 || height <= 0) {
    throw new ImageInputError(`"${fileName}" is damaged: its header gives a size of ${width}×${height}.`, 'corrupt');
  }
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageInputError(
      `"${fileName}" is ${width}×${height} pixels (${Math.round((width * height) / 1e6)} megapixels), too large to open safely in the browser. Resize it below ${MAX_IMAGE_PIXELS / 1e6} megapixels and try again.`,
      'too-large',
    );
  }
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale === 1) return { header, width, height, downscaled: false, message: null };
  const w = Math.max(1, Math.round(width * scale));
  const h = Math.max(1, Math.round(height * scale));
  return {
    header,
    width: w,
    height: h,
    downscaled: true,
    message: `"${fileName}" is ${width}×${height}; it was downscaled to ${w}×${h} to keep the app responsive.`,
  };
}

export interface DecodedImage {
  bitmap: ImageBitmap;
  name: string;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
  /** Set when the image was downscaled, to be shown to the user. */
  notice: string | null;
}

/** Reads, checks and decodes an image file in the browser. The caller closes the bitmap. */
export async function decodeImageFile(file: Blob & { name?: string }, maxSide = MAX_IMAGE_SIDE): Promise<DecodedImage> {
  const name = file.name ?? 'image';
  if (file.size === 0) throw new ImageInputError(`"${name}" is empty (0 bytes).`, 'empty');
  if (file.size > MAX_FILE_BYTES) {
    throw new ImageInputError(
      `"${name}" is ${(file.size / 1048576).toFixed(0)} MB; Facet opens images up to ${MAX_FILE_BYTES / 1048576} MB.`,
      'too-large',
    );
  }
  const bytes = new Uint8Array(await file.arrayBuffer());
  const header = sniffImage(bytes);
  if (!header && isSvg(bytes, name, file.type)) {
    // An SVG is a drawing made of shapes, not a photo of a face: say so rather than "damaged".
    throw new ImageInputError(
      `"${name}" is an SVG drawing, which Facet does not open: it needs a photo made of pixels. Use a JPEG, PNG or WebP photo.`,
      'not-image',
    );
  }
  if (!header) {
    const looksLikeImage = file.type.startsWith('image/') || /\.(jpe?g|png|gif|webp|bmp)$/i.test(name);
    throw looksLikeImage
      ? new ImageInputError(
          `"${name}" looks like an image but its data is damaged or in an unsupported format. Try exporting it again as JPEG or PNG.`,
          'corrupt',
        )
      : new ImageInputError(
          `"${name}" is ${describeNonImage(bytes, name, file.type)}. Choose a JPEG, PNG, WebP, GIF or BMP image.`,
          'not-image',
        );
  }
  const plan = planDecode(header, name, maxSide);
  let bitmap: ImageBitmap;
  try {
    const blob = new Blob([bytes], { type: `image/${header.kind}` });
    bitmap = plan.downscaled
      ? await createImageBitmap(blob, { resizeWidth: plan.width, resizeHeight: plan.height, resizeQuality: 'high' })
      : await createImageBitmap(blob);
  } catch {
    throw new ImageInputError(
      `"${name}" could not be decoded: the ${header.kind.toUpperCase()} data is damaged or truncated. Try another copy of the image.`,
      'corrupt',
    );
  }
  return {
    bitmap,
    name,
    width: bitmap.width,
    height: bitmap.height,
    originalWidth: header.width,
    originalHeight: header.height,
    notice: plan.message,
  };
}

export interface DecodedFiles<T> {
  /** The files that decoded, in the order given, each with its file. */
  decoded: { file: File; image: T }[];
  /** One sentence per file that was refused. */
  problems: string[];
  /** One sentence per file that was changed on the way in (downscaled). */
  notices: string[];
}

/**
 * Decodes files one after another; a refused file is reported and skipped, so one bad file in a
 * drop of several does not lose the others.
 */
export async function decodeImageFiles<T extends { notice: string | null }>(
  files: readonly File[],
  decode: (file: File) => Promise<T>,
): Promise<DecodedFiles<T>> {
  const result: DecodedFiles<T> = { decoded: [], problems: [], notices: [] };
  for (const file of files) {
    try {
      const image = await decode(file);
      if (image.notice) result.notices.push(image.notice);
      result.decoded.push({ file, image });
    } catch (e) {
      result.problems.push(errorMessage(e));
    }
  }
  return result;
}
