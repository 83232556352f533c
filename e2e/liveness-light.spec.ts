import { expect, test } from '@playwright/test';
import { useSyntheticCamera } from '../scripts/synthetic-camera.mjs';
import { decision, enrollAndLook } from './liveness';

// The screen-light challenge with the default liveness settings, against the synthetic camera
// (scripts/synthetic-camera.mjs): a face lit by the page's colours, a replay lit by another
// sequence, a still photo and a photo moved by hand, each the enrolled person's photo.

test('a face lit by the screen follows its colours and unlocks', async ({ page }) => {
  await useSyntheticCamera(page, 'live');
  await enrollAndLook(page, null);
  const overlay = page.getByTestId('light-overlay');
  await expect(overlay).toBeVisible({ timeout: 90_000 });
  await expect(overlay).toHaveAttribute('data-rgb', /^\d+,\d+,\d+$/);
  // Halfway through, for the docs' picture of the challenge.
  await page.waitForFunction(() => {
    const el = document.querySelector<HTMLElement>('[data-testid=light-overlay]');
    return !el || Number(el.dataset.progress) >= 0.5;
  });
  await page.screenshot({ path: 'test-results/screens/liveness-challenge.png' });
  await decision(page, 'unlocked');
  await expect(overlay).toHaveCount(0);
  await expect(page.getByTestId('unlock-phase')).toContainText('welcome, Alice');
  await expect(page.getByTestId('cue-light')).toHaveAttribute('data-state', 'pass');
});

test('a replayed recording, lit by its own past colours, does not unlock', async ({ page }) => {
  await useSyntheticCamera(page, 'replay');
  await enrollAndLook(page, null);
  const reasons = await decision(page, 'denied');
  expect(reasons).toMatch(/screen/);
  await expect(page.getByTestId('cue-light')).toHaveAttribute('data-state', 'fail');
  await expect(page.getByTestId('unlock-phase')).toHaveAttribute('data-score', '');
});

test('a photo moved by hand does not unlock', async ({ page }) => {
  await useSyntheticCamera(page, 'moved');
  await enrollAndLook(page, null);
  await decision(page, 'denied');
  await expect(page.getByTestId('cue-light')).toHaveAttribute('data-state', 'fail');
});

test('on WebGPU, a still photo does not unlock: the screen light did not reach it', async ({ page }) => {
  test.setTimeout(400_000);
  await useSyntheticCamera(page, 'still');
  await enrollAndLook(page, null, 'webgpu');
  const reasons = await decision(page, 'denied', 'webgpu');
  expect(reasons).toContain('The screen light did not reach your face');
  await expect(page.getByTestId('cue-light')).toHaveAttribute('data-state', 'fail');
});
