import { expect, test } from '@playwright/test';
import { ROUTES } from '../src/ui/routes';
import { openApp } from './helpers';

test('boots on the WebGPU backend and describes the adapter', async ({ page }) => {
  const backend = await openApp(page, '#/diagnostics', '?backend=webgpu');
  expect(backend).toBe('webgpu');
  await expect(page.getByTestId('backend-name')).toHaveAttribute('data-backend', 'webgpu');
  // SwiftShader in headless Chromium is a real WebGPU adapter, reported as a fallback one.
  await expect(page.getByTestId('adapter-vendor')).not.toHaveText('');
  await expect(page.getByTestId('adapter-architecture')).not.toHaveText('');
  await expect(page.getByTestId('adapter-fallback')).toHaveText(/yes|no/);
  await page.getByText('Limits', { exact: true }).click();
  await expect(page.getByTestId('adapter-limits')).toContainText('maxBufferSize');
  await expect(page.getByTestId('backend-attempts')).toContainText('webgpu ✓');
  await page.screenshot({ path: 'test-results/screens/diagnostics.png', fullPage: true });
});

test('a default load has no test hook, and Unlock loads none of the other pages', async ({ page }) => {
  const scripts: string[] = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname);
  });
  await page.goto('/#/unlock');
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', /.+/, { timeout: 60_000 });
  await expect(page.getByRole('heading', { name: 'Face Unlock' })).toBeVisible();
  expect(await page.evaluate(() => 'facet' in window)).toBe(false);
  expect(scripts.some((s) => s.includes('UnlockPage'))).toBe(true);
  for (const other of ['automation', 'StylePage', 'LabPage', 'ExplorePage', 'EvaluatePage']) {
    expect(scripts.filter((s) => s.includes(other))).toEqual([]);
  }
});

test('every section is reachable from the keyboard and renders', async ({ page }) => {
  await openApp(page, '#/unlock');
  for (const route of ROUTES) {
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: route.label });
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`#/${route.id}$`));
    await expect(link).toHaveAttribute('aria-current', 'page');
    await expect(page.locator('main h1').first()).toBeVisible();
    await expect(page).toHaveTitle(new RegExp(route.title));
  }
});

test('reads well on a phone in dark mode', async ({ browser, baseURL }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    colorScheme: 'dark',
    permissions: ['camera'],
    baseURL,
  });
  const page = await context.newPage();
  await openApp(page, '#/diagnostics');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).toBe('rgb(15, 16, 32)');
  // No horizontal scrolling of the page itself on a narrow screen.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.screenshot({ path: 'test-results/screens/phone-dark.png', fullPage: false });
  await context.close();
});

test('makes no request outside its own origin', async ({ page, context, baseURL }) => {
  const foreign: string[] = [];
  const origin = baseURL!;
  const record = (url: string) => {
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) foreign.push(url);
  };
  context.on('request', (r) => record(r.url()));
  page.on('request', (r) => record(r.url()));
  await openApp(page, '#/diagnostics');
  await page.evaluate(() => window.facet!.loadModel('blazeface'));
  for (const route of ROUTES) {
    await page.goto(`/#/${route.id}`);
    await expect(page.locator('main h1').first()).toBeVisible();
  }
  expect(foreign).toEqual([]);
});

test('the one-click benchmark times every backend against the cpu baseline', async ({ page }) => {
  await openApp(page, '#/diagnostics', '?backend=webgpu');
  await page.getByRole('button', { name: 'Run benchmark' }).click();
  const table = page.getByTestId('bench-table');
  await expect(table).toBeVisible({ timeout: 150_000 });
  for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu']) {
    await expect(table.getByRole('cell', { name: backend, exact: true }).first()).toBeVisible();
  }
  // The cpu rows are the baseline itself.
  const cpuRow = table.getByRole('row').filter({ has: page.getByRole('cell', { name: 'cpu', exact: true }) });
  await expect(cpuRow.first()).toContainText('1.00×');
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
  await page.getByTestId('bench-card').screenshot({ path: 'test-results/screens/bench.png' });
});
