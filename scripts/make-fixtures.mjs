#!/usr/bin/env node
/**
 * make-fixtures.mjs — generate fake-webcam clips for the Playwright e2e tests.
 *
 * Why this exists: Chromium can replace the camera with a video file
 * (`--use-fake-device-for-media-stream --use-file-for-fake-video-capture=<file>.y4m`),
 * which lets the e2e suite enrol and verify a face deterministically, in CI,
 * without a camera. The clips are built from the MIT-licensed sample photos
 * shipped in @vladmandic/face-api (a devDependency), cropped down to one face,
 * and written as raw YUV4MPEG2 by hand so that no ffmpeg is needed.
 *
 * Outputs (generated, git-ignored) in e2e/fixtures/:
 *   face-a.y4m, face-b.y4m   30 static frames of person A / person B
 *   no-face.y4m              30 frames of a smooth synthetic scene, no face
 *   face-a.png, face-b.png   frame 0 of each face clip, as a 640x480 PNG
 *   rigid-a.y4m              person A's photo panned, zoomed and rotated (a held-up picture)
 *   live-a.y4m               person A with small head sway and two blinks (eyelids painted
 *                            over the eyes), the closest to a live user a still photo allows
 *   fixtures.json            what each file is (source, crop, person, frames)
 *
 * Usage:
 *   node scripts/make-fixtures.mjs            # skips if outputs are newer than this script
 *   node scripts/make-fixtures.mjs --force    # always regenerate
 *   node scripts/make-fixtures.mjs --verify   # also decode frame 0 of each .y4m back to
 *                                             # $TMPDIR/facet-fixtures-verify/*.png to eyeball
 *   node scripts/make-fixtures.mjs --full-range   # encode Y'CbCr full range (0..255)
 *
 * Colour range: the samples are converted with BT.601 coefficients. By default
 * they are stored in *limited* ("studio", Y 16..235) range, because Chromium's
 * fake capture device (checked on Chromium 156) decodes .y4m frames as limited
 * range regardless of the C420jpeg tag: full-range data comes out of a
 * <video> -> canvas round trip contrast-stretched by 255/219 with clipped
 * shadows and highlights. With limited range the browser sees the same pixels
 * as face-*.png (mean abs error under 1.5 levels per channel).
 *
 * The helpers (loadJpeg, renderFrame, writeY4m, readY4m, i420ToRgba, ...) are exported so
 * that tests can build extra clips, e.g. a "moving rigid photo" via renderFrame's
 * per-frame pan / zoom / rotation transform.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
const jpeg = require('jpeg-js');
const { PNG } = require('pngjs');

const SCRIPT_PATH = fileURLToPath(import.meta.url);
const ROOT = path.resolve(path.dirname(SCRIPT_PATH), '..');
export const SAMPLE_DIR = path.join(ROOT, 'node_modules/@vladmandic/face-api/demo');
export const OUT_DIR = path.join(ROOT, 'e2e/fixtures');

export const WIDTH = 640;
export const HEIGHT = 480;
export const FPS = 15;
export const FRAME_COUNT = 30;
/** 'limited' (what Chromium assumes, see header) or 'full'. */
export const DEFAULT_RANGE = 'limited';

// ---------------------------------------------------------------------------
// Crop rectangles, in source-image pixels, aspect 4:3 (w = h * 4 / 3).
// Chosen by eye (and checked with face-api's SSD detector, which found exactly
// one face in each rendered frame). Adjust here if a sample changes.
// ---------------------------------------------------------------------------

/** Person A — sample3.jpg (1920x1350): the woman on the left, blonde curly hair,
 *  frontal and upright. Face box ~ x 581..809, y 352..601 in the source. */
export const CROP_A = { sample: 'sample3.jpg', x: 285, y: 165, w: 800, h: 600 };

/** Person B — sample1.jpg (1920x1280): the woman on the left, dark-blonde hair tied
 *  with a black bow, face paint; near-frontal, upright. Face box ~ x 405..598,
 *  y 386..587 in the source. */
