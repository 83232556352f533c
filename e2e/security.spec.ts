import { expect, test, type Page } from '@playwright/test';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { enroll, openApp, setLiveness } from './helpers';

// The probes of docs/security.md ("Settings and lockout", "Passphrase"). The fake webcam shows
// person B, who is never enrolled: every unlock here is a stranger's. Like faceid-decisions, these
// test decisions on top of the real pipeline, so they run on the wasm backend (asserted).
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/face-b.y4m' }),
  },
});

/** The descriptor's calibrated defaults (src/ml/face/embedder-specs.ts) and the default lockout. */
const DEFAULT_UNLOCK = 0.935;
const DEFAULT_IDENTIFY = 0.911;

async function enrollAlice(page: Page) {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  // Matching decisions, not liveness: person B's clip is a still picture.
  await setLiveness(page, { blink: 'off', motion: 'off', passive: 'off' });
}

async function openUnlockSettings(page: Page) {
  const options = page.locator('details.card', { hasText: 'Unlock settings' });
  if (!(await options.evaluate((d) => (d as HTMLDetailsElement).open))) await options.locator('summary').click();
}

const secondsLeft = async (page: Page) =>
  Number((await page.getByTestId('unlock-phase').textContent())?.match(/Try again in (\d+) s/)?.[1]);

test('tampered settings are reset on load: Identify and Unlock keep the calibrated thresholds and the lockout', async ({
  page,
}) => {
  await enrollAlice(page);
  // The attack of issue 16: edit the stored settings, then reload.
  await page.evaluate(() => {
    const stored = JSON.parse(localStorage.getItem('facet.settings') ?? '{"state":{},"version":2}');
    stored.state.faceThresholds = { facedescriptor: { unlock: -1, identify: -1 } };
    stored.state.unlockMaxFailures = 1e9;
    localStorage.setItem('facet.settings', JSON.stringify(stored));
  });
  await page.reload();
  const notice = page.getByTestId('settings-reset-notice');
  await expect(notice).toContainText('Some settings were out of range and were reset');
  await expect(notice).toContainText('the Unlock threshold of Face descriptor (ResNet, 128-D) (was -1');
  await expect(notice).toContainText('the Identify threshold of Face descriptor (ResNet, 128-D) (was -1');
  await expect(notice).toContainText('attempts before lockout (was 1000000000');

  await page.goto('/#/settings');
  await expect(page.getByTestId('threshold-in-force')).toHaveAttribute('data-threshold', String(DEFAULT_UNLOCK));
  await expect(page.getByTestId('lockout-in-force')).toHaveAttribute('data-max-failures', '5');
  // The corrected settings were written back: the notice shows once, not at every load.
  await notice.getByRole('button', { name: 'OK' }).click();
  await page.reload();
  await expect(page.getByTestId('threshold-in-force')).toBeVisible();
  await expect(notice).toHaveCount(0);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('facet.settings')!).state);
  expect(stored.unlockMaxFailures).toBe(5);
  expect(stored.faceThresholds.facedescriptor ?? {}).toEqual({});

  // Identify: the stranger is not named Alice.
  await page.goto('/#/identify');
  await page.locator('input[type=file]').first().setInputFiles('e2e/fixtures/face-b.png');
  const faces = page.getByTestId('identified-face');
  await expect(faces).toHaveCount(1, { timeout: 60_000 });
  await expect(faces).toHaveAttribute('data-name', 'unknown');
  await expect(page.getByTestId('identify-summary')).toHaveAttribute('data-threshold', String(DEFAULT_IDENTIFY));

  // Unlock: the stranger is refused at the calibrated threshold and counted against the default limit.
  await page.goto('/#/unlock');
  await openUnlockSettings(page);
  await expect(page.getByText(`Similarity threshold: ${DEFAULT_UNLOCK} (model default)`)).toBeVisible();
  await expect(page.getByTestId('unlock-max-failures')).toHaveValue('5');
  await page.getByTestId('unlock-start').click();
  const phase = page.getByTestId('unlock-phase');
  await expect(phase).toHaveAttribute('data-phase', 'denied', { timeout: 60_000 });
  await expect(phase).toHaveAttribute('data-threshold', String(DEFAULT_UNLOCK));
  expect(Number(await phase.getAttribute('data-score'))).toBeLessThan(DEFAULT_UNLOCK);
  await expect(page.getByTestId('unlock-failures')).toHaveAttribute('data-max-failures', '5');
});

