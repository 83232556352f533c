import { expect, test } from '@playwright/test';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromiumArgs, findChromium } from '../scripts/chromium-path.mjs';
import { enroll, openApp, setLiveness } from './helpers';

// The fake webcam shows person B, who is not enrolled. These tests check the decisions made
// on top of the real pipeline, not WebGPU, so they run on the wasm backend (asserted), which is
// about fifteen times faster than software WebGPU on the test machine.
test.use({
  launchOptions: {
    executablePath: findChromium() ?? undefined,
    args: chromiumArgs({ webgpu: true, fakeCamera: 'e2e/fixtures/face-b.y4m' }),
  },
});

test('a different person stays locked, and five failures, each one asked for, lock the app out', async ({ page }) => {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');

  // The matcher's decisions: person B's clip is a still picture, which liveness would refuse first.
  await setLiveness(page, { blink: 'off', motion: 'off', passive: 'off' });
  // One button starts the camera and the attempt.
  await page.getByTestId('unlock-start').click();
  const phase = page.getByTestId('unlock-phase');
  const failures = page.getByTestId('unlock-failures');
  await expect(phase).toHaveAttribute('data-phase', 'denied', { timeout: 60_000 });
  expect(Number(await phase.getAttribute('data-score'))).toBeLessThan(
    Number(await phase.getAttribute('data-threshold')),
  );
  // Each failure waits for the user: the reason stays on screen, and "Try again" starts the next attempt.
  for (let n = 1; n < 5; n++) {
    await expect(failures).toHaveAttribute('data-failures', String(n), { timeout: 60_000 });
    await expect(phase).toHaveAttribute('data-phase', 'denied');
    await expect(page.getByTestId('unlock-reasons')).toContainText('below the threshold');
    await page.getByTestId('unlock-retry').click();
  }
  await expect(phase).toHaveAttribute('data-phase', 'locked-out', { timeout: 60_000 });
  await expect(phase).toContainText('Too many failed attempts');
  await expect(failures).toContainText('5 of 5');
  // The last reason stays through the lockout; the camera is released and no face attempt can start.
  await expect(page.getByTestId('unlock-reasons')).toContainText('below the threshold');
  await expect(page.getByTestId('camera-video')).toBeHidden();
  await expect(page.getByTestId('unlock-start')).toBeDisabled();
  // Without a passcode, the page says what one would do.
  await expect(page.getByTestId('no-passcode-hint')).toBeVisible();
  // A reload does not lift the lockout.
  await page.reload();
  await expect(phase).toHaveAttribute('data-phase', 'locked-out');
  await expect(page.getByTestId('unlock-start')).toBeDisabled();
  await page.screenshot({ path: 'test-results/screens/locked-out.png' });
});

test('in a group photo, enrolled people get their names and the others are unknown', async ({ page }) => {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  // face-a.png is cut from sample3.jpg (the woman on the left); the two others are not enrolled.
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  await enroll(page, 'Bea', 'e2e/fixtures/face-b.png');
  // A second, darker photo of Alice becomes a second template of the same identity.
  const alice = page.getByTestId('person').filter({ hasText: 'Alice' });
  await alice.getByTestId('add-photo-input').setInputFiles('e2e/fixtures/faces-labelled/photo3-face1/dark.png');
  await expect(page.getByTestId('gallery-notice')).toContainText('A photo was added to Alice');
  await expect(alice).toContainText('2 photos');
  await page.goto('/#/identify');
  await page.locator('input[type=file]').first().setInputFiles('node_modules/@vladmandic/face-api/demo/sample3.jpg');
  const faces = page.getByTestId('identified-face');
  await expect(faces).toHaveCount(3, { timeout: 60_000 });
  const names = await faces.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
  expect(names.filter((n) => n === 'Alice')).toHaveLength(1);
  expect(names.filter((n) => n === 'unknown')).toHaveLength(2);
  expect(names).not.toContain('Bea');
  await expect(page.getByTestId('identify-summary')).toContainText('3 faces found, 1 recognised');
  await page.screenshot({ path: 'test-results/screens/identify.png' });
});

