#!/usr/bin/env node
// Builds the labelled face set used by `npm run eval:faces` and the Evaluate page's tests,
// from the six group photos shipped in @vladmandic/face-api (MIT).
//
// How the labels are made: every face the detector finds in a photo is one identity (22 faces
// in 6 photos; by eye, 22 different people). Each identity gets several images made from its
// one photo by changes a camera or a second capture would bring — mirror, lower resolution,
// darker exposure, a tilt, a tighter or looser crop, sensor noise — so labels are right by
// construction. What this set does not contain is a second session of the same person
// (other day, other pose, other expression): figures on it are an optimistic bound for
// genuine pairs, and they measure the pipeline's invariance, not a benchmark like LFW.
//
//   node scripts/make-face-set.mjs [--out e2e/fixtures/faces-labelled] [--force]
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const out = resolve(root, args.includes('--out') ? args[args.indexOf('--out') + 1] : 'e2e/fixtures/faces-labelled');
const PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
const CROP = 256;

async function upToDate() {
  if (args.includes('--force')) return false;
  try {
    const made = (await stat(join(out, 'manifest.json'))).mtimeMs;
    return made > (await stat(fileURLToPath(import.meta.url))).mtimeMs;
  } catch {
    return false;
  }
}

/** Variants of one face: [name, change to the 256-px crop, crop zoom, crop tilt in radians]. */
const VARIANTS = [
  ['original', (x) => x, 1],
  ['mirrored', (x) => tf.reverse(x, 1), 1],
  ['low-res', (x) => lowRes(x, 0.3), 1],
  ['dark', (x) => x.mul(0.55).add(0.02), 1],
  ['tilted', (x) => x, 1, 0.17],
  ['tight', (x) => x, 1.35],
  ['noisy', (x) => x.add(tf.randomNormal(x.shape, 0, 0.04, 'float32', 11)).clipByValue(0, 1), 0.85],
];

function lowRes(x, f) {
  const [h, w] = x.shape;
  return tf.image.resizeBilinear(tf.image.resizeBilinear(x, [Math.round(h * f), Math.round(w * f)]), [h, w]);
}

/** Square crop around the face, 2× the box, rotated by `angle` about the face centre. */
function cropFace(image, box, zoom, angle) {
  const side = (Math.max(box.width, box.height) * 2) / zoom;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const s = side / CROP;
  const cos = Math.cos(angle) * s;
  const sin = Math.sin(angle) * s;
  // Output pixel (u, v) → input (x, y): rotate and scale about the crop centre.
  const tx = cx - cos * (CROP / 2) + sin * (CROP / 2);
  const ty = cy - sin * (CROP / 2) - cos * (CROP / 2);
  const m = tf.tensor2d([[cos, -sin, tx, sin, cos, ty, 0, 0]]);
  const crop = tf.image.transform(image.expandDims(0), m, 'bilinear', 'nearest', 0, [CROP, CROP]).squeeze([0]);
  return crop;
}

async function writePng(path, t) {
  const [h, w] = t.shape;
  const rgb = await t.mul(255).clipByValue(0, 255).data();
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) {
    png.data[i * 4] = rgb[i * 3];
    png.data[i * 4 + 1] = rgb[i * 3 + 1];
    png.data[i * 4 + 2] = rgb[i * 3 + 2];
    png.data[i * 4 + 3] = 255;
  }
  await writeFile(path, PNG.sync.write(png));
}

if (await upToDate()) {
  console.log(`make-face-set: ${out} is up to date`);
  process.exit(0);
}
const t0 = Date.now();
await tf.setBackend('cpu');
const vite = await createServer({ root, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
try {
  const { FaceDetector } = await vite.ssrLoadModule('/src/ml/face/detector.ts');
  const { loadGraphModel } = await vite.ssrLoadModule('/src/ml/runtime/models.ts');
  const { prepareModels } = await import('./prepare-assets.mjs');
  const modelsDir = join(root, 'public', 'models');
  const manifest = await prepareModels(modelsDir);
  const entry = manifest.models.find((m) => m.id === 'blazeface');
  const model = await loadGraphModel(entry, '/', undefined, async (url) => {
    return new Response(new Uint8Array(await readFile(join(modelsDir, url.slice('/models/'.length)))));
  });
  const detector = new FaceDetector(model);
  await rm(out, { recursive: true, force: true });
  const identities = [];
  for (const [p, path] of PHOTOS.entries()) {
    const img = jpeg.decode(await readFile(path), { useTArray: true, maxMemoryUsageInMB: 2048 });
    const photo = tf.tidy(() =>
      tf.browser.fromPixels({ data: img.data, width: img.width, height: img.height }, 3).toFloat().div(255),
    );
    const faces = (await detector.detect(photo)).sort((a, b) => a.box.x - b.box.x);
    for (const [f, face] of faces.entries()) {
      const id = `photo${p + 1}-face${f + 1}`;
      await mkdir(join(out, id), { recursive: true });
      for (const [name, transform, zoom, angle = 0] of VARIANTS) {
        const crop = tf.tidy(() => transform(cropFace(photo, face.box, zoom, angle)));
        await writePng(join(out, id, `${name}.png`), crop);
        crop.dispose();
      }
      identities.push({ id, photo: `sample${p + 1}.jpg`, box: face.box, score: face.score });
    }
    photo.dispose();
  }
  await writeFile(
    join(out, 'manifest.json'),
    JSON.stringify(
      { source: '@vladmandic/face-api demo photos (MIT)', variants: VARIANTS.map((v) => v[0]), identities },
      null,
      2,
    ),
  );
  console.log(
    `make-face-set: ${identities.length} identities × ${VARIANTS.length} images in ${out} (${Date.now() - t0} ms)`,
  );
} finally {
  await vite.close();
}
