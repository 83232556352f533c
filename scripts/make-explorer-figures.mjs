#!/usr/bin/env node
// The layer-by-layer figures in docs/explorer.md: the built app in Chromium, the Explorer's figure
// card for each network over the full patch pool of the packaged pictures, with the saliency map
// of one patch, screenshot as the user sees it. Runs on the wasm backend by default (this machine's
// WebGPU is software and far slower); saliency takes gradients, which wasm has for these networks.
//   node scripts/make-explorer-figures.mjs [--backend wasm] [--pool 30] [--only faceres|resnet50|vgg19-random]
//     [--limit N] [--tag -webgpu]
// wasm has no gradient for depthwise convolutions, so FaceRes's saliency map needs --backend webgpu.
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumArgs, findChromium } from './chromium-path.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const backend = opt('--backend', 'wasm');
const pool = opt('--pool', '30');
const only = opt('--only', null);
// --limit N: at most N pool crops (the app's ?pool=N), for a run on a slow backend; --tag names the files.
const limit = opt('--limit', null);
const tag = opt('--tag', '');
const out = 'docs/explorer';
const networks = ['faceres', 'resnet50', 'vgg19-random'].filter((n) => !only || n === only);

if (!existsSync('dist/index.html')) {
  const r = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
await mkdir(out, { recursive: true });
const server = await preview({ preview: { port: 4193, strictPort: false }, logLevel: 'silent' });
const url = server.resolvedUrls?.local[0] ?? 'http://127.0.0.1:4193/';
const browser = await chromium.launch({ executablePath: findChromium(), args: chromiumArgs({ webgpu: true }) });
try {
  for (const id of networks) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 2600 } });
    page.on('pageerror', (e) => console.error('page error:', e.message));
    await page.goto(`${url}?automation&backend=${backend}${limit ? `&pool=${limit}` : ''}#/explore`);
    await page.waitForFunction(() => !!window.facet, null, { timeout: 60_000 });
    await page.evaluate(() => window.facet.ready());
    const status = page.getByTestId('explore-network-status');
    await status.and(page.locator('[data-status=ready]')).waitFor({ timeout: 300_000 });
    if (id !== 'faceres') {
      await page.getByTestId('explore-network').selectOption(id);
      const prompt = page.getByTestId('download-confirm');
      // ResNet-50 asks before its download (not where it is cached already).
      await prompt
        .waitFor({ timeout: 30_000 })
        .then(() => prompt.click())
        .catch(() => undefined);
      await page
        .locator(`[data-testid=explore-network-status][data-status=ready]`)
        .filter({ hasText: id === 'resnet50' ? 'ResNet' : 'VGG' })
        .waitFor({ timeout: 600_000 });
    }
    await page.getByTestId('pool-level').selectOption(pool);
    const t0 = Date.now();
    await page.getByTestId('figure-start').click();
    await page.locator('[data-testid=figure-status][data-runs="1"]').waitFor({ timeout: 1_800_000 });
    const summary = await page.getByTestId('figure-summary').textContent();
    const rfs = await page
      .getByTestId('figure-layer')
      .evaluateAll((els) => els.map((e) => `${e.dataset.layer}:${e.dataset.rf}`));
    console.log(
      `${id}: ${summary} (${((Date.now() - t0) / 1000).toFixed(0)} s on ${backend}); layers ${rfs.join(' ')}`,
    );
    const classes = await page.getByTestId('unit-classes').allTextContents();
    if (classes.length) console.log(`  class hints: ${classes.join(' | ')}`);
    // Why the first unit of the middle layer fired on its best patch.
    await page.getByTestId('figure-layer').nth(2).getByTestId('figure-patch').first().click();
    await page
      .locator('[data-testid=saliency]:is([data-status=done], [data-status=error])')
      .waitFor({ timeout: 300_000 });
    console.log(`  saliency: ${await page.getByTestId('saliency').textContent()}`);
    await page.locator('section[aria-labelledby=explore-figure]').screenshot({ path: `${out}/figure-${id}${tag}.png` });
    await page.close();
  }
} finally {
  await browser.close();
  await new Promise((r) => server.httpServer.close(r));
}
