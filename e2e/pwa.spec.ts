import { expect, test } from '@playwright/test';
import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApp, waitForServiceWorker } from './helpers';
import { serveFolder } from './static-server';

test('after one visit the app reloads and runs a model with the network off', async ({ page, context }) => {
  await openApp(page, '#/diagnostics', '?backend=webgpu');
  await waitForServiceWorker(page);
  await expect(page.getByTestId('offline-ready')).toBeVisible();

  await context.setOffline(true);
  const modelResponses: boolean[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/models/')) modelResponses.push(r.fromServiceWorker());
  });
  await page.reload();
  expect(await openApp(page, '#/diagnostics')).toBe('webgpu');
  await expect(page.getByTestId('status-network')).toHaveText('Offline');
  await expect(page.getByTestId('model-blazeface')).toContainText('✓ cached');

  await page.getByTestId('model-blazeface').getByRole('button', { name: 'Load' }).click();
  await expect(page.getByTestId('model-blazeface')).toHaveAttribute('data-status', 'ready');
  await page.getByRole('button', { name: 'Start camera' }).click();
  await expect(page.getByTestId('camera-actual')).toContainText('640×480');
  await page.getByRole('button', { name: 'Check this frame for a face' }).click();
  await expect(page.getByTestId('face-check')).toContainText('Face found');
  expect(modelResponses.length).toBeGreaterThan(0);
  expect(modelResponses.every(Boolean)).toBe(true);
});

test('a new version shows "Reload to update" and takes over when clicked', async ({ browser }) => {
  const dir = await mkdtemp(join(tmpdir(), 'facet-update-'));
  await cp('dist', dir, { recursive: true });
  const server = await serveFolder(dir);
  const context = await browser.newContext({ baseURL: server.url });
  try {
    const page = await context.newPage();
    await openApp(page, '#/unlock');
    await waitForServiceWorker(page);
    await page.reload();
    await openApp(page, '#/unlock');
    await expect(page.getByTestId('update-banner')).toHaveCount(0);

    // Publish a "new version": any byte change to the service worker is an update.
    await appendFile(join(dir, 'sw.js'), '\n// next version\n');
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())!.update());
    const banner = page.getByTestId('update-banner');
    await expect(banner).toContainText('A new version of Facet is available');

    // The new service worker takes over and the page reloads itself: wait for that load.
    const reloaded = page.waitForEvent('load');
    await banner.getByRole('button', { name: 'Reload to update' }).click();
    await reloaded;
    await openApp(page, '#/unlock');
    await expect(page.getByTestId('update-banner')).toHaveCount(0);
    const waiting = await page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null);
    expect(waiting).toBeNull();
  } finally {
    await context.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
