#!/usr/bin/env node
// Runs Facet's benchmarks in headless Chromium on the built app and prints the figures,
// each beside a baseline measured in the same run (the tfjs cpu backend).
//   npm run bench                 human-readable table
//   npm run bench -- --json       one JSON object on stdout
//   options: --runs N (timed runs per case, default 10), --no-webgpu, --build (rebuild first)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumArgs, findChromium } from './chromium-path.mjs';

const args = process.argv.slice(2);
const json = args.includes('--json');
const runs = Number(args[args.indexOf('--runs') + 1]) || 10;
const webgpu = !args.includes('--no-webgpu');
const log = (...m) => (json ? console.error(...m) : console.log(...m));

const executablePath = findChromium();
if (!executablePath) {
  console.error("No Chromium found. Install Debian's: sudo apt-get install -y chromium (or set CHROMIUM_PATH).");
  process.exit(1);
}
if (args.includes('--build') || !existsSync('dist/index.html')) {
  log('Building the app…');
  const r = spawnSync('npm', ['run', 'build'], { stdio: json ? ['ignore', 2, 2] : 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const server = await preview({ preview: { port: 4190, strictPort: false }, logLevel: 'silent' });
const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4190/';
const browser = await chromium.launch({ executablePath, args: chromiumArgs({ webgpu }) });
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => log('page error:', e.message));
  await page.goto(`${url}#/diagnostics`);
  await page.waitForFunction(() => !!window.facet, null, { timeout: 60_000 });
  const runtime = await page.evaluate(() => window.facet.ready());
  if (runtime.status !== 'ready') throw new Error(`the app's runtime did not start: ${runtime.error}`);
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
  const report = {
    app: 'facet',
    date: new Date().toISOString(),
    chromium: browser.version(),
    backend: runtime.backend,
    adapter,
    baseline: 'cpu',
    runs,
    wall_s: Math.round((Date.now() - t0) / 100) / 10,
    benchmarks: result.entries,
    skipped: result.skipped,
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`\nChromium ${report.chromium}, adapter ${adapter ?? 'none'}, baseline: cpu backend, same run\n`);
    const rows = result.entries.map((e) => ({
      benchmark: e.name,
      backend: e.backend,
      'median ms': e.median_ms,
      'p90 ms': e.p90_ms,
      'GFLOP/s': e.gflops,
      'cpu median ms': e.baseline?.median_ms,
      'speed-up': e.speedup_vs_baseline,
    }));
    console.table(rows);
    for (const s of result.skipped) console.log(`skipped ${s.backend}: ${s.reason}`);
  }
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
