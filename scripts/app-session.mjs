// Opens the built app in headless Chromium for the command-line tools (bench, stylize), so that
// what they measure is the code a user runs. Builds first when dist/ is missing or --build is given.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium } from '@playwright/test';
import { preview } from 'vite';
import { chromiumArgs, findChromium } from './chromium-path.mjs';
import { isolate } from './isolation.mjs';

/**
 * @param {{ build?: boolean, webgpu?: boolean, port?: number, log?: (...m: unknown[]) => void, quietBuild?: boolean, outDir?: string, fakeCamera?: string | null, statics?: Record<string, string> }} o
 *   outDir: the build to serve (default dist/); only dist/ is built here.
 *   statics: extra folders served beside the build, URL prefix → folder (e.g. a baseline library
 *   for the benchmark from node_modules), so that they never enter the app's bundle.
 */
export async function startAppSession({
  fakeCamera = null,
  build = false,
  webgpu = true,
  port = 4190,
  log = console.error,
  quietBuild = true,
  outDir = 'dist',
  statics = {},
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
  const server = await preview({
    build: { outDir },
    preview: { port, strictPort: false },
    logLevel: 'silent',
    plugins: Object.keys(statics).length ? [serveStatics(statics)] : [],
  });
  const url = server.resolvedUrls?.local[0] ?? `http://127.0.0.1:${port}/`;
  const browser = await chromium.launch({ executablePath, args: chromiumArgs({ webgpu, fakeCamera }) });

  /**
   * Opens the app at `hash` with `query` (e.g. '?backend=wasm') and waits for its runtime.
   *   context: open the page in this browser context (one that shares an earlier page's caches)
   *     instead of a new one.
   *   prepare(page): runs before the first navigation (e.g. to install a synthetic camera).
   *   isolated: every response gets COOP/COEP headers (cross-origin isolation: SharedArrayBuffer,
   *     so wasm threads) and the service worker is blocked so that no response bypasses them.
   * @param {{ context?: import('@playwright/test').BrowserContext | null, prepare?: ((page: import('@playwright/test').Page) => Promise<void>) | null, isolated?: boolean }} [o]
   */
  async function openApp(
    query = '',
    hash = '#/diagnostics',
    { context = null, prepare = null, isolated = false } = {},
  ) {
    if (!context) {
      context = await browser.newContext({
        permissions: ['camera'],
        viewport: { width: 1280, height: 860 },
        ...(isolated ? { serviceWorkers: 'block' } : {}),
      });
      if (isolated) await isolate(context);
    }
    const page = await context.newPage();
    if (prepare) await prepare(page);
    page.on('pageerror', (e) => log('page error:', e.message));
    // ?automation loads window.facet, which a default load never has.
    await page.goto(`${url}${query ? `${query}&` : '?'}automation${hash}`);
    await page.waitForFunction(() => !!window.facet, null, { timeout: 60_000 });
    const runtime = await page.evaluate(() => window.facet.ready());
    if (runtime.status !== 'ready') throw new Error(`the app's runtime did not start: ${runtime.error}`);
    return { page, runtime, context: page.context() };
  }

  async function close() {
    await browser.close();
    await new Promise((r) => server.httpServer.close(r));
  }

  return { browser, openApp, close };
}

const TYPES = {
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
};

/** A preview-server plugin serving each folder of `statics` under its URL prefix. */
function serveStatics(statics) {
  return {
    name: 'facet-bench-statics',
    configurePreviewServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0];
        const prefix = Object.keys(statics).find((p) => url.startsWith(p));
        if (!prefix) return next();
        const root = statics[prefix];
        const file = normalize(join(root, decodeURIComponent(url.slice(prefix.length))));
        if (!file.startsWith(normalize(root)) || !existsSync(file) || !statSync(file).isFile()) return next();
        res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        res.end(readFileSync(file));
      });
    },
  };
}
