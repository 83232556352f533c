import { expect, test, type Page } from '@playwright/test';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enroll, openApp } from './helpers';

// Six people of the packaged labelled set (scripts/make-face-set.mjs), three photos each.
const SET = 'e2e/fixtures/faces-labelled';
const PEOPLE = ['photo1-face1', 'photo3-face2', 'photo5-face3', 'photo6-face4', 'photo2-face1', 'photo4-face2'];
const PHOTOS = ['original.png', 'dark.png', 'tilted.png'];

/** Enrolls each person from their first photo and adds the others as more templates. */
async function buildGallery(page: Page, people: string[]) {
  for (const person of people) {
    await enroll(page, person, join(SET, person, PHOTOS[0]!));
    const card = page.getByTestId('person').filter({ hasText: person });
    for (const [i, photo] of PHOTOS.slice(1).entries()) {
      await card.getByTestId('add-photo-input').setInputFiles(join(SET, person, photo));
      await expect(card).toContainText(`${i + 2} photos`, { timeout: 60_000 });
    }
  }
}

test('Siamese Lab: a head trained on WebGPU lowers its loss, is compared on held-out people, and can be adopted', async ({
  page,
}) => {
  test.setTimeout(360_000);
  // Embedding a photo takes ~27 s on software WebGPU and under a second on wasm, so the gallery
  // (kept in IndexedDB across reloads) is built on wasm; the models are then trained on WebGPU.
  expect(await openApp(page, '#/people', '?backend=wasm')).toBe('wasm');
  await buildGallery(page, PEOPLE);

  expect(await openApp(page, '#/lab', '?backend=webgpu')).toBe('webgpu');
  const data = page.getByTestId('lab-data');
  await expect(data).toHaveAttribute('data-identities', '6');
  await expect(data).toHaveAttribute('data-samples', '18');
  await expect(page.getByTestId('lab-split')).toHaveAttribute('data-test', '2');
  await expect(page.getByTestId('lab-split')).toHaveAttribute('data-train', '4');

  // FaceRes already separates these people by more than the default margin (every triplet
  // inactive, loss 0 from the first step); a wide margin gives the loss something to lower.
  await page.getByTestId('lab-steps').fill('10');
  await page.getByTestId('lab-margin').fill('2');
  await page.getByTestId('lab-lr').fill('0.01');
  await page.getByTestId('lab-start').click();
  const status = page.getByTestId('lab-status');
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 240_000 });
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
  const loss = page.getByTestId('lab-loss');
  await expect(loss).toHaveAttribute('data-steps', '10');
  const first = Number(await loss.getAttribute('data-loss-first'));
  const last = Number(await loss.getAttribute('data-loss-last'));
  expect(first).toBeGreaterThan(0);
  expect(last).toBeLessThan(first);
  await expect(page.getByTestId('lab-plot-loss')).toHaveAttribute('data-points', '10');

  const comparison = page.getByTestId('lab-comparison');
  await expect(page.getByTestId('lab-row-head')).toBeVisible({ timeout: 60_000 });
  await expect(comparison).toHaveAttribute('data-identities', '2');
  await expect(comparison).toContainText('6 pairs of one person and 9 pairs of two people'); // 2 × C(3,2); 3 × 3
  await expect(page.getByTestId('lab-row-cosine')).toBeVisible();
  await expect(page.getByTestId('lab-roc')).toBeVisible();
  await expect(page.getByTestId('lab-hist-after')).toBeVisible();

  // The pair classifier on the same split joins the table.
  await page.locator('label', { has: page.getByTestId('lab-method-pair-classifier') }).click();
  await page.getByTestId('lab-pair-steps').fill('20');
  await page.getByTestId('lab-start').click();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('lab-row-pair-classifier')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('lab-row-head')).toBeVisible();

  await page.getByTestId('lab-save-head').click();
  await expect(page.getByTestId('lab-model')).toHaveCount(1);
  await page.getByTestId('lab-save-pair-classifier').click();
  await expect(page.getByTestId('lab-model')).toHaveCount(2);
  const savedHead = page.locator('[data-testid=lab-model][data-kind=head]');
  const savedPair = page.locator('[data-testid=lab-model][data-kind=pair-classifier]');
  await savedHead.getByTestId('lab-adopt').click();
  await expect(savedHead).toHaveAttribute('data-active', 'true');
  await page.screenshot({ path: 'test-results/screens/lab.png', fullPage: true });

  // Identify matches through the adopted head (on wasm: quicker, and the head is plain data),
  // then through the pair classifier, each on a photo that was not enrolled.
  expect(await openApp(page, '#/identify', '?backend=wasm')).toBe('wasm');
  await page
    .locator('input[type=file]')
    .first()
    .setInputFiles(join(SET, PEOPLE[0]!, 'tight.png'));
  await expect(page.getByTestId('identified-face').first()).toContainText(PEOPLE[0]!, { timeout: 60_000 });
  await page.goto('/#/lab');
  await savedPair.getByTestId('lab-adopt').click();
  await expect(savedPair).toHaveAttribute('data-active', 'true');
  await expect(savedHead).toHaveAttribute('data-adopted', 'false');
  await page.goto('/#/identify');
  await page
    .locator('input[type=file]')
    .first()
    .setInputFiles(join(SET, PEOPLE[1]!, 'tight.png'));
  await expect(page.getByTestId('identified-face').first()).toContainText(PEOPLE[1]!, { timeout: 60_000 });

  await page.goto('/#/lab');
  await page.getByTestId('lab-rollback').click();
  await expect(page.getByTestId('lab-adoption')).toContainText('plain cosine');
  await expect(page.locator('[data-testid=lab-model][data-adopted=true]')).toHaveCount(0);
});

test('Siamese Lab: a labelled folder is imported, too few people are refused, and a pair classifier trains', async ({
  page,
}) => {
  const dir = await mkdtemp(join(tmpdir(), 'facet-lab-'));
  const copy = async (people: string[]) => {
    for (const person of people) {
      await mkdir(join(dir, 'set', person), { recursive: true });
      for (const photo of PHOTOS) await cp(join(SET, person, photo), join(dir, 'set', person, photo));
    }
  };
  expect(await openApp(page, '#/lab', '?backend=wasm')).toBe('wasm');
  const input = page.getByTestId('lab-folder-input');

  await copy(PEOPLE.slice(0, 3));
  await input.setInputFiles(join(dir, 'set'));
  await expect(page.getByTestId('lab-folder-summary')).toContainText('3 people, 9 faces from 9 images', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('lab-data-problem')).toContainText('at least 4 people');
  await expect(page.getByTestId('lab-start')).toBeDisabled();

  await copy(PEOPLE.slice(3, 5));
  await input.setInputFiles(join(dir, 'set'));
  await expect(page.getByTestId('lab-folder-summary')).toContainText('5 people, 15 faces', { timeout: 90_000 });
  await expect(page.getByTestId('lab-data-problem')).toHaveCount(0);
  await page.locator('label', { has: page.getByTestId('lab-method-pair-classifier') }).click();
  await expect(page.getByTestId('lab-method-pair-classifier')).toBeChecked();
  await page.getByTestId('lab-pair-steps').fill('20');
  await page.getByTestId('lab-start').click();
  await expect(page.getByTestId('lab-status')).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(page.getByTestId('lab-loss')).toHaveAttribute('data-steps', '20');
  await expect(page.getByTestId('lab-row-pair-classifier')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('lab-hist-pair')).toBeVisible();
  await rm(dir, { recursive: true, force: true });
});
