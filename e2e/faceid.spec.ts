import { expect, test } from '@playwright/test';
import { enroll, openApp, setLiveness } from './helpers';

// The fake webcam shows person A (e2e/fixtures/face-a.y4m).

test('enroll a person from one photo, then unlock by looking at the camera (WebGPU)', async ({ page }) => {
  expect(await openApp(page, '#/people', '?backend=webgpu')).toBe('webgpu');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  await expect(page.locator('.person img.avatar')).toHaveCount(1);

  // This test is about matching on WebGPU; at ~11 s a frame on SwiftShader the liveness cues
  // (which need a few seconds of frames) are tested on wasm in liveness-*.spec.ts instead.
  await setLiveness(page, { blink: 'off', motion: 'off', passive: 'off' });
  await expect(page.getByTestId('liveness-off-warning')).toBeVisible();
  await page.getByTestId('unlock-start').click();
  const phase = page.getByTestId('unlock-phase');
  await expect(phase).toHaveAttribute('data-phase', 'unlocked', { timeout: 150_000 });
  await expect(phase).toContainText('welcome, Alice');
  expect(Number(await phase.getAttribute('data-score'))).toBeGreaterThanOrEqual(
    Number(await phase.getAttribute('data-threshold')),
  );
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
  await page.screenshot({ path: 'test-results/screens/unlocked.png' });
});

test('a broken backup is refused and the gallery is left as it was', async ({ page }) => {
  await openApp(page, '#/people');
  await page.getByTestId('restore-input').setInputFiles({
    name: 'backup.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"facet-gallery-backup","version":1,"payload":'),
  });
  await expect(page.getByTestId('gallery-error')).toContainText('Nothing was changed');
  await page.getByTestId('restore-input').setInputFiles('e2e/fixtures/face-a.png');
  await expect(page.getByTestId('gallery-error')).toContainText('not a Facet backup');
});
