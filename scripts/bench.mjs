#!/usr/bin/env node
// Runs Facet's benchmarks in headless Chromium on the built app and prints the figures,
// each beside a baseline measured in the same run (the tfjs cpu backend).
//   npm run bench                 human-readable table
//   npm run bench -- --json       one JSON object on stdout
//   options: --runs N (timed runs per case, default 10), --no-webgpu, --build (rebuild first),
//            --only backends|faces, --backend NAME (Face ID benchmarks' backend, default: the app's
//            choice), --sizes 1000,10000,100000,1000000 (1:N gallery sizes), --dim 192,
//            --frames N (frames of the unlock loop for the tensor-leak check, default 100)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { startAppSession } from './app-session.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 10;
const webgpu = !args.includes('--no-webgpu');
const opt = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const only = opt('--only');
const faceBackend = opt('--backend');
const sizes = (opt('--sizes') ?? '1000,10000,100000,1000000').split(',').map(Number);
const dim = Number(opt('--dim') ?? 192);
const frames = Number(opt('--frames') ?? 100);
const log = (...m) => (json ? console.error(...m) : console.log(...m));

if (only !== 'backends' && !existsSync('e2e/fixtures/face-a.png')) {
  const r = spawnSync('node', ['scripts/make-fixtures.mjs'], { stdio: ['ignore', 2, 2] });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let session;
try {
  session = await startAppSession({ build: args.includes('--build'), webgpu, log, quietBuild: json });
} catch (e) {
  console.error(e.message);
  process.exit(1);
}
const { browser, openApp } = session;
try {
  const report = { app: 'facet', date: new Date().toISOString(), chromium: browser.version(), runs };
  if (only !== 'faces') {
    const { page, runtime } = await openApp();
    log(`Backend in use: ${runtime.backend}; timing ${runs} runs per case on every backend…`);
    const t0 = Date.now();
    const result = await page.evaluate((n) => window.facet.bench(n), runs);
    if (!result) throw new Error('the benchmark did not run');
    const adapter = await page.evaluate(() => {
      const el = document.querySelector('[data-testid=adapter-vendor]');
      return el
        ? `${el.textContent} / ${document.querySelector('[data-testid=adapter-architecture]')?.textContent}`
        : null;
    });
    Object.assign(report, {
      backend: runtime.backend,
      adapter,
      baseline: 'cpu',
      wall_s: Math.round((Date.now() - t0) / 100) / 10,
      benchmarks: result.entries,
      skipped: result.skipped,
    });
    await page.close();
  }
  if (only !== 'backends') {
    const image = [...readFileSync('e2e/fixtures/face-a.png')];
    const run = async (query, options) => {
      const { page, runtime } = await openApp(query);
      log(`Face ID benchmarks on ${runtime.backend}…`);
      const r = await page.evaluate((o) => window.facet.benchFaces({ ...o, image: new Uint8Array(o.image) }), {
        ...options,
        image,
      });
      await page.close();
      return r;
    };
    const faces = await run(faceBackend ? `?backend=${faceBackend}` : '', { runs, sizes, dim, frames });
    // The per-stage baseline: the same stages on the tfjs cpu backend, in its own page so no
    // weights move between backends.
    const cpu = await run('?backend=cpu', { runs: Math.max(3, Math.round(runs / 3)) });
    report.face_stages = { ...faces.stages, model: faces.model, frame: faces.frame, baseline: cpu.stages };
    report.search = faces.search;
    report.leaks = faces.leaks;
  }
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    if (report.benchmarks) {
      console.log(
        `\nChromium ${report.chromium}, adapter ${report.adapter ?? 'none'}, baseline: cpu backend, same run\n`,
      );
      console.table(
        report.benchmarks.map((e) => ({
          benchmark: e.name,
          backend: e.backend,
          'median ms': e.median_ms,
          'p90 ms': e.p90_ms,
          'GFLOP/s': e.gflops,
          'cpu median ms': e.baseline?.median_ms,
          'speed-up': e.speedup_vs_baseline,
        })),
      );
      for (const s of report.skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
    }
    if (report.face_stages) {
      const f = report.face_stages;
      console.log(`\nFace ID stages, ms per ${f.frame} frame (${f.model}), median of ${f.runs}:`);
      console.table({ [f.backend]: f.median_ms, [`${f.baseline.backend} (baseline)`]: f.baseline.median_ms });
      console.log('\n1:N search, one probe, top 10 (ms); baseline: plain JS Euclidean scan over number arrays');
      console.table(report.search);
      if (report.leaks) console.log('\nTensor leak check:', report.leaks);
    }
  }
} finally {
  await session.close();
}
