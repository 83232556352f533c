#!/usr/bin/env node
// Measures the Siamese Lab on real embeddings: embeds the labelled face set with the app's own
// pipeline (BlazeFace → FaceMesh → alignment → embedder) on the tfjs cpu backend in Node, then,
// for several identity-disjoint splits, trains an adaptation head and a pair classifier on one
// half of the identities and prints held-out EER and AUC for raw cosine, cosine after the head
// and the pair classifier.
//   node scripts/lab-eval.mjs [--dir <folder>] [--model facedescriptor|faceres] [--splits 5]
//     [--test-fraction 0.5] [--steps N] [--kind linear|mlp] [--miner semi-hard|hardest|random]
//     [--margin α] [--lr η] [--pair-lr η] [--feature abs|chi2] [--no-cache] [--json]
// Training options not given take the defaults of src/ml/siamese/train.ts.
// <folder> holds one subfolder of images per identity (default: the set made by
// scripts/make-face-set.mjs). Embeddings are cached per image in node_modules/.cache/facet-lab,
// keyed by model and by the file's path, size and time, and saved as they are made: embedding on
// the cpu backend takes seconds per image, and an interrupted run resumes where it stopped.
import { spawnSync } from 'node:child_process';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createServer } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const num = (name, fallback) => Number(opt(name, String(fallback)));
const json = args.includes('--json');
const log = (...m) => (json ? console.error(...m) : console.log(...m));
const modelId = opt('--model', 'faceres');
const splits = num('--splits', 5);
const testFraction = num('--test-fraction', 0.5);
/** Options given on the command line; the rest take the library's defaults (src/ml/siamese/train.ts). */
const given = (pairs) =>
  Object.fromEntries(
    pairs.filter(([, flag]) => args.includes(flag)).map(([key, flag, parse]) => [key, parse(opt(flag))]),
  );
const headOptions = {
  modelId,
  ...given([
    ['kind', '--kind', String],
    ['miner', '--miner', String],
    ['margin', '--margin', Number],
    ['steps', '--steps', Number],
    ['learningRate', '--lr', Number],
  ]),
};
const pairOptions = {
  modelId,
  ...given([
    ['feature', '--feature', String],
    ['steps', '--steps', Number],
    ['learningRate', '--pair-lr', Number],
  ]),
};