export const CROP_B = { sample: 'sample1.jpg', x: 163, y: 220, w: 680, h: 510 };

// ---------------------------------------------------------------------------
// Image helpers
// ---------------------------------------------------------------------------

/**
 * Decode a JPEG into { width, height, data: Uint8Array RGBA }.
 * jpeg-js caps memory at 512 MB by default; 1920px photos need less, but raise
 * the cap anyway so larger sources don't trip it.
 */
export function loadJpeg(file) {
  const img = jpeg.decode(fs.readFileSync(file), {
    useTArray: true,
    formatAsRGBA: true,
    maxMemoryUsageInMB: 1024,
    maxResolutionInMP: 100,
  });
  return { width: img.width, height: img.height, data: img.data };
}

/**
 * Render one WIDTH x HEIGHT RGBA frame from `src` by cropping `crop` (source
 * pixels; should be 4:3 to avoid distortion) and resampling bilinearly.
 *
 * Optional per-frame `transform`, applied about the crop centre, for "moving
 * rigid photo" clips:
 *   dx, dy  pan of the camera window, in source pixels (+x = window moves right,
 *           so the content moves left on screen)
 *   zoom    >1 zooms in (content appears larger), <1 zooms out
 *   angle   radians; the photo appears rotated by this much, clockwise on screen
 *           (screen y points down), around the frame centre
 * Pixels that fall outside the source are clamped to its edge, or painted
 * `opts.fill` ([r, g, b]) when given.
 * When the effective downscale exceeds ~1.5x, each output pixel averages an
 * n x n grid of bilinear samples so zoomed-out frames don't alias.
 */
export function renderFrame(src, crop, transform = {}, opts = {}) {
  const W = opts.width ?? WIDTH;
  const H = opts.height ?? HEIGHT;
  const out = opts.out ?? new Uint8Array(W * H * 4);
  const { dx = 0, dy = 0, zoom = 1, angle = 0 } = transform;

  const sxPerPx = crop.w / W / zoom; // source pixels per output pixel, x
  const syPerPx = crop.h / H / zoom;
  const cx = crop.x + crop.w / 2 + dx;
  const cy = crop.y + crop.h / 2 + dy;
  // Content rotated by +angle on screen => sample the source at R(-angle) * offset.
  const cos = Math.cos(-angle);
  const sin = Math.sin(-angle);

  const n = Math.max(1, Math.ceil(Math.max(sxPerPx, syPerPx) / 1.5));
  const inv = 1 / (n * n);
  const sw = src.width;
  const sh = src.height;
  const sd = src.data;
  const fill = opts.fill;

  for (let v = 0; v < H; v++) {
    for (let u = 0; u < W; u++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let j = 0; j < n; j++) {
        const oy = (v + (j + 0.5) / n - H / 2) * syPerPx;
        for (let i = 0; i < n; i++) {
          const ox = (u + (i + 0.5) / n - W / 2) * sxPerPx;
          // Source position in continuous coords (pixel centres at k + 0.5).
          const fx = cx + ox * cos - oy * sin - 0.5;
          const fy = cy + ox * sin + oy * cos - 0.5;
          if (fill && (fx < -0.5 || fy < -0.5 || fx > sw - 0.5 || fy > sh - 0.5)) {
            r += fill[0];
            g += fill[1];
            b += fill[2];
            continue;
          }
          const ix = Math.floor(fx);
          const iy = Math.floor(fy);
          const wx = fx - ix;
          const wy = fy - iy;
          // Clamp the 2x2 neighbourhood to the image (edge pixels repeat).
          const x0 = ix < 0 ? 0 : ix >= sw ? sw - 1 : ix;
          const x1 = ix + 1 < 0 ? 0 : ix + 1 >= sw ? sw - 1 : ix + 1;
          const y0 = iy < 0 ? 0 : iy >= sh ? sh - 1 : iy;
          const y1 = iy + 1 < 0 ? 0 : iy + 1 >= sh ? sh - 1 : iy + 1;
          const p00 = (y0 * sw + x0) * 4;
          const p10 = (y0 * sw + x1) * 4;
          const p01 = (y1 * sw + x0) * 4;
          const p11 = (y1 * sw + x1) * 4;
          const w00 = (1 - wx) * (1 - wy);
          const w10 = wx * (1 - wy);
          const w01 = (1 - wx) * wy;
          const w11 = wx * wy;
          r += sd[p00] * w00 + sd[p10] * w10 + sd[p01] * w01 + sd[p11] * w11;
          g += sd[p00 + 1] * w00 + sd[p10 + 1] * w10 + sd[p01 + 1] * w01 + sd[p11 + 1] * w11;
          b += sd[p00 + 2] * w00 + sd[p10 + 2] * w10 + sd[p01 + 2] * w01 + sd[p11 + 2] * w11;
        }
      }
      const o = (v * W + u) * 4;
      out[o] = Math.round(r * inv);
      out[o + 1] = Math.round(g * inv);
      out[o + 2] = Math.round(b * inv);
      out[o + 3] = 255;
    }
  }
  return out;
}

