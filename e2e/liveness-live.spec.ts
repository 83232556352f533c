import { expect, test } from '@playwright/test';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { decision, enrollAndLook } from './liveness';

// The webcam shows the enrolled person swaying slightly and blinking twice in each 4-s loop
// (eyelids painted over the photo by scripts/make-fixtures.mjs): the closest to a live user
// that the project can make. Played back, the same clip is also what a replay attack looks like.
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/live-a.y4m' }),
  },
});

test('a live-like face that blinks passes liveness and unlocks', async ({ page }) => {
  await enrollAndLook(page);
  await decision(page, 'unlocked');
  await expect(page.getByTestId('unlock-phase')).toContainText('welcome, Alice');
  await expect(page.getByTestId('cue-blink')).toHaveAttribute('data-state', 'pass');
  await expect(page.getByTestId('cue-motion')).toHaveAttribute('data-state', 'pass');
  await page.screenshot({ path: 'test-results/screens/liveness-live.png' });
});

test('with the active challenge required, the same clip replayed does not unlock', async ({ page }) => {
  await enrollAndLook(page, { challenge: 'required' });
  await expect(page.getByTestId('liveness-prompt')).toBeVisible({ timeout: 60_000 });
  const reasons = await decision(page, 'denied');
  expect(reasons).toMatch(/turn|look up|centre|blink/i);
  await expect(page.getByTestId('cue-challenge')).toHaveAttribute('data-state', 'fail');
});
