import { expect, type Page } from '@playwright/test';

/** `search` plus ?automation, which loads the app's test hook (window.facet) for the tab's session. */
export function withAutomation(search = ''): string {
  const query = new URLSearchParams(search);
  query.set('automation', '');
  return `?${query.toString()}`;
}

/** Opens a page of the app and waits until TensorFlow.js has picked its backend. */
export async function openApp(page: Page, hash = '#/unlock', search = ''): Promise<string> {
  await page.goto(`/${withAutomation(search)}${hash}`);
  const backend = await page.evaluate(async () => {
    const facet = await waitForFacet();
    const r = await facet.ready();
    if (r.status !== 'ready') throw new Error(`runtime failed: ${r.error}`);
    return r.backend;

    async function waitForFacet() {
      for (let i = 0; i < 600 && !window.facet; i++) await new Promise((res) => setTimeout(res, 50));
      if (!window.facet) throw new Error('window.facet never appeared');
      return window.facet;
    }
  });
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', backend);
  return backend;
}

/**
 * Waits until the service worker is active, which is after it finished precaching the app
 * shell and models. Navigations are then served by it, online or not.
 */
export async function waitForServiceWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
}

/** Enrolls a person from a photo on the People page and waits until they are listed. */
export async function enroll(page: Page, name: string, photo: string) {
  await page.goto('/#/people');
  await page.getByTestId('enroll-name').fill(name);
  await page.locator('input[type=file]').first().setInputFiles(photo);
  await expect(page.getByTestId('gallery-notice')).toContainText(`${name} is enrolled from one photo`, {
    timeout: 150_000,
  });
  await expect(page.getByTestId('person-name').filter({ hasText: name })).toBeVisible();
}

/**
 * Sets how each liveness cue takes part in an unlock, through the Unlock page's settings
 * (persisted like a user's choice). Tests of matching decisions turn the cues off so that
 * they test the matcher; the liveness specs test the cues. The screen-light cue is turned off
 * unless `modes` names it: a y4m fake webcam plays a recording, which cannot answer the screen's
 * light (that cue is tested with the synthetic camera, e2e/liveness-light.spec.ts).
 */
export async function setLiveness(
  page: Page,
  modes: Partial<Record<'light' | 'challenge' | 'blink' | 'motion' | 'passive', 'off' | 'advisory' | 'required'>>,
) {
  modes = { light: 'off', ...modes };
  await page.goto('/#/unlock');
  const options = page.locator('details.card', { hasText: 'Unlock settings' });
  if (!(await options.evaluate((d) => (d as HTMLDetailsElement).open))) await options.locator('summary').click();
  for (const [cue, mode] of Object.entries(modes)) await page.getByTestId(`cue-mode-${cue}`).selectOption(mode);
}