/**
 * A synthetic scene with no face: a few slow, broad colour waves plus a little
 * per-frame grain. `t` (0..1) drifts the waves so consecutive frames differ
 * slightly, like a real (noisy, slightly moving) camera; the drift is periodic
 * in t so a clip of t = i / n loops without a jump (Chromium loops the file).
 * Deterministic.
 */
export function renderNoFaceFrame(t, opts = {}) {
  const W = opts.width ?? WIDTH;
  const H = opts.height ?? HEIGHT;
  const out = new Uint8Array(W * H * 4);
  let seed = 0x9e3779b9 ^ Math.round(t * 1e6);
  const rand = () => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let z = seed;
    z = Math.imul(z ^ (z >>> 15), z | 1);
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61);
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296;
  };
  const ph = t * Math.PI * 2;
  for (let y = 0; y < H; y++) {
    const ny = y / H;
    for (let x = 0; x < W; x++) {
      const nx = x / W;
      // Diagonal base gradient (teal -> warm grey) with low-frequency waves.
      const w1 = Math.sin(nx * 3.1 + ny * 1.7 + 0.6 * Math.sin(ph));
      const w2 = Math.sin(nx * -1.3 + ny * 2.9 + 1.3 + 0.6 * Math.cos(ph));
      const w3 = Math.sin((nx + ny) * 5.3 + 0.7);
      const base = 0.5 * nx + 0.5 * ny;
      const grain = (rand() - 0.5) * 10;
      const o = (y * W + x) * 4;
      out[o] = clamp8(60 + 120 * base + 25 * w1 + 10 * w3 + grain);
      out[o + 1] = clamp8(110 + 60 * base + 20 * w2 + grain);
      out[o + 2] = clamp8(150 - 50 * base + 20 * w1 * w2 + 8 * w3 + grain);
      out[o + 3] = 255;
    }
  }
  return out;
}

function clamp8(x) {
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.round(x);
}

// ---------------------------------------------------------------------------
// YUV4MPEG2
// ---------------------------------------------------------------------------

// Full-range <-> limited-range scale factors (BT.601: Y 16..235, C 16..240).
const Y_SCALE = 219 / 255;
const C_SCALE = 224 / 255;

/**
 * RGBA -> planar I420 (Y, then U, then V), BT.601 (JPEG/JFIF coefficients),
 * in `range` 'full' (0..255) or 'limited' (Y 16..235, Cb/Cr 16..240).
 * Chroma is the average of each 2x2 block, which matches the centred chroma
 * siting that `C420jpeg` declares. W and H must be even.
 */
