// Shared steps of the liveness specs. Each spec file shows Chromium a different fake webcam
// (a launch option, so one file per clip) and runs on the wasm backend (asserted): these tests
// check liveness decisions made on the real pipeline, and software WebGPU takes ~11 s a frame.
import { expect, type Page } from '@playwright/test';
import { enroll, openApp, setLiveness } from './helpers';

/** Enrolls person A (the face in every liveness clip) and starts an unlock attempt. */
export async function enrollAndLook(page: Page, modes: Parameters<typeof setLiveness>[1] = {}) {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  await setLiveness(page, modes);
  await page.getByTestId('unlock-start').click();
}

/** Waits for the first decision after liveness and returns the reasons shown. */
export async function decision(page: Page, expected: 'unlocked' | 'denied'): Promise<string> {
  const phase = page.getByTestId('unlock-phase');
  await expect(phase).toHaveAttribute('data-phase', expected, { timeout: 90_000 });
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'wasm');
  return expected === 'denied' ? ((await page.getByTestId('unlock-reasons').textContent()) ?? '') : '';
}