test('Evaluate measures a labelled folder and its threshold can be adopted', async ({ page }) => {
  // Four people from the packaged labelled set (scripts/make-face-set.mjs), three images each.
  const dir = await mkdtemp(join(tmpdir(), 'facet-eval-'));
  for (const person of ['photo1-face1', 'photo3-face2', 'photo5-face3', 'photo6-face4']) {
    await mkdir(join(dir, 'set', person), { recursive: true });
    for (const image of ['original.png', 'dark.png', 'tilted.png']) {
      await cp(join('e2e/fixtures/faces-labelled', person, image), join(dir, 'set', person, image));
    }
  }
  await writeFile(join(dir, 'set', 'README.txt'), 'not an image: ignored');
  expect(await openApp(page, '#/evaluate', '?backend=wasm')).toBe('wasm');
  await page.getByTestId('evaluate-input').setInputFiles(join(dir, 'set'));
  const report = page.getByTestId('evaluate-report');
  await expect(report).toBeVisible({ timeout: 90_000 });
  await expect(report).toContainText('12 / 12');
  await expect(report).toContainText('12 / 54'); // 4×C(3,2) genuine, C(12,2) − 12 impostor pairs
  await expect(page.getByTestId('roc')).toBeVisible();
  expect(Number(await report.getAttribute('data-eer'))).toBeLessThan(0.1);

  // Verification versus recognition: the 1:N false match rate predicted from the impostor
  // scores grows with the gallery, next to the rates measured on galleries of 1, 2 and 3 people.
  const panel = page.getByTestId('recognition-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('recognition-chart')).toBeVisible();
  await expect(page.getByTestId('open-set-point')).toHaveCount(3);
  // With a well-separated set no impostor pair may reach the threshold in use, which makes
  // every prediction 0; lower the threshold until one does.
  const slider = page.getByTestId('recognition-threshold');
  for (let i = 0; i < 400 && Number(await panel.getAttribute('data-fmr1')) === 0; i++) await slider.press('ArrowLeft');
  const fmr1 = Number(await panel.getAttribute('data-fmr1'));
  expect(fmr1).toBeGreaterThan(0);
  expect(fmr1).toBeLessThan(1);
  const predicted = await page
    .getByTestId('predicted-fmr')
    .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-n')), Number(e.getAttribute('data-fmr'))]));
  predicted.sort((a, b) => a[0]! - b[0]!);
  expect(predicted.length).toBeGreaterThanOrEqual(3);
  expect(predicted[0]![0]).toBe(1);
  expect(predicted[0]![1]).toBeCloseTo(fmr1, 9);
  // Non-decreasing (large galleries all round to 100 %), and larger at a million than at one.
  for (let i = 1; i < predicted.length; i++) expect(predicted[i]![1]).toBeGreaterThanOrEqual(predicted[i - 1]![1]!);
  expect(predicted[predicted.length - 1]![1]).toBeGreaterThan(fmr1);
  const measured = await page
    .getByTestId('open-set-point')
    .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-n')), Number(e.getAttribute('data-fmr'))]));
  expect(measured.map(([n]) => n).sort()).toEqual([1, 2, 3]);
  for (const [, rate] of measured) {
    expect(rate).toBeGreaterThanOrEqual(0);
    expect(rate).toBeLessThanOrEqual(1);
  }
  await expect(page.getByTestId('recognition-explanation')).toContainText('a gallery of 1,000 people');
  const threshold = Number(await report.getAttribute('data-threshold'));
  await page.getByTestId('adopt-threshold').click();
  await page.goto('/#/unlock');
  await page.getByText('Unlock settings').click();
  await expect(page.getByText(`Similarity threshold: ${threshold.toFixed(3)}`)).toBeVisible();
  await rm(dir, { recursive: true, force: true });
});

test('the gallery can be encrypted with a passphrase, locked and unlocked again', async ({ page }) => {
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  const card = page.getByTestId('encryption-card');
  await card.getByLabel(/^Passphrase/).fill('correct horse battery');
  await card.getByLabel('Type the passphrase again').fill('correct horse battery');
  await page.getByTestId('encrypt-gallery').click();
  await expect(card).toHaveAttribute('data-encryption', 'unlocked', { timeout: 30_000 });
  await page.getByTestId('lock-gallery').click();
  await expect(card).toHaveAttribute('data-encryption', 'locked');
  await expect(page.getByTestId('gallery-locked')).toBeVisible();
  await expect(page.getByTestId('person-name')).toHaveCount(0);
  await card.getByLabel('Passphrase').fill('wrong passphrase!');
  await page.getByTestId('unlock-gallery').click();
  await expect(page.getByTestId('gallery-error')).toBeVisible({ timeout: 30_000 });
  await expect(card).toHaveAttribute('data-encryption', 'locked');
  await card.getByLabel('Passphrase').fill('correct horse battery');
  await page.getByTestId('unlock-gallery').click();
  await expect(card).toHaveAttribute('data-encryption', 'unlocked', { timeout: 30_000 });
  await expect(page.getByTestId('person-name').filter({ hasText: 'Alice' })).toBeVisible();
});

test('after the update that made the descriptor the default, a FaceRes gallery is re-embedded and keeps working', async ({
  page,
}) => {
  expect(await openApp(page, '#/settings', '?backend=wasm')).toBe('wasm');
  await page.getByTestId('face-model-faceres').check();
  await enroll(page, 'Alice', 'e2e/fixtures/face-a.png');
  await expect(page.getByTestId('person-photos')).toHaveAttribute('title', /1 template of FaceRes \(1024-D\)/);
  // What version 1 of the app left in storage: FaceRes as the model, one hand-set threshold.
  await page.evaluate(() => {
    localStorage.setItem('facet.faces', JSON.stringify({ state: { embedderId: 'faceres' }, version: 1 }));
    const settings = JSON.parse(localStorage.getItem('facet.settings') ?? '{"state":{}}');
    settings.state.faceThreshold = 0.7;
    delete settings.state.faceThresholds;
    localStorage.setItem('facet.settings', JSON.stringify({ ...settings, version: 1 }));
  });
  await page.reload();
  await expect(page.getByTestId('gallery-notice')).toContainText('template added for 1 person', { timeout: 90_000 });
  await expect(page.getByTestId('person-photos')).toHaveAttribute(
    'title',
    /1 template of Face descriptor \(ResNet, 128-D\)/,
  );
  await expect(page.getByTestId('model-coverage')).toHaveCount(0);
  // The hand-set threshold stays with FaceRes; the descriptor uses its calibrated default.
  await page.goto('/#/settings');
  await expect(page.getByTestId('threshold-in-force')).toContainText('0.935');
  await page.getByTestId('face-model-faceres').check();
  await expect(page.getByTestId('threshold-in-force')).toContainText('0.700');
});