export function rgbaToI420(rgba, W = WIDTH, H = HEIGHT, range = DEFAULT_RANGE) {
  const lim = range === 'limited';
  const ys = lim ? Y_SCALE : 1;
  const yo = lim ? 16 : 0;
  const cs = lim ? C_SCALE : 1;
  const out = new Uint8Array((W * H * 3) / 2);
  const uOff = W * H;
  const vOff = uOff + (W * H) / 4;
  for (let i = 0, p = 0; i < W * H; i++, p += 4) {
    out[i] = clamp8(yo + ys * (0.299 * rgba[p] + 0.587 * rgba[p + 1] + 0.114 * rgba[p + 2]));
  }
  const cw = W / 2;
  for (let y = 0; y < H / 2; y++) {
    for (let x = 0; x < cw; x++) {
      const p0 = (2 * y * W + 2 * x) * 4;
      const p1 = p0 + W * 4;
      const r = (rgba[p0] + rgba[p0 + 4] + rgba[p1] + rgba[p1 + 4]) / 4;
      const g = (rgba[p0 + 1] + rgba[p0 + 5] + rgba[p1 + 1] + rgba[p1 + 5]) / 4;
      const b = (rgba[p0 + 2] + rgba[p0 + 6] + rgba[p1 + 2] + rgba[p1 + 6]) / 4;
      out[uOff + y * cw + x] = clamp8(128 + cs * (-0.168736 * r - 0.331264 * g + 0.5 * b));
      out[vOff + y * cw + x] = clamp8(128 + cs * (0.5 * r - 0.418688 * g - 0.081312 * b));
    }
  }
  return out;
}

/** Planar I420 (BT.601, `range` as in rgbaToI420) -> RGBA, nearest-neighbour chroma upsampling. */
export function i420ToRgba(yuv, W = WIDTH, H = HEIGHT, range = DEFAULT_RANGE) {
  const lim = range === 'limited';
  const ys = lim ? 1 / Y_SCALE : 1;
  const yo = lim ? 16 : 0;
  const cs = lim ? 1 / C_SCALE : 1;
  const out = new Uint8Array(W * H * 4);
  const uOff = W * H;
  const vOff = uOff + (W * H) / 4;
  const cw = W / 2;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const Y = (yuv[y * W + x] - yo) * ys;
      const c = (y >> 1) * cw + (x >> 1);
      const U = (yuv[uOff + c] - 128) * cs;
      const V = (yuv[vOff + c] - 128) * cs;
      const o = (y * W + x) * 4;
      out[o] = clamp8(Y + 1.402 * V);
      out[o + 1] = clamp8(Y - 0.344136 * U - 0.714136 * V);
      out[o + 2] = clamp8(Y + 1.772 * U);
      out[o + 3] = 255;
    }
  }
  return out;
}

export function y4mHeader(W = WIDTH, H = HEIGHT, fps = FPS) {
  return `YUV4MPEG2 W${W} H${H} F${fps}:1 Ip A1:1 C420jpeg\n`;
}

/**
 * Write a .y4m file. `frames` is an array (or iterable) of RGBA frames, or of
 * I420 buffers if `opts.yuv` is true. Identical frame objects are converted once.
 * opts: { width, height, fps, yuv, range ('limited' | 'full') }.
 */
