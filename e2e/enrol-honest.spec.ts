import { expect, test } from '@playwright/test';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { openApp } from './helpers';

// Enrolment that says what it does: a photo chosen before the name waits for it; a photo of two
// people makes it ask which one; a face already enrolled under another name is named before it is stored twice; an SVG is
// called what it is. These check decisions on top of the real pipeline, so they run on the wasm
// backend (asserted), many times faster than software WebGPU on the test machine.

/** face-a.png and face-b.png side by side: two people, their faces about 182 px each, both in the middle row. */
function groupPhoto(): string {
  const a = PNG.sync.read(readFileSync('e2e/fixtures/face-a.png'));
  const b = PNG.sync.read(readFileSync('e2e/fixtures/face-b.png'));
  const group = new PNG({ width: a.width + b.width, height: Math.max(a.height, b.height) });
  PNG.bitblt(a, group, 0, 0, a.width, a.height, 0, 0);
  PNG.bitblt(b, group, 0, 0, b.width, b.height, a.width, 0);
  const path = join(mkdtempSync(join(tmpdir(), 'facet-group-')), 'group.png');
  writeFileSync(path, PNG.sync.write(group));
  return path;
}

const SVG = {
  name: 'face.svg',
  mimeType: 'image/svg+xml',
  buffer: Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30"/></svg>',
  ),
};

test('a group photo asks which face; the same face under a second name is named first, and Cancel stores nothing', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const group = groupPhoto();
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  // A second tab on the People page, to see that it follows the first one's enrolment.
  const other = await page.context().newPage();
  await other.goto('/#/people');
  await expect(other.getByText('Nobody is enrolled yet')).toBeVisible();

  // The photo first: it is kept, and the name field says what it waits for and has the focus.
  await page.locator('input[type=file]').first().setInputFiles(group);
  await expect(page.getByTestId('enrol-name-hint')).toContainText('Type a name first.');
  await expect(page.getByTestId('enroll-name')).toBeFocused();
  await expect(page.getByTestId('gallery-busy')).toHaveCount(0);
  await page.keyboard.type('Alice');
  await page.keyboard.press('Enter');
  const prompt = page.getByTestId('enrol-prompt');
  await expect(prompt).toHaveAttribute('data-kind', 'choose-face', { timeout: 150_000 });
  await expect(prompt).toContainText('This photo shows 2 faces. Click the one to enroll as Alice.');
  await expect(page.getByTestId('enrol-face')).toHaveCount(2);
  await expect(page.getByTestId('enrol-face').and(page.locator('[data-largest=true]'))).toHaveCount(1);
  await expect(page.getByTestId('enrol-face-largest')).toContainText(/^Enroll face \d, the largest/);
  await expect(page.getByTestId('enrol-name-hint')).toHaveCount(0);
  await expect(page.getByTestId('person')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/enrol-choose-face.png' });

  // By keyboard: the face at the left (face-a's person) is a button like any other.
  const left = page.getByRole('button', { name: /^Face \d, at the left$/ });
  await left.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('gallery-notice')).toContainText(
    'Alice is enrolled from one photo. 2 faces were found; you chose the one at the left.',
  );
  await expect(page.getByTestId('person-name')).toHaveText(['Alice']);
  await expect(prompt).toHaveCount(0);
  await expect(other.getByTestId('person-name')).toHaveText(['Alice']);

  // The same photo and face under another name: named before anything is stored.
  await page.getByTestId('enroll-name').fill('Bob');
  await page.locator('input[type=file]').first().setInputFiles(group);
  await expect(prompt).toHaveAttribute('data-kind', 'choose-face', { timeout: 60_000 });
  await page.getByRole('button', { name: /^Face \d, at the left$/ }).click();
  await expect(prompt).toHaveAttribute('data-kind', 'lookalike');
  const warning = page.getByTestId('enrol-lookalike');
  await expect(warning).toHaveText(
    /^This face looks like Alice \(similarity (0\.9\d|1\.00)\)\. Enroll it as Bob anyway\?$/,
  );
  await page.screenshot({ path: 'test-results/screens/enrol-lookalike.png' });
  await page.getByTestId('enrol-cancel').click();
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('gallery-notice')).toHaveText('Bob was not enrolled; nothing was stored.');
  await expect(page.getByTestId('person-name')).toHaveText(['Alice']);
  await page.reload();
  await expect(page.getByTestId('person-name')).toHaveText(['Alice']);
  await expect(page.getByTestId('person')).toContainText('1 photo');
});

test('an SVG is named as a drawing, and Identify drops the previous photo when it refuses one', async ({ page }) => {
  test.setTimeout(180_000);
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await page.getByTestId('enroll-name').fill('Carol');
  await page.locator('input[type=file]').first().setInputFiles(SVG);
  const error = page.getByTestId('gallery-error');
  await expect(error).toContainText('"face.svg" is an SVG drawing, which Facet does not open');
  await expect(error).toContainText('Use a JPEG, PNG or WebP photo.');
  await expect(error).not.toContainText('damaged');

  await page.goto('/#/identify');
  await page.locator('input[type=file]').first().setInputFiles(groupPhoto());
  await expect(page.getByTestId('identify-summary')).toContainText('2 faces found', { timeout: 120_000 });
  await expect(page.getByTestId('identified-face')).toHaveCount(2);
  await page.locator('input[type=file]').first().setInputFiles(SVG);
  await expect(page.getByTestId('identify-error')).toContainText('"face.svg" is an SVG drawing');
  await expect(page.getByTestId('identified-face')).toHaveCount(0);
  await expect(page.getByTestId('identify-summary')).toHaveCount(0);
});
