import { expect, test } from '@playwright/test';
import { openApp } from './helpers';

test('a model loads with progress, runs on a webcam frame on WebGPU, and finds the face', async ({ page }) => {
  expect(await openApp(page, '#/diagnostics', '?backend=webgpu')).toBe('webgpu');
  const row = page.getByTestId('model-blazeface');
  await row.getByRole('button', { name: 'Load' }).click();
  await expect(row).toHaveAttribute('data-status', 'ready');
  await expect(row).toContainText('loaded');

  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('camera-actual')).toContainText('640×480');
  const before = await page.evaluate(() => window.facet!.memory().numTensors);
  await page.getByRole('button', { name: 'Check this frame for a face' }).click();
  const check = page.getByTestId('face-check');
  await expect(check).toBeVisible();
  await expect(check).toHaveAttribute('data-backend', 'webgpu');
  await expect(check).toHaveAttribute('data-anchors', '896');
  await expect(check).toHaveAttribute('data-finite', 'true');
  expect(Number(await check.getAttribute('data-score'))).toBeGreaterThan(0.6);
  await expect(check).toContainText('Face found');
  // Running the check again leaves no tensors behind.
  await page.getByRole('button', { name: 'Check this frame for a face' }).click();
  await expect(page.getByRole('button', { name: 'Check this frame for a face' })).toBeEnabled();
  expect(await page.evaluate(() => window.facet!.memory().numTensors)).toBe(before);
});

test.describe('a corrupt model file', () => {
  test.use({ serviceWorkers: 'block' });

  test('is refused with a message naming the model', async ({ page }) => {
    await page.route('**/models/blazeface/blazeface.bin', async (route) => {
      const response = await route.fetch();
      const body = Buffer.from(await response.body());
      body[1000] = body[1000]! ^ 0xff; // one flipped byte
      await route.fulfill({ response, body });
    });
    await openApp(page, '#/diagnostics');
    const row = page.getByTestId('model-blazeface');
    await row.getByRole('button', { name: 'Load' }).click();
    await expect(row).toHaveAttribute('data-status', 'error');
    const error = page.getByTestId('model-error-blazeface');
    await expect(error).toContainText('BlazeFace');
    await expect(error).toContainText('corrupt');
    await expect(error).toContainText('blazeface/blazeface.bin');
    await expect(row.getByRole('button', { name: 'Retry' })).toBeVisible();
  });
});
