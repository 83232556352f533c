import { expect, test } from '@playwright/test';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { decision, enrollAndLook } from './liveness';

// The webcam shows the enrolled person's photo moved by hand: panned, zoomed and rotated.
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/rigid-a.y4m' }),
  },
});

test('a photo moved rigidly in front of the camera does not unlock', async ({ page }) => {
  await enrollAndLook(page);
  const reasons = await decision(page, 'denied');
  expect(reasons).toContain('No blink');
  await expect(page.getByTestId('cue-motion')).not.toHaveAttribute('data-state', 'pass');
  await expect(page.getByTestId('unlock-phase')).toContainText('Not a live face');
});
