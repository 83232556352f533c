import { expect, test } from '@playwright/test';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { openApp } from './helpers';

// This file's browser gets a fake webcam that shows a scene with no face in it.
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/no-face.y4m' }),
  },
});

test('the detector reports no face on a camera frame without one', async ({ page }) => {
  expect(await openApp(page, '#/diagnostics', '?backend=webgpu')).toBe('webgpu');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('camera-actual')).toBeVisible();
  await page.getByRole('button', { name: 'Check this frame for a face' }).click();
  const check = page.getByTestId('face-check');
  await expect(check).toContainText('No face found');
  expect(Number(await check.getAttribute('data-score'))).toBeLessThan(0.5);
});
