import { expect, test, type Page } from '@playwright/test';
import { openApp } from './helpers';

async function findPatches(page: Page, layer: string) {
  await page.getByTestId('explore-layer').selectOption(layer);
  const status = page.getByTestId('patches-status');
  const runs = Number(await status.getAttribute('data-runs'));
  await page.getByTestId('patches-start').click();
  await expect(status).toHaveAttribute('data-runs', String(runs + 1), { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('patches-error')).toHaveCount(0);
}

const tensors = (page: Page) => page.evaluate(() => window.facet!.memory().numTensors);

test('Explorer: top-activating patches of VGG-19 on the built-in samples, larger for a deeper layer, on WebGPU', async ({
  page,
}) => {
  // SwiftShader's WebGPU runs VGG's first convolutions at a few seconds per image; small inputs keep it short.
  test.setTimeout(600_000);
  expect(await openApp(page, '#/explore')).toBe('webgpu');
  await expect(page.getByTestId('explore-network-status')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByTestId('set-count')).toHaveText('10');
  await page.getByTestId('feed-size').fill('64');

  await findPatches(page, 'conv2_1');
  const grids = page.getByTestId('patch-grid');
  await expect(grids).toHaveCount(9);
  for (let i = 0; i < 9; i++) {
    await expect(grids.nth(i).getByTestId('patch')).toHaveCount(9);
    await expect(grids.nth(i)).toHaveAttribute('data-channel', /^\d+$/);
  }
  const channels = await grids.evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
  expect(new Set(channels).size).toBe(9);
  // conv1_1, conv1_2 (3×3), pool1 (2×2, stride 2), conv2_1 (3×3 at stride 2): 10 px.
  await expect(grids.first()).toHaveAttribute('data-rf', '10');
  const shallowWidth = (await grids.first().getByTestId('patch').first().boundingBox())!.width;
  await page.screenshot({ path: 'test-results/screens/explore.png', fullPage: true });

  await findPatches(page, 'pool2');
  await expect(grids).toHaveCount(9);
  const deepRf = Number(await grids.first().getAttribute('data-rf'));
  expect(deepRf).toBe(16);
  const deepWidth = (await grids.first().getByTestId('patch').first().boundingBox())!.width;
  expect(deepWidth).toBeGreaterThan(shallowWidth);

  // Back to conv2_1: served from the cache, and drawing it leaves no tensor behind.
  const before = await tensors(page);
  await findPatches(page, 'conv2_1');
  await expect(page.getByTestId('patches-summary')).toContainText('from the cache');
  await expect(grids.first()).toHaveAttribute('data-rf', '10');
  expect(await tensors(page)).toBe(before);
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
});

test('Explorer: a file that is not an image is refused with its name', async ({ page }) => {
  await openApp(page, '#/explore');
  await page.locator('[data-testid=explore-drop] input[type=file]').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('not a picture'),
  });
  await expect(page.getByTestId('explore-image-error')).toContainText('notes.txt');
  await expect(page.getByTestId('explore-image-error')).toContainText('text file');
  await expect(page.getByTestId('set-image')).toHaveCount(10);
});

test('Explorer: on the wasm backend, feature visualisation says it needs gradients instead of failing', async ({
  page,
}) => {
  expect(await openApp(page, '#/explore', '?backend=wasm')).toBe('wasm');
  await expect(page.getByTestId('explore-network-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('vis-start').click();
  await expect(page.getByTestId('vis-error')).toContainText('wasm backend');
  await expect(page.getByTestId('vis-status')).toHaveAttribute('data-status', 'error');
});
