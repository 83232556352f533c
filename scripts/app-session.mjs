// Opens the built app in headless Chromium for the command-line tools (bench, stylize), so that
// what they measure is the code a user runs. Builds first when dist/ is missing or --build is given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumArgs, findChromium } from './chromium-path.mjs';

/**
 * @param {{ build?: boolean, webgpu?: boolean, port?: number, log?: (...m: unknown[]) => void, quietBuild?: boolean, outDir?: string }} o
 *   outDir: the build to serve (default dist/); only dist/ is built here.
 */
export async function startAppSession({
  fakeCamera = null,
  build = false,
  webgpu = true,
  port = 4190,
  log = console.error,
  quietBuild = true,
  outDir = 'dist',
} = {}) {
  const executablePath = findChromium();
  if (!executablePath) {
    throw new Error("No Chromium found. Install Debian's: sudo apt-get install -y chromium (or set CHROMIUM_PATH).");
  }
  if (outDir !== 'dist') {
    if (!existsSync(`${outDir}/index.html`))
      throw new Error(`No build in ${outDir}: run npx vite build --outDir ${outDir}`);
  } else if (build || !existsSync('dist/index.html')) {
    log('Building the app…');
    const r = spawnSync('npm', ['run', 'build'], { stdio: quietBuild ? ['ignore', 2, 2] : 'inherit' });
    if (r.status !== 0) throw new Error('the build failed');
  }
  const server = await preview({ build: { outDir }, preview: { port, strictPort: false }, logLevel: 'silent' });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath, args: chromiumArgs({ webgpu, fakeCamera }) });

  /**
   * Opens the app at `hash` with `query` (e.g. '?backend=wasm') and waits for its runtime. With
   * `isolated`, every response gets COOP/COEP headers (cross-origin isolation: SharedArrayBuffer,
   * so wasm threads) and the service worker is blocked so that no response bypasses them.
   */
  async function openApp(query = '', hash = '#/diagnostics', { isolated = false } = {}) {
    const context = await browser.newContext({
      permissions: ['camera'],
      viewport: { width: 1280, height: 860 },
      ...(isolated ? { serviceWorkers: 'block' } : {}),
    });
    if (isolated) {
      await context.route('**/*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({
          response,
          headers: {
            ...response.headers(),
            'cross-origin-opener-policy': 'same-origin',
            'cross-origin-embedder-policy': 'require-corp',
          },
        });
      });
    }
    const page = await context.newPage();
    page.on('pageerror', (e) => log('page error:', e.message));
    // ?automation loads window.facet, which a default load never has.
    await page.goto(`${url}${query ? `${query}&` : '?'}automation${hash}`);
    await page.waitForFunction(() => !!window.facet, null, { timeout: 60_000 });
    const runtime = await page.evaluate(() => window.facet.ready());
    if (runtime.status !== 'ready') throw new Error(`the app's runtime did not start: ${runtime.error}`);
    return { page, runtime };
  }

  async function close() {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
  }

  return { browser, openApp, close };
}
