// Cross-origin isolation for a Playwright page or context: every response gets COOP/COEP headers,
// as a site that serves Facet with them would send. Block the service worker as well, or it
// answers without them. Used by the benchmark's `isolated` pages and by e2e/isolated-wasm.spec.ts.

/** @param {import('@playwright/test').Page | import('@playwright/test').BrowserContext} target */
export async function isolate(target) {
  await target.route('**/*', async (route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      headers: {
        ...response.headers(),
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      },
    });
  });
}
