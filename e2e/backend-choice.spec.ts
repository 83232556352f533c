import { expect, test } from '@playwright/test';
import { openApp } from './helpers';

// The backend is chosen by a measured probe. This project's Chromium has a real SwiftShader WebGPU
// adapter: it starts, but it is software and slow, so it must not become the default.

test('with the real software WebGPU adapter and no pin, the measured choice is not webgpu', async ({ page }) => {
  const backend = await openApp(page, '#/diagnostics');
  const adapter = await page.evaluate(async () => {
    const a = await navigator.gpu.requestAdapter();
    const info = a?.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
    return { architecture: info?.architecture ?? '', vendor: info?.vendor ?? '', fallback: info?.isFallbackAdapter };
  });
  expect(`${adapter.vendor} ${adapter.architecture} ${adapter.fallback}`).toMatch(/swiftshader|true/i);
  expect(backend).not.toBe('webgpu');

  const reason = page.getByTestId('probe-reason');
  await expect(reason).toHaveAttribute('data-chosen', backend);
  await expect(reason).toHaveAttribute('data-chosen-by', 'measured');
  await expect(reason).toContainText('software adapter');
  // The figures: WebGPU did run, and was measured slower than the one chosen.
  const webgpuMs = Number(await page.getByTestId('probe-webgpu').getAttribute('data-ms'));
  const chosenMs = Number(await page.getByTestId(`probe-${backend}`).getAttribute('data-ms'));
  expect(webgpuMs).toBeGreaterThan(0);
  expect(chosenMs).toBeGreaterThan(0);
  await expect(page.getByTestId('probe-webgpu')).toContainText('software adapter');
  const chip = page.getByTestId('status-backend');
  await expect(chip).toHaveAttribute('data-speed', 'fast');
  await expect(chip).toHaveAttribute('title', /webgpu \(software\)/);
  const first = await page.evaluate(() => JSON.parse(localStorage.getItem('facet.backendProbe') ?? 'null'));
  console.log(
    `probe on this machine: ${first.totalMs} ms in all; ${JSON.stringify(first.figures.map((f: { name: string; ms: number | null; warmupMs: number | null }) => [f.name, f.ms, f.warmupMs]))}`,
  );

  // A reload (page.goto to the same address would not reload) reuses the stored figures for the same adapter and browser, without measuring.
  await page.reload();
  expect(await openApp(page, '#/diagnostics')).toBe(backend);
  await expect(reason).toHaveAttribute('data-chosen-by', 'stored');

  // Measure again runs the probe and keeps the running backend.
  await page.getByTestId('probe-remeasure').click();
  await expect(page.getByTestId('probe-remeasure')).toHaveText('Measure again', { timeout: 60_000 });
  const again = await page.evaluate(() => JSON.parse(localStorage.getItem('facet.backendProbe') ?? 'null'));
  expect(again.at).not.toBe(first.at);
  await expect(chip).toHaveAttribute('data-backend', backend);
  await page.getByTestId('probe-card').screenshot({ path: 'test-results/screens/backend-probe.png' });
});

test('?backend=webgpu pins WebGPU over the measurement, and ?backend=auto returns to it', async ({ page }) => {
  const measured = await openApp(page, '#/diagnostics');
  expect(await openApp(page, '#/diagnostics', '?backend=webgpu')).toBe('webgpu');
  await expect(page.getByTestId('probe-reason')).toHaveAttribute('data-chosen-by', 'pinned');
  // Pinned on the software adapter: the chip says slow, and why.
  await expect(page.getByTestId('status-backend')).toHaveAttribute('data-speed', 'slow');
  await expect(page.getByTestId('status-backend')).toHaveAttribute('title', new RegExp(`${measured} is faster here`));
  expect(await openApp(page, '#/settings')).toBe('webgpu');
  await expect(page.getByTestId('settings-backend')).toHaveValue('webgpu');
  expect(await openApp(page, '#/settings', '?backend=auto')).toBe(measured);
  await expect(page.getByTestId('settings-backend')).toHaveValue('auto');
});
