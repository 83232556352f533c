import { expect, test } from '@playwright/test';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { decision, enrollAndLook } from './liveness';

// The webcam shows a still photo of the enrolled person: one frame, repeated.
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/face-a.y4m' }),
  },
});

test('a still photo of the enrolled person does not unlock', async ({ page }) => {
  await enrollAndLook(page);
  const reasons = await decision(page, 'denied');
  expect(reasons).toContain('No blink');
  await expect(page.getByTestId('unlock-phase')).toContainText('Not a live face');
  await expect(page.getByTestId('cue-blink')).toHaveAttribute('data-state', 'fail');
  await expect(page.getByTestId('cue-motion')).toHaveAttribute('data-state', 'fail');
  // No similarity was computed: the matcher never saw the photo.
  await expect(page.getByTestId('unlock-phase')).toHaveAttribute('data-score', '');
  await page.screenshot({ path: 'test-results/screens/liveness-still.png' });
});
