import { expect, test } from '@playwright/test';
import { isolate } from '../scripts/isolation.mjs';
import { openApp } from './helpers';

// A site may serve Facet with COOP/COEP headers (cross-origin isolation). tfjs's wasm backend then
// sees SharedArrayBuffer and would pick its threaded binary, whose workers never start from the
// bundle: before src/ml/runtime/wasm-setup.ts the backend hung in such a page. The headers are added
// to every response here, with the service worker blocked so that it cannot answer without them.
test.use({ serviceWorkers: 'block' });

test('in a cross-origin-isolated page wasm still starts, on the page and in the Style worker', async ({ page }) => {
  test.setTimeout(300_000);
  await isolate(page);
  expect(await openApp(page, '#/style', '?backend=wasm')).toBe('wasm');
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);

  await page.locator('[data-testid=content-zone] input[type=file]').setInputFiles('e2e/fixtures/face-a.png');
  await page.locator('[data-testid=style-zone] input[type=file]').setInputFiles('public/samples/swirls.jpg');
  await expect(page.getByTestId('style-item')).toHaveCount(1);
  await page.getByTestId('size').fill('32');
  await page.getByTestId('iterations').fill('1');
  await page.getByTestId('style-start').click();
  const status = page.getByTestId('style-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  const place = page.getByTestId('style-run-place');
  await expect(place).toHaveAttribute('data-backend', 'wasm');
  await expect(place).toHaveAttribute('data-worker', 'true');
});
