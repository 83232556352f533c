import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openApp } from './helpers';

const PHOTO = 'e2e/fixtures/face-a.png';
const PAINTING = 'node_modules/@vladmandic/face-api/demo/sample2.jpg';

test('Style Studio: two images in, J falls on WebGPU, the plots update, a PNG comes out and is saved', async ({
  page,
}) => {
  // SwiftShader compiles every shader of VGG-19's forward and backward pass on the first iteration (~100 s).
  test.setTimeout(600_000);
  expect(await openApp(page, '#/style', '?backend=webgpu')).toBe('webgpu');
  await page.locator('[data-testid=content-zone] input[type=file]').setInputFiles(PHOTO);
  await expect(page.getByTestId('content-name')).toContainText('face-a.png · 640×480');
  await page.locator('[data-testid=style-zone] input[type=file]').setInputFiles(PAINTING);
  await expect(page.getByTestId('style-item')).toHaveCount(1);

  await page.getByTestId('size').fill('32');
  await page.getByTestId('iterations').fill('4');
  await page.getByTestId('style-start').click();
  const status = page.getByTestId('style-status');
  await expect(status).toHaveAttribute('data-status', 'running');
  await expect(page.getByTestId('plot-costs')).toHaveAttribute('data-points', '1', { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  await expect(page.getByTestId('plot-costs')).toHaveAttribute('data-points', '4');
  await expect(page.getByTestId('plot-layers')).toHaveAttribute('data-points', '4');
  const costs = page.getByTestId('style-costs');
  const first = Number(await costs.getAttribute('data-j-first'));
  const last = Number(await costs.getAttribute('data-j-last'));
  expect(first).toBeGreaterThan(0);
  expect(last).toBeLessThan(first);
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
  // The run itself was in the background worker, on WebGPU too, not on the page.
  const place = page.getByTestId('style-run-place');
  await expect(place).toHaveAttribute('data-backend', 'webgpu');
  await expect(place).toHaveAttribute('data-worker', 'true');

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('style-download').click()]);
  const png = readFileSync(await download.path());
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  // IHDR: width and height of G, 32 px on the long side of a 4:3 photo.
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([32, 24]);

  await page.getByTestId('style-save').click();
  await expect(page.getByTestId('style-save-message')).toContainText('Saved');
  await page.reload();
  await expect(page.getByTestId('work')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screens/style.png', fullPage: true });
});

test('Style Studio: a file that is not an image is refused and the content image stays', async ({ page }) => {
  await openApp(page, '#/style');
  await page.locator('[data-testid=content-zone] input[type=file]').setInputFiles(PHOTO);
  await expect(page.getByTestId('content-name')).toContainText('face-a.png');
  await page.locator('[data-testid=content-zone] input[type=file]').setInputFiles({
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('these are my notes, not a picture'),
  });
  await expect(page.getByTestId('style-input-error')).toContainText('notes.png');
  await expect(page.getByTestId('content-name')).toContainText('face-a.png');
  await expect(page.getByTestId('style-start')).toBeDisabled();
});
