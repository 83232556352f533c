import { readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  decodeImageFile,
  describeNonImage,
  ImageInputError,
  isSvg,
  MAX_IMAGE_SIDE,
  planDecode,
  sniffImage,
} from './image-file';

const sampleJpeg = readFileSync('node_modules/@vladmandic/face-api/demo/sample1.jpg');

function png(width: number, height: number): Uint8Array {
  const p = new PNG({ width, height });
  return PNG.sync.write(p);
}

function le(n: number, bytes: number) {
  return Array.from({ length: bytes }, (_, i) => (n >> (8 * i)) & 0xff);
}

describe('sniffImage', () => {
  it('reads a real JPEG’s size from its frame header (past the EXIF block)', () => {
    expect(sniffImage(sampleJpeg)).toEqual({ kind: 'jpeg', width: 1920, height: 1280 });
  });
  it('reads PNG, GIF, WebP (VP8X) and BMP headers', () => {
    expect(sniffImage(png(37, 21))).toEqual({ kind: 'png', width: 37, height: 21 });
    const gif = new Uint8Array([...'GIF89a'].map((c) => c.charCodeAt(0)).concat(le(320, 2), le(200, 2)));
    expect(sniffImage(gif)).toEqual({ kind: 'gif', width: 320, height: 200 });
    const webp = new Uint8Array(30);
    webp.set(
      [...'RIFF'].map((c) => c.charCodeAt(0)),
      0,
    );
    webp.set(
      [...'WEBPVP8X'].map((c) => c.charCodeAt(0)),
      8,
    );
    webp.set(le(8000 - 1, 3), 24);
    webp.set(le(6000 - 1, 3), 27);
    expect(sniffImage(webp)).toEqual({ kind: 'webp', width: 8000, height: 6000 });
    const bmp = new Uint8Array(26);
    bmp.set([0x42, 0x4d], 0);
    bmp.set(le(640, 4), 18);
    bmp.set(le(-480 >>> 0, 4), 22); // top-down bitmaps store a negative height
    expect(sniffImage(bmp)).toEqual({ kind: 'bmp', width: 640, height: 480 });
  });
  it('returns null for text, PDFs and a JPEG cut before its frame header', () => {
    expect(sniffImage(new TextEncoder().encode('hello, not an image'))).toBeNull();
    expect(sniffImage(new TextEncoder().encode('%PDF-1.7 ...'))).toBeNull();
    expect(sniffImage(sampleJpeg.subarray(0, 200))).toBeNull();
  });
});

describe('planDecode', () => {
  it('keeps images that fit', () => {
    const plan = planDecode({ kind: 'png', width: 1280, height: 720 }, 'a.png');
    expect(plan).toMatchObject({ width: 1280, height: 720, downscaled: false, message: null });
  });
  it('downscales an 8000-px photo to the longest side limit, keeping the aspect ratio', () => {
    const plan = planDecode({ kind: 'jpeg', width: 8000, height: 6000 }, 'big.jpg');
    expect(plan).toMatchObject({ width: MAX_IMAGE_SIDE, height: 1536, downscaled: true });
    expect(plan.message).toBe('"big.jpg" is 8000×6000; it was downscaled to 2048×1536 to keep the app responsive.');
  });
  it('refuses images too large to decode safely, and damaged headers', () => {
    expect(() => planDecode({ kind: 'png', width: 20000, height: 20000 }, 'x.png')).toThrow(ImageInputError);
    expect(() => planDecode({ kind: 'png', width: 20000, height: 20000 }, 'x.png')).toThrow(/400 megapixels/);
    expect(() => planDecode({ kind: 'png', width: 0, height: 10 }, 'x.png')).toThrow(/damaged/);
  });
});

describe('describeNonImage', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('names common non-images', () => {
    expect(describeNonImage(enc('%PDF-1.4'), 'a.pdf', 'application/pdf')).toBe('a PDF document');
    expect(describeNonImage(new Uint8Array([0x50, 0x4b, 3, 4]), 'a.zip', '')).toBe('a ZIP archive');
    expect(describeNonImage(enc('hello'), 'notes.txt', 'text/plain')).toBe('a text file');
    expect(describeNonImage(enc('\0\0\0\x18ftypmp42'), 'clip.mp4', 'video/mp4')).toBe('a video');
  });
});

describe('SVG files', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const drawing =
    '\uFEFF<?xml version="1.0"?>\n<!-- logo -->\n<!DOCTYPE svg>\n<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>';

  it('are recognised by type, by name or by their text', () => {
    expect(isSvg(enc(drawing), 'blob', '')).toBe(true);
    expect(isSvg(enc('<svg viewBox="0 0 1 1"/>'), 'x', '')).toBe(true);
    expect(isSvg(enc('anything'), 'logo.SVG', '')).toBe(true);
    expect(isSvg(enc('anything'), 'x', 'image/svg+xml')).toBe(true);
    expect(isSvg(enc('<html><body><svg></svg></body></html>'), 'page.html', 'text/html')).toBe(false);
    expect(isSvg(enc('hello'), 'notes.txt', 'text/plain')).toBe(false);
  });

  it('are refused with their own sentence, not as damaged images', async () => {
    const file = new File([drawing], 'face.svg', { type: 'image/svg+xml' });
    const refusal = decodeImageFile(file);
    await expect(refusal).rejects.toBeInstanceOf(ImageInputError);
    await expect(refusal).rejects.toMatchObject({
      reason: 'not-image',
      message:
        '"face.svg" is an SVG drawing, which Facet does not open: it needs a photo made of pixels. ' +
        'Use a JPEG, PNG or WebP photo.',
    });
    // Even named and typed as something else, the text says what it is.
    await expect(decodeImageFile(new File([drawing], 'face.png', { type: 'image/png' }))).rejects.toThrow(
      /"face\.png" is an SVG drawing/,
    );
  });
});
