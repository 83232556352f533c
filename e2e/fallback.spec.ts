import { expect, test } from '@playwright/test';
import { openApp } from './helpers';

// This project launches Chromium without --enable-unsafe-webgpu: no WebGPU adapter exists.

test('without WebGPU the app runs on the fastest other backend and says why', async ({ page }) => {
  const backend = await openApp(page, '#/diagnostics');
  expect(['webgl', 'wasm', 'cpu']).toContain(backend);
  await expect(page.getByTestId('probe-webgpu')).toContainText('did not start');
  await expect(page.getByTestId('backend-attempts')).toContainText('webgpu ✗');
  await expect(page.getByTestId('backend-attempts')).toContainText('webgl ✓');
  await expect(page.getByTestId('backend-card')).toContainText(/no GPU adapter|WebGPU/);
  // Models still run on the fallback backend.
  const model = await page.evaluate(() => window.facet!.loadModel('blazeface'));
  expect(model.inputs[0]).toContain('256x256x3');
});

test('?backend= overrides the choice and is kept in settings', async ({ page }) => {
  expect(await openApp(page, '#/settings', '?backend=cpu')).toBe('cpu');
  await expect(page.getByTestId('settings-backend')).toHaveValue('cpu');
  expect(await openApp(page, '#/settings')).toBe('cpu');
  // Asking for WebGPU where it cannot start falls down the chain and says so.
  expect(await openApp(page, '#/diagnostics', '?backend=webgpu')).toBe('webgl');
  await expect(page.getByTestId('backend-card')).toContainText('could not start');
  await openApp(page, '#/settings', '?backend=auto');
  await expect(page.getByTestId('settings-backend')).toHaveValue('auto');
});
