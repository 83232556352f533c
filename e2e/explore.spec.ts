import { expect, test, type Page } from '@playwright/test';
import { openApp } from './helpers';

async function findPatches(page: Page, layer: string) {
  await page.getByTestId('explore-layer').selectOption(layer);
  const status = page.getByTestId('patches-status');
  const runs = Number(await status.getAttribute('data-runs'));
  await page.getByTestId('patches-start').click();
  await expect(status).toHaveAttribute('data-runs', String(runs + 1), { timeout: 300_000 });
  await expect(status).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('patches-error')).toHaveCount(0);
}

const tensors = (page: Page) => page.evaluate(() => window.facet!.memory().numTensors);

/** The Explorer opens on FaceRes; the VGG-19 tests switch to the untrained contrast explicitly. */
async function chooseVgg(page: Page) {
  await page.getByTestId('explore-network').selectOption('vgg19-random');
  const status = page.getByTestId('explore-network-status');
  await expect(status).toContainText('VGG-19', { timeout: 120_000 });
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
}

test('Explorer: opens on trained FaceRes and shows five layers × nine units × nine patches, fields growing, and why a clicked patch fired, on WebGPU', async ({
  page,
}) => {
  // SwiftShader runs FaceRes at several seconds per picture: nine crops (enough for nine distinct
  // pictures per unit even where a unit sees the whole picture) keep this short.
  test.setTimeout(300_000);
  expect(await openApp(page, '#/explore', '?pool=9&backend=webgpu')).toBe('webgpu');
  await expect(page.getByTestId('explore-network')).toHaveValue('faceres');
  const status = page.getByTestId('explore-network-status');
  await expect(status).toHaveAttribute('data-status', 'ready', { timeout: 120_000 });
  await expect(status).toContainText('FaceRes');
  await expect(page.getByTestId('pool-level')).toHaveValue('30');
  await page.getByTestId('pool-level').selectOption('1');

  await page.getByTestId('figure-start').click();
  const figureStatus = page.getByTestId('figure-status');
  await expect(figureStatus).toHaveAttribute('data-runs', '1', { timeout: 240_000 });
  await expect(page.getByTestId('figure-summary')).toContainText('over 9 of 9 picture crops');
  await expect(page.getByTestId('figure-error')).toHaveCount(0);
  await expect(figureStatus).toHaveAttribute('data-status', 'done');

  const layers = page.getByTestId('figure-layer');
  await expect(layers).toHaveCount(5);
  const rfs: number[] = [];
  const widths: number[] = [];
  for (let i = 0; i < 5; i++) {
    const column = layers.nth(i);
    await expect(column.getByTestId('figure-unit')).toHaveCount(9);
    await expect(column.getByTestId('figure-patch')).toHaveCount(81);
    await expect(column.getByTestId('figure-rf')).toContainText(/\d+×\d+ px/);
    rfs.push(Number(await column.getAttribute('data-rf')));
    widths.push((await column.getByTestId('figure-patch').first().boundingBox())!.width);
  }
  // Deeper units see more of the picture, and their patches are drawn larger.
  for (let i = 1; i < 5; i++) expect(rfs[i]).toBeGreaterThan(rfs[i - 1]!);
  expect(widths[4]).toBeGreaterThan(widths[0]!);
  expect(widths[0]).toBeGreaterThanOrEqual(12);
  const channels = await layers
    .nth(2)
    .getByTestId('figure-unit')
    .evaluateAll((els) => els.map((e) => e.dataset.channel));
  expect(new Set(channels).size).toBe(9);

  const before = await tensors(page);
  await layers.nth(2).getByTestId('figure-patch').first().click();
  const saliency = page.getByTestId('saliency');
  await expect(saliency).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('saliency-map')).toBeVisible();
  await expect(page.getByTestId('saliency-summary')).toContainText(
    `the unit sees nothing outside its ${rfs[2]}×${rfs[2]} px field`,
  );
  // The saliency map is not blank: some of its pixels are bright.
  const brightest = await page.getByTestId('saliency-map').evaluate((c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let max = 0;
    for (let i = 0; i < data.length; i += 4) max = Math.max(max, data[i]!);
    return max;
  });
  expect(brightest).toBeGreaterThan(128);
  expect(await tensors(page)).toBe(before);
  await page.screenshot({ path: 'test-results/screens/explore-figure.png', fullPage: true });
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
});

test('Explorer: top-activating patches of VGG-19 on the built-in samples, larger for a deeper layer, on WebGPU', async ({
  page,
}) => {
  // SwiftShader's WebGPU runs VGG's first convolutions at a few seconds per image; small inputs keep it short.
  test.setTimeout(600_000);
  expect(await openApp(page, '#/explore', '?backend=webgpu')).toBe('webgpu');
  await chooseVgg(page);
  await expect(page.getByTestId('set-count')).toHaveText('11');
  await page.getByTestId('feed-size').fill('64');

  await findPatches(page, 'conv2_1');
  const grids = page.getByTestId('patch-grid');
  await expect(grids).toHaveCount(9);
  for (let i = 0; i < 9; i++) {
    await expect(grids.nth(i).getByTestId('patch')).toHaveCount(9);
    await expect(grids.nth(i)).toHaveAttribute('data-channel', /^\d+$/);
  }
  const channels = await grids.evaluateAll((els) => els.map((e) => e.getAttribute('data-channel')));
  expect(new Set(channels).size).toBe(9);
  // conv1_1, conv1_2 (3×3), pool1 (2×2, stride 2), conv2_1 (3×3 at stride 2): 10 px.
  await expect(grids.first()).toHaveAttribute('data-rf', '10');
  const shallowWidth = (await grids.first().getByTestId('patch').first().boundingBox())!.width;
  await page.screenshot({ path: 'test-results/screens/explore.png', fullPage: true });

  await findPatches(page, 'pool2');
  await expect(grids).toHaveCount(9);
  const deepRf = Number(await grids.first().getAttribute('data-rf'));
  expect(deepRf).toBe(16);
  const deepWidth = (await grids.first().getByTestId('patch').first().boundingBox())!.width;
  expect(deepWidth).toBeGreaterThan(shallowWidth);

  // Back to conv2_1: served from the cache, and drawing it leaves no tensor behind.
  const before = await tensors(page);
  await findPatches(page, 'conv2_1');
  await expect(page.getByTestId('patches-summary')).toContainText('from the cache');
  await expect(grids.first()).toHaveAttribute('data-rf', '10');
  expect(await tensors(page)).toBe(before);
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-backend', 'webgpu');
});

test('Explorer: a file that is not an image is refused with its name', async ({ page }) => {
  await openApp(page, '#/explore');
  await page.locator('[data-testid=explore-drop] input[type=file]').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('not a picture'),
  });
  await expect(page.getByTestId('explore-image-error')).toContainText('notes.txt');
  await expect(page.getByTestId('explore-image-error')).toContainText('text file');
  await expect(page.getByTestId('set-image')).toHaveCount(11);
});

test('Explorer: on the wasm backend, feature visualisation says it needs gradients instead of failing', async ({
  page,
}) => {
  expect(await openApp(page, '#/explore', '?backend=wasm')).toBe('wasm');
  await expect(page.getByTestId('explore-network-status')).toHaveAttribute('data-status', 'ready');
  await page.getByTestId('vis-start').click();
  await expect(page.getByTestId('vis-error')).toContainText('wasm backend');
  await expect(page.getByTestId('vis-status')).toHaveAttribute('data-status', 'error');
});
