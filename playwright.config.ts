import { defineConfig } from '@playwright/test';
import { chromiumArgs, findChromium } from './scripts/chromium-path.mjs';

const executablePath = findChromium() ?? '/usr/bin/chromium';
const fakeCamera = 'e2e/fixtures/face-a.y4m';
// FACET_E2E_PORT lets two checkouts run their suites side by side.
const port = Number(process.env.FACET_E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    permissions: ['camera'],
    viewport: { width: 1280, height: 860 },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
  webServer: {
    command: `npx vite preview --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /fallback\.spec\.ts/,
      use: { launchOptions: { executablePath, args: chromiumArgs({ webgpu: true, fakeCamera }) } },
    },
    {
      name: 'no-webgpu',
      testMatch: /fallback\.spec\.ts/,
      use: { launchOptions: { executablePath, args: chromiumArgs({ webgpu: false, fakeCamera }) } },
    },
  ],
});
