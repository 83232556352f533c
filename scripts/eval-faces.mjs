#!/usr/bin/env node
// Runs the Evaluate page's code on a labelled folder in headless Chromium, on the built app,
// and prints the figures.
//   npm run eval:faces -- --dir <folder> [--json] [--backend webgpu|webgl|wasm|cpu] [--model facedescriptor|faceres]
// <folder> holds one subfolder of images per identity. The reference is real photos:
// --dir ../shared/datasets/faces-celeb. Without --dir, the labelled set made from the packaged
// photos (scripts/make-face-set.mjs) is used: software variants of one capture per person, a
// robustness check only — its figures say nothing about accuracy across days and poses.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumArgs, findChromium } from './chromium-path.mjs';

const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const json = args.includes('--json');
const log = (...m) => (json ? console.error(...m) : console.log(...m));
const backend = opt('--backend');
const model = opt('--model');

let dir = opt('--dir');
if (!dir) {
  dir = 'e2e/fixtures/faces-labelled';
  log('No --dir: using the synthetic set (variants of one photo per person): a robustness check, not accuracy.');
  const r = spawnSync('node', ['scripts/make-face-set.mjs'], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
dir = resolve(dir);
if (!existsSync(dir)) {
  console.error(`No such folder: ${dir}`);
  process.exit(1);
}
const executablePath = findChromium();
if (!executablePath) {
  console.error("No Chromium found. Install Debian's: sudo apt-get install -y chromium (or set CHROMIUM_PATH).");
  process.exit(1);
}
if (args.includes('--build') || !existsSync('dist/index.html')) {
  const r = spawnSync('npm', ['run', 'build'], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const server = await preview({ preview: { port: 4191, strictPort: false }, logLevel: 'silent' });
const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4191/';
const browser = await chromium.launch({ executablePath, args: chromiumArgs({ webgpu: true }) });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  await page.goto(`${url}?automation${backend ? `&backend=${backend}` : ''}#/evaluate`);
  await page.waitForFunction(() => !!window.facet, null, { timeout: 60_000 });
  const runtime = await page.evaluate(() => window.facet.ready());
  if (runtime.status !== 'ready') throw new Error(`the app's runtime did not start: ${runtime.error}`);
  if (model) await page.evaluate((m) => window.facet.setEmbedder(m), model);
  log(`Evaluating ${dir} on ${runtime.backend}…`);
  await page.getByTestId('evaluate-input').setInputFiles(dir);
  const report = await page.evaluate(() => window.facet.evaluation());
  if (!report) throw new Error('the evaluation produced no report');
  const { roc, ...figures } = report;
  if (json) {
    console.log(JSON.stringify({ dir, ...figures, roc_points: roc.length }, null, 2));
  } else {
    console.table({
      model: figures.model,
      backend: figures.backend,
      images: figures.images,
      faces_found: figures.faces_found,
      identities: figures.identities,
      genuine_pairs: figures.genuine_pairs,
      impostor_pairs: figures.impostor_pairs,
      eer: figures.eer,
      tar_at_far_1e3: figures.tar_at_far_1e3,
      rank1: figures.rank1,
      threshold_at_eer: figures.threshold_at_eer,
      threshold: figures.threshold,
      frr_at_threshold: figures.frr_at_threshold,
      far_at_threshold: figures.far_at_threshold,
      calibrated_unlock_threshold: figures.calibration?.unlock.threshold,
      calibrated_identify_threshold: figures.calibration?.identify.threshold,
      one_shot_rank1: figures.one_shot?.rank1,
      one_shot_open_set_fmr: figures.one_shot?.open_set_fmr,
      one_shot_probes: figures.one_shot?.probes,
      ms_per_image: figures.ms_per_image,
    });
  }
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