test('a lockout survives a reload and shows in a new tab, with its countdown', async ({ page }) => {
  await enrollAlice(page);
  await openUnlockSettings(page);
  await page.getByTestId('unlock-max-failures').fill('1');
  await page.getByTestId('unlock-lockout-seconds').fill('300');
  await page.getByTestId('unlock-start').click();
  const phase = page.getByTestId('unlock-phase');
  await expect(phase).toHaveAttribute('data-phase', 'locked-out', { timeout: 60_000 });
  await expect(phase).toContainText(/Too many failed attempts\. Try again in \d+ s\./);
  const before = await secondsLeft(page);
  expect(before).toBeGreaterThan(250);

  await page.reload();
  await expect(phase).toHaveAttribute('data-phase', 'locked-out');
  await expect(phase).toContainText(/Too many failed attempts\. Try again in \d+ s\./);
  const after = await secondsLeft(page);
  expect(after).toBeLessThanOrEqual(before);
  expect(after).toBeGreaterThan(200);
  await expect(page.getByTestId('unlock-failures')).toHaveAttribute('data-failures', '1');
  // No face attempt can start until it ends.
  await expect(page.getByTestId('unlock-start')).toBeDisabled();
  await expect(phase).toHaveAttribute('data-phase', 'locked-out');

  // A second tab of the same profile reads the same lockout.
  const other = await page.context().newPage();
  await other.goto('/#/unlock');
  await expect(other.getByTestId('unlock-phase')).toHaveAttribute('data-phase', 'locked-out');
  await expect(other.getByTestId('unlock-phase')).toContainText(/Try again in \d+ s/);
  await other.close();
});

test('wrong passphrases earn growing waits, kept across a reload, and the right one clears them', async ({ page }) => {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  const card = page.getByTestId('encryption-card');
  // What encryption leaves readable is said before it is turned on.
  await expect(card.getByTestId('encryption-limits')).toContainText('how many people are enrolled');
  await expect(card.getByTestId('encryption-limits')).toContainText("copies this browser's profile");
  await card.getByLabel(/^Passphrase/).fill('correct horse battery');
  await card.getByLabel('Type the passphrase again').fill('correct horse battery');
  await page.getByTestId('encrypt-gallery').click();
  await expect(card).toHaveAttribute('data-encryption', 'unlocked', { timeout: 30_000 });
  await page.getByTestId('lock-gallery').click();
  await expect(card).toHaveAttribute('data-encryption', 'locked');

  const error = page.getByTestId('gallery-error');
  const button = page.getByTestId('unlock-gallery');
  const wait = page.getByTestId('passphrase-wait');
  for (const seconds of [1, 2, 4, 8]) {
    await card.getByLabel('Passphrase').fill(`wrong guess ${seconds}`);
    // The click waits for the button, disabled until the previous wait is over.
    await button.click({ timeout: 30_000 });
    await expect(error).toContainText(`Wait ${seconds} s before the next try`);
  }
  // The 8 s wait: counted down on screen, the button disabled meanwhile, and kept across a reload.
  await expect(wait).toContainText(/Wrong passphrase\. Try again in [1-8] s\./);
  await expect(button).toBeDisabled();
  await page.reload();
  await expect(card).toHaveAttribute('data-encryption', 'locked');
  await card.getByLabel('Passphrase').fill('correct horse battery');
  await expect(wait).toContainText(/Wrong passphrase\. Try again in [1-8] s\./);
  await expect(button).toBeDisabled();

  await button.click({ timeout: 30_000 });
  await expect(card).toHaveAttribute('data-encryption', 'unlocked', { timeout: 30_000 });
  await expect(page.getByTestId('person-name').filter({ hasText: 'Alice' })).toBeVisible();
  // The right passphrase cleared the count: the next wrong one waits 1 s again.
  await page.getByTestId('lock-gallery').click();
  await card.getByLabel('Passphrase').fill('wrong again');
  await button.click();
  await expect(error).toContainText('Wait 1 s before the next try');
});