let dir = opt('--dir');
if (!dir) {
  dir = join(root, 'e2e/fixtures/faces-labelled');
  const r = spawnSync('node', [join(root, 'scripts/make-face-set.mjs')], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
dir = resolve(dir);

const IMAGE_NAME = /\.(jpe?g|png)$/i;

async function listImages() {
  const files = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    for (const name of (await readdir(join(dir, entry.name))).sort()) {
      if (IMAGE_NAME.test(name)) files.push({ label: entry.name, path: join(dir, entry.name, name) });
    }
  }
  return files;
}

async function decode(path) {
  const bytes = await readFile(path);
  if (/\.png$/i.test(path)) {
    const png = PNG.sync.read(bytes);
    return { data: new Uint8Array(png.data), width: png.width, height: png.height };
  }
  const img = jpeg.decode(bytes, { useTArray: true, maxMemoryUsageInMB: 1024 });
  return { data: img.data, width: img.width, height: img.height };
}

/** Embeds the files not yet in `cache` (key → { label, embedding | null, ms }), saving as it goes. */
async function embedMissing(vite, files, cache, save) {
  const todo = files.filter((f) => !cache[f.key]);
  if (todo.length === 0) return;
  log(`Embedding ${todo.length} of ${files.length} images with ${modelId} on the tfjs cpu backend…`);
  const { FaceDetector } = await vite.ssrLoadModule('/src/ml/face/detector.ts');
  const { createEmbeddingNetwork, Embedder, EMBEDDERS } = await vite.ssrLoadModule('/src/ml/face/embedder.ts');
  const { LandmarkModel } = await vite.ssrLoadModule('/src/ml/face/landmarks.ts');
  const { FacePipeline, landmarkStage } = await vite.ssrLoadModule('/src/ml/face/pipeline.ts');
  const { pixelsToTensor } = await vite.ssrLoadModule('/src/ml/runtime/frames.ts');
  const { loadGraphModel, loadWeightsModel } = await vite.ssrLoadModule('/src/ml/runtime/models.ts');
  const { prepareModels } = await import('./prepare-assets.mjs');
  if (!EMBEDDERS[modelId]) throw new Error(`Unknown embedder ${modelId}; use ${Object.keys(EMBEDDERS).join(' or ')}.`);
  const modelsDir = join(root, 'public', 'models');
  const manifest = await prepareModels(modelsDir);
  const fetcher = async (url) =>
    new Response(new Uint8Array(await readFile(join(modelsDir, url.slice('/models/'.length)))));
  const entry = (id) => manifest.models.find((m) => m.id === id);
  const load = (id) => loadGraphModel(entry(id), '/', undefined, fetcher);
  const [blazeface, facemesh, network] = await Promise.all([
    load('blazeface'),
    load('facemesh'),
    createEmbeddingNetwork(EMBEDDERS[modelId], {
      graph: load,
      weights: async (id) => (await loadWeightsModel(entry(id), '/', undefined, fetcher)).weights,
    }),
  ]);
  const pipeline = new FacePipeline(
    new FaceDetector(blazeface),
    new Embedder(network, EMBEDDERS[modelId]),
    landmarkStage(new LandmarkModel(facemesh)),
  );
  try {
    for (const [i, file] of todo.entries()) {
      const t0 = performance.now();
      const frame = pixelsToTensor(await decode(file.path));
      try {
        const faces = await pipeline.analyse(frame);
        const face = [...faces].sort((a, b) => b.detection.box.height - a.detection.box.height)[0];
        cache[file.key] = {
          label: file.label,
          embedding: face ? Array.from(face.embedding) : null,
          ms: performance.now() - t0,
        };
      } finally {
        frame.dispose();
      }
      if ((i + 1) % 10 === 0 || i === todo.length - 1) {
        await save();
        log(`  embedded ${i + 1}/${todo.length}`);
      }
    }
  } finally {
    [blazeface, facemesh, network].forEach((m) => m.dispose());
  }
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (x) => `${(100 * x).toFixed(2)} %`;

await tf.setBackend('cpu');
const vite = await createServer({ root, server: { middlewareMode: true }, appType: 'custom', logLevel: 'error' });
try {
  const files = await listImages();
  if (files.length === 0)
    throw new Error(`No labelled images in ${dir}: it needs one subfolder of images per identity.`);
  for (const f of files) {
    const st = await stat(f.path);
    f.key = `${modelId}:${relative(root, f.path)}:${st.size}:${Math.round(st.mtimeMs)}`;
  }
  const cacheFile = join(root, 'node_modules/.cache/facet-lab', `embeddings-${modelId}.json`);
  const cache = args.includes('--no-cache') ? {} : await readFile(cacheFile, 'utf8').then(JSON.parse, () => ({}));
  const save = async () => {
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(cacheFile, JSON.stringify(cache));
  };
  await embedMissing(vite, files, cache, save);
  const entries = files.map((f) => cache[f.key]);
  const msPerImage = mean(entries.map((e) => e.ms));
  const skipped = entries.filter((e) => !e.embedding).length;
  log(`Embeddings: ${msPerImage.toFixed(0)} ms per image (measured when embedded), ${skipped} images without a face.`);

  const { splitByIdentity } = await vite.ssrLoadModule('/src/ml/siamese/split.ts');
  const { trainHead, trainPairClassifier } = await vite.ssrLoadModule('/src/ml/siamese/train.ts');
  const { compareOnHeldOut } = await vite.ssrLoadModule('/src/ml/siamese/compare.ts');
  const samples = entries
    .filter((e) => e.embedding)
    .map((e) => ({ label: e.label, embedding: Float32Array.from(e.embedding) }));

  const rows = [];
  for (let seed = 1; seed <= splits; seed++) {
    const split = splitByIdentity(samples, { testFraction, seed });
    log(`Split ${seed}/${splits}: training on ${split.trainIdentities.length} identities…`);
    const t0 = performance.now();
    const head = await trainHead(split.train, { ...headOptions, seed });
    const t1 = performance.now();
    const pair = await trainPairClassifier(split.train, { ...pairOptions, seed });
    const t2 = performance.now();
    const result = await compareOnHeldOut(split.test, { head: head.model, pairClassifier: pair.model });
    head.model.dispose();
    pair.model.dispose();
    const by = Object.fromEntries(result.methods.map((m) => [m.method, m]));
    const lossAt = (history, from, to) => mean(history.slice(from, to).map((s) => s.loss));
    rows.push({
      seed,
      train_identities: split.trainIdentities.length,
      train_samples: split.train.length,
      test_identities: result.identities,
      test_samples: result.samples,
      genuine_pairs: result.genuine_pairs,
      impostor_pairs: result.impostor_pairs,
      eer_cosine: by.cosine.eer,
      eer_head: by.head.eer,
      eer_pair: by['pair-classifier'].eer,
      auc_cosine: by.cosine.auc,
      auc_head: by.head.auc,
      auc_pair: by['pair-classifier'].auc,
      d_cosine: by.cosine.decidability,
      d_head: by.head.decidability,
      d_pair: by['pair-classifier'].decidability,
      head_loss_first10: lossAt(head.history, 0, 10),
      head_loss_last10: lossAt(head.history, -10),
      pair_loss_first10: lossAt(pair.history, 0, 10),
      pair_loss_last10: lossAt(pair.history, -10),
      head_ms: Math.round(t1 - t0),
      pair_ms: Math.round(t2 - t1),
    });
  }
  const summary = {
    model: modelId,
    dir,
    images: files.length,
    embedded: samples.length,
    identities: new Set(samples.map((s) => s.label)).size,
    ms_per_image: Math.round(msPerImage),
    splits,
    head: headOptions,
    pair: pairOptions,
    mean_eer_cosine: mean(rows.map((r) => r.eer_cosine)),
    mean_eer_head: mean(rows.map((r) => r.eer_head)),
    mean_eer_pair: mean(rows.map((r) => r.eer_pair)),
    mean_auc_cosine: mean(rows.map((r) => r.auc_cosine)),
    mean_auc_head: mean(rows.map((r) => r.auc_head)),
    mean_auc_pair: mean(rows.map((r) => r.auc_pair)),
    mean_d_cosine: mean(rows.map((r) => r.d_cosine)),
    mean_d_head: mean(rows.map((r) => r.d_head)),
    mean_d_pair: mean(rows.map((r) => r.d_pair)),
  };
  if (json) {
    console.log(JSON.stringify({ ...summary, rows }, null, 2));
  } else {
    console.table(
      rows.map((r) => ({
        seed: r.seed,
        'train ids': r.train_identities,
        'test ids': r.test_identities,
        'genuine/impostor': `${r.genuine_pairs}/${r.impostor_pairs}`,
        'EER cosine': pct(r.eer_cosine),
        'EER head': pct(r.eer_head),
        'EER pair': pct(r.eer_pair),
        'AUC cosine': r.auc_cosine.toFixed(4),
        'AUC head': r.auc_head.toFixed(4),
        'AUC pair': r.auc_pair.toFixed(4),
        "d' cosine/head/pair": [r.d_cosine, r.d_head, r.d_pair].map((d) => d.toFixed(2)).join(' / '),
        'head loss': `${r.head_loss_first10.toFixed(3)} → ${r.head_loss_last10.toFixed(3)}`,
        'pair loss': `${r.pair_loss_first10.toFixed(3)} → ${r.pair_loss_last10.toFixed(3)}`,
        'train ms': `${r.head_ms} + ${r.pair_ms}`,
      })),
    );
    log(
      `${summary.model}: ${summary.embedded} embeddings of ${summary.identities} identities; mean held-out EER over ${splits} splits: ` +
        `cosine ${pct(summary.mean_eer_cosine)}, head ${pct(summary.mean_eer_head)}, pair classifier ${pct(summary.mean_eer_pair)}; ` +
        `d' ${[summary.mean_d_cosine, summary.mean_d_head, summary.mean_d_pair].map((d) => d.toFixed(2)).join(' / ')}`,
    );
  }
} finally {
  await vite.close();
}
