import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openApp } from './helpers';

const PHOTO = 'e2e/fixtures/face-a.png';
const PAINTING = 'node_modules/@vladmandic/face-api/demo/sample2.jpg';

test('Style Studio: above the size limit the picture is finished in tiles, on WebGPU', async ({ page }) => {
  // SwiftShader compiles each new shape's shaders on first use: the whole image and the tiles differ.
  test.setTimeout(600_000);
  expect(await openApp(page, '#/style', '?backend=webgpu')).toBe('webgpu');
  await page.locator('[data-testid=content-zone] input[type=file]').setInputFiles(PHOTO);
  await expect(page.getByTestId('content-name')).toContainText('640×480');
  await page.locator('[data-testid=style-zone] input[type=file]').setInputFiles(PAINTING);
  await expect(page.getByTestId('style-item')).toHaveCount(1);

  // 80×60 px with pieces of 64 px: 64×48 as one picture, then two overlapping tiles of 64×60.
  await page.getByTestId('size').fill('80');
  await page.getByTestId('iterations').fill('2');
  await page.getByTestId('style-advanced').locator('summary').click();
  await page.getByTestId('tile-size').fill('64');
  const estimate = page.getByTestId('style-estimate');
  await expect(estimate).toHaveAttribute('data-tiles', '2');
  await expect(estimate).toContainText('80×60 px in 2 overlapping tiles of 64 px');
  await expect(estimate).toContainText('3 steps in all');
  expect(Number(await estimate.getAttribute('data-peak-bytes'))).toBeGreaterThan(0);

  await page.getByTestId('style-start').click();
  const status = page.getByTestId('style-status');
  await expect(status).toContainText('tile 1 of 2', { timeout: 400_000 });
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 400_000 });
  await expect(status).toContainText('Done: 3 steps');
  await expect(page.getByTestId('plot-costs')).toHaveAttribute('data-points', '3');
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
  const place = page.getByTestId('style-run-place');
  await expect(place).toHaveAttribute('data-backend', 'webgpu');
  await expect(place).toHaveAttribute('data-worker', 'true');

  // The wipe between the photo and the result, by keyboard, and axe's rules on the finished card.
  const compare = page.getByTestId('style-compare');
  await expect(compare).toHaveAttribute('data-split', '50');
  const split = page.getByTestId('style-compare-split');
  await split.focus();
  await page.keyboard.press('End');
  await expect(compare).toHaveAttribute('data-split', '100');
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowRight');
  await expect(compare).toHaveAttribute('data-split', '1');
  await expect(split).toHaveAttribute('aria-valuetext', '1% your photo, 99% the result');
  const axe = await new AxeBuilder({ page })
    .include('.style-run')
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(', ')}`)).toEqual([]);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('style-download').click()]);
  const png = readFileSync(await download.path());
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([80, 60]);
});
