// Shared steps of the liveness specs. The y4m specs show Chromium a different fake webcam each
// (a launch option, so one file per clip) and test the frame cues (blink, motion, the active
// challenge) with the screen light off: a recorded clip cannot answer the screen's light. The
// screen-light specs (liveness-light.spec.ts) use the synthetic camera instead. They run on the
// wasm backend (asserted) but one: software WebGPU takes ~11 s a frame.
import { expect, type Page } from '@playwright/test';
import { enroll, openApp, setLiveness } from './helpers';

type Modes = Parameters<typeof setLiveness>[1];

/** The frame cues as the y4m specs test them: blink and motion required, the screen light off. */
export const FRAME_CUES: Modes = { light: 'off', blink: 'required', motion: 'required' };

/**
 * Enrolls person A (the face in every liveness clip) and starts an unlock attempt, with `modes`
 * set in Unlock settings (null: the defaults, untouched).
 */
export async function enrollAndLook(page: Page, modes: Modes | null = {}, backend = 'wasm') {
  expect(await openApp(page, '#/people', `?backend=${backend}`)).toBe(backend);
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  if (modes) await setLiveness(page, { ...FRAME_CUES, ...modes });
  else await page.goto('/#/unlock');
  await page.getByTestId('unlock-start').click();
}

/** Waits for the first decision after liveness and returns the reasons shown. */
export async function decision(page: Page, expected: 'unlocked' | 'denied', backend = 'wasm'): Promise<string> {
  const phase = page.getByTestId('unlock-phase');
  await expect(phase).toHaveAttribute('data-phase', expected, { timeout: 120_000 });
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', backend);
  return expected === 'denied' ? ((await page.getByTestId('unlock-reasons').textContent()) ?? '') : '';
}