export function writeY4m(file, frames, opts = {}) {
  const W = opts.width ?? WIDTH;
  const H = opts.height ?? HEIGHT;
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, y4mHeader(W, H, opts.fps ?? FPS));
    const frameTag = Buffer.from('FRAME\n');
    let lastIn = null;
    let lastYuv = null;
    for (const f of frames) {
      if (f !== lastIn) {
        lastIn = f;
        lastYuv = opts.yuv ? f : rgbaToI420(f, W, H, opts.range ?? DEFAULT_RANGE);
      }
      fs.writeSync(fd, frameTag);
      fs.writeSync(fd, lastYuv);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Parse a .y4m header and return { width, height, fps, frameCount, frame(i) -> I420 }. */
export function readY4m(file) {
  const buf = fs.readFileSync(file);
  const nl = buf.indexOf(0x0a);
  const header = buf.subarray(0, nl).toString('ascii');
  if (!header.startsWith('YUV4MPEG2 ')) throw new Error(`${file}: not a YUV4MPEG2 file`);
  const tokens = header.split(' ').slice(1);
  const tags = Object.fromEntries(tokens.map((t) => [t[0], t.slice(1)]));
  const width = Number(tags.W);
  const height = Number(tags.H);
  if (tags.C && !tags.C.startsWith('420')) throw new Error(`${file}: only 4:2:0 is supported`);
  const [num, den] = (tags.F ?? '30:1').split(':').map(Number);
  const frameSize = (width * height * 3) / 2;
  const offsets = [];
  let pos = nl + 1;
  while (pos < buf.length) {
    const eol = buf.indexOf(0x0a, pos);
    if (eol < 0 || buf.subarray(pos, pos + 5).toString('ascii') !== 'FRAME') {
      throw new Error(`${file}: bad frame header at byte ${pos}`);
    }
    offsets.push(eol + 1);
    pos = eol + 1 + frameSize;
  }
  if (pos !== buf.length) throw new Error(`${file}: truncated last frame`);
  return {
    width,
    height,
    fps: num / den,
    frameCount: offsets.length,
    frame: (i) => buf.subarray(offsets[i], offsets[i] + frameSize),
  };
}

export function writePng(file, rgba, W = WIDTH, H = HEIGHT) {
  const png = new PNG({ width: W, height: H });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  fs.writeFileSync(file, PNG.sync.write(png));
}

// ---------------------------------------------------------------------------
// Liveness clips
// ---------------------------------------------------------------------------

/** Person A's eyes in frame pixels of the untransformed crop: FaceMesh's corner points 33/133
 *  (image-left eye) and 362/263 (image-right eye), measured once on face-a.png. */
export const EYES_A = [
  [
    [259.4, 213.3],
    [290.2, 216.7],
  ],
  [
    [330.6, 216.8],
    [367.1, 213.4],
  ],
];

/**
 * A copy of `src` with the eyes of `crop` closed by `amount` (0 open … 1 shut): an upper lid of
 * the cheek's mean colour comes down over each eye, shaded a little darker towards its edge,
 * with a dark lash line once mostly shut. Painted in source pixels so that the clip's pan and
 * zoom move the lids with the face. FaceMesh reads person A's eye aspect ratio as 0.37 / 0.34
 * open and 0.19 / 0.18 at amount 0.8: a dip of about half, like a real blink's.
 */
export function closeEyes(src, crop, eyes, amount) {
  const out = { width: src.width, height: src.height, data: new Uint8Array(src.data) };
  if (amount <= 0) return out;
  const s = crop.w / WIDTH;
  const toSource = ([u, v]) => [crop.x + u * s, crop.y + v * s];
  const at = (x, y) => (Math.round(y) * src.width + Math.round(x)) * 4;
  for (const corners of eyes) {
    const [a, b] = corners.map(toSource);
    const cx = (a[0] + b[0]) / 2;
    const cy = (a[1] + b[1]) / 2;
    const rx = Math.hypot(b[0] - a[0], b[1] - a[1]) * 0.6;
    const ry = rx * 0.5;
    const skin = [0, 0, 0];
    let n = 0;
    for (let y = cy + ry * 2.2; y < cy + ry * 3.2; y++) {
      for (let x = cx - rx * 0.4; x < cx + rx * 0.4; x++, n++)
        for (let c = 0; c < 3; c++) skin[c] += src.data[at(x, y) + c];
    }
    for (let y = Math.floor(cy - ry * 1.3); y <= cy + ry * 1.3; y++) {
      for (let x = Math.floor(cx - rx * 1.1); x <= cx + rx * 1.1; x++) {
        const u = (x - cx) / rx;
        const q = u * u + ((y - cy) / ry) ** 2;
        if (q > 1.3) continue;
        const lidEdge = cy - ry + 2 * ry * amount * (0.75 + 0.25 * (1 - u * u));
        const i = at(x, y);
        const w = y < lidEdge ? Math.min(1, (1.3 - q) * 3) : 0;
        const shade = 0.9 + (0.1 * (y - (cy - ry))) / (2 * ry);
        for (let c = 0; c < 3; c++) out.data[i + c] = out.data[i + c] * (1 - w) + (skin[c] / n) * shade * w;
        if (amount > 0.6 && q < 1 && Math.abs(y - lidEdge) < 1.2) {
          for (let c = 0; c < 3; c++) out.data[i + c] = out.data[i + c] * 0.35 + 32;
        }
      }
    }
  }
  return out;
}

/**
 * Eyelid closure per frame of a blink at 15 fps: 400 ms from first to last moving frame, a slow
 * but ordinary blink (real ones take 100–400 ms). At 4 analysed frames a second (wasm on a
 * 2-core machine) a faster blink is often missed between frames.
 */
const BLINK = [0.5, 0.85, 1, 1, 0.85, 0.5];

/** 4 s of person A: a slow sway of a few pixels (a live head never holds still) and blinks at 1.3 s and 3.3 s. */
export function liveClip(src, crop, frames = 60) {
  const closed = new Map();
  const out = [];
  for (let i = 0; i < frames; i++) {
    const b = [20, 50].map((start) => BLINK[i - start] ?? 0).find((v) => v > 0) ?? 0;
    if (!closed.has(b)) closed.set(b, closeEyes(src, crop, EYES_A, b));
    const phase = (2 * Math.PI * i) / frames;
    out.push(renderFrame(closed.get(b), crop, { dx: 4 * Math.sin(phase), dy: 2 * Math.sin(2 * phase) }));
  }
  return out;
}

/** 4 s of person A's photo moved by hand: panned, zoomed and rotated, looping smoothly. */
export function rigidClip(src, crop, frames = 60) {
  const out = [];
  for (let i = 0; i < frames; i++) {
    const phase = (2 * Math.PI * i) / frames;
    out.push(
      renderFrame(src, crop, {
        dx: 30 * Math.sin(phase),
        dy: 12 * Math.sin(2 * phase),
        zoom: 1 + 0.12 * Math.sin(phase),
        angle: 0.12 * Math.sin(phase),
      }),
    );
  }
  return out;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

const OUTPUTS = [
  'face-a.y4m',
  'face-b.y4m',
  'no-face.y4m',
  'live-a.y4m',
  'rigid-a.y4m',
  'face-a.png',
  'face-b.png',
  'fixtures.json',
];

function upToDate(range) {
  const scriptTime = fs.statSync(SCRIPT_PATH).mtimeMs;
  const fresh = OUTPUTS.every((name) => {
    const p = path.join(OUT_DIR, name);
    return fs.existsSync(p) && fs.statSync(p).mtimeMs > scriptTime;
  });
  if (!fresh) return false;
  try {
    // Also rebuild if the last run used a different colour range.
    return JSON.parse(fs.readFileSync(path.join(OUT_DIR, 'fixtures.json'), 'utf8')).range === range;
  } catch {
    return false;
  }
}

/** Where a crop puts the face: the hand-measured source face box mapped into frame pixels. */
function faceBoxInFrame(crop, box) {
  const s = WIDTH / crop.w;
  return {
    x: Math.round((box.x - crop.x) * s),
    y: Math.round((box.y - crop.y) * s),
    w: Math.round(box.w * s),
    h: Math.round(box.h * s),
  };
}

// Approximate face boxes in source-photo pixels: face-api's SSD MobileNet v1
// run on the rendered 640x480 frames, mapped back and rounded. Only used to
// document the expected face position (approxFaceBox, in frame pixels) in
// fixtures.json; re-measure if a crop changes a lot.
const SOURCE_FACE_BOX = {
  'sample3.jpg': { x: 581, y: 352, w: 228, h: 249 },
  'sample1.jpg': { x: 405, y: 386, w: 193, h: 201 },
};

function main() {
  const args = new Set(process.argv.slice(2));
  const force = args.has('--force');
  const verify = args.has('--verify');
  const range = args.has('--full-range') ? 'full' : DEFAULT_RANGE;
  const t0 = performance.now();

  if (!force && !verify && upToDate(range)) {
    console.log(`make-fixtures: ${path.relative(ROOT, OUT_DIR)}/ is up to date (use --force to rebuild)`);
    return;
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });

  const manifest = {
    generatedBy: 'scripts/make-fixtures.mjs',
    sourceDir: path.relative(ROOT, SAMPLE_DIR),
    width: WIDTH,
    height: HEIGHT,
    fps: FPS,
    range,
    colour: `I420, BT.601 coefficients, ${range} range, chroma 2x2 averaged`,
    files: [],
  };

  const sources = new Map();
  for (const [label, crop] of [
    ['A', CROP_A],
    ['B', CROP_B],
  ]) {
    if (Math.abs(crop.w * 3 - crop.h * 4) > 1) {
      throw new Error(`crop for ${label} is not 4:3: ${JSON.stringify(crop)}`);
    }
    if (!sources.has(crop.sample)) sources.set(crop.sample, loadJpeg(path.join(SAMPLE_DIR, crop.sample)));
    const src = sources.get(crop.sample);
    const frame = renderFrame(src, crop);
    const base = `face-${label.toLowerCase()}`;
    // Static clip: the same frame repeated (writeY4m converts it once).
    writeY4m(path.join(OUT_DIR, `${base}.y4m`), Array(FRAME_COUNT).fill(frame), { range });
    writePng(path.join(OUT_DIR, `${base}.png`), frame);
    const box = SOURCE_FACE_BOX[crop.sample];
    const common = {
      person: label,
      source: crop.sample,
      sourceSize: { width: src.width, height: src.height },
      crop: { x: crop.x, y: crop.y, w: crop.w, h: crop.h },
      approxFaceBox: box ? faceBoxInFrame(crop, box) : null,
    };
    manifest.files.push({ file: `${base}.y4m`, kind: 'y4m', frames: FRAME_COUNT, motion: 'static', ...common });
    manifest.files.push({ file: `${base}.png`, kind: 'png', frames: 1, ...common });
  }

  const srcA = sources.get(CROP_A.sample);
  for (const [file, frames, motion] of [
    ['live-a.y4m', liveClip(srcA, CROP_A), 'sway of a few pixels, blinks at frames 20 and 50'],
    ['rigid-a.y4m', rigidClip(srcA, CROP_A), 'rigid: pan ±30 px, zoom ±12 %, rotation ±7°'],
  ]) {
    writeY4m(path.join(OUT_DIR, file), frames, { range });
    manifest.files.push({ file, kind: 'y4m', frames: frames.length, motion, person: 'A', source: CROP_A.sample });
  }

  const noFace = [];
  for (let i = 0; i < FRAME_COUNT; i++) noFace.push(renderNoFaceFrame(i / FRAME_COUNT));
  writeY4m(path.join(OUT_DIR, 'no-face.y4m'), noFace, { range });
  manifest.files.push({
    file: 'no-face.y4m',
    kind: 'y4m',
    frames: FRAME_COUNT,
    motion: 'slow drift',
    person: null,
    source: 'synthetic gradient + grain',
  });

  fs.writeFileSync(path.join(OUT_DIR, 'fixtures.json'), JSON.stringify(manifest, null, 2) + '\n');

  if (verify) {
    const dir = path.join(os.tmpdir(), 'facet-fixtures-verify');
    fs.mkdirSync(dir, { recursive: true });
    for (const name of ['face-a', 'face-b', 'no-face']) {
      const clip = readY4m(path.join(OUT_DIR, `${name}.y4m`));
      const rgba = i420ToRgba(clip.frame(0), clip.width, clip.height, range);
      const out = path.join(dir, `${name}.png`);
      writePng(out, rgba, clip.width, clip.height);
      console.log(`  verify: ${clip.frameCount} frames ${clip.width}x${clip.height}@${clip.fps} -> ${out}`);
    }
  }

  const ms = Math.round(performance.now() - t0);
  console.log(`make-fixtures: wrote ${OUTPUTS.length} files to ${path.relative(ROOT, OUT_DIR)}/ in ${ms} ms`);
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  main();
}
