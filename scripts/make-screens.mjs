// Screenshots of every page at a desktop and a phone size, light and dark, for looking at the
// layout as a user meets it: docs/screens/<page>-<width>-<theme>.png, plus the phone's "More"
// sheet open (more-390-<theme>.png). Serves the built app itself (builds first when dist/ is
// missing; --build rebuilds) in Debian's Chromium with the fake webcam the e2e suite uses.
//
//   npm run screens -- [--build] [--viewport] [page …]
//
// --viewport takes only what fits on the screen (what a user sees before scrolling) instead of
// the whole page. Naming pages (e.g. `unlock settings`) takes only those. The PNGs are
// committed, so a change of layout shows in review: rerun after one.
import { mkdir, readFile } from 'node:fs/promises';
import { startAppSession } from './app-session.mjs';

const SIZES = [
  { width: 1280, height: 800 },
  { width: 390, height: 844 },
];
const THEMES = ['light', 'dark'];
const OUT = 'docs/screens';

const args = process.argv.slice(2);
const fullPage = !args.includes('--viewport');
const wanted = args.filter((a) => !a.startsWith('--'));

// The routes, read from the app's own list so a new page is taken without editing this script.
const routesSource = await readFile('src/ui/routes.ts', 'utf8');
const routes = [...routesSource.matchAll(/\bid: '([a-z-]+)'/g)].map((m) => m[1]);
const pages = wanted.length ? routes.filter((r) => wanted.includes(r)) : routes;
if (pages.length === 0) throw new Error(`No such page: ${wanted.join(', ')} (pages: ${routes.join(', ')})`);

const session = await startAppSession({
  build: args.includes('--build'),
  fakeCamera: 'e2e/fixtures/face-a.y4m',
  port: Number(process.env.FACET_SCREENS_PORT ?? 4191),
  log: (...m) => console.error(...m),
});
const base = (await session.openApp('', '#/unlock')).page.url().split('?')[0];
await mkdir(OUT, { recursive: true });

/** Waits until the page has its heading, the runtime has picked a backend and fonts are in. */
async function settle(page) {
  await page.locator('main h1').first().waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () => !!document.querySelector('[data-testid="status-backend"][data-backend]:not([data-backend=""])'),
    null,
    {
      timeout: 60_000,
    },
  );
  await page.evaluate(() => document.fonts.ready);
  // Lazy images and the first frame after layout.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

let count = 0;
try {
  for (const theme of THEMES) {
    for (const size of SIZES) {
      const context = await session.browser.newContext({
        viewport: size,
        colorScheme: theme,
        permissions: ['camera'],
        // A phone's touch screen, so the app shows what a phone user reads.
        ...(size.width < 600 ? { hasTouch: true, isMobile: true, deviceScaleFactor: 2 } : {}),
      });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error(`page error on ${page.url()}:`, e.message));
      for (const id of pages) {
        await page.goto(`${base}#/${id}`);
        await settle(page);
        // A whole-page capture would draw the sticky bottom bar where the first screen ends, over the
        // page; unstuck, it sits after the content, where the user finds it on scrolling down.
        if (fullPage) await page.addStyleTag({ content: '.dock { position: static !important; }' });
        await page.screenshot({ path: `${OUT}/${id}-${size.width}-${theme}.png`, fullPage });
        count++;
      }
      if (size.width < 600 && !wanted.length) {
        // A fresh load: the whole-page captures above changed the page's styles.
        await page.goto(`${base}#/unlock`);
        await page.reload();
        await settle(page);
        await page.getByTestId('nav-more').click();
        await page.getByTestId('more-sheet').waitFor();
        await page.mouse.move(0, 0);
        await page.screenshot({ path: `${OUT}/more-${size.width}-${theme}.png` });
        count++;
      }
      await context.close();
    }
  }
} finally {
  await session.close();
}
console.log(`${count} screenshots in ${OUT}/`);
