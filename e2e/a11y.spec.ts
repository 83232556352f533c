import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { ROUTES } from '../src/ui/routes';
import { openApp } from './helpers';

// An automated accessibility check of every page as it first renders, light and dark, at a
// desktop and a phone size: axe-core's WCAG 2.0/2.1 A and AA rules (contrast, names and labels
// of controls, links and images, ARIA use, …), failing on any violation. Nothing is excluded.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
];

/**
 * axe cannot tell the background behind text on a gradient and leaves it for review, which is
 * where primary buttons and banners sit: check those here against every colour stop of the
 * gradient (4.5:1, or 3:1 for large text, as axe's rule).
 */
async function gradientContrast(page: Page, targets: string[]): Promise<string[]> {
  return page.evaluate((selectors) => {
    const channels = (c: string) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const luminance = (c: string) => {
      const [r, g, b] = channels(c).map((v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const ratio = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const failures: string[] = [];
    for (const selector of selectors) {
      const el = document.querySelector(selector);
      if (!el) continue;
      let host: Element | null = el;
      while (host && !getComputedStyle(host).backgroundImage.includes('gradient')) host = host.parentElement;
      if (!host) continue;
      const style = getComputedStyle(el);
      const size = parseFloat(style.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
      const needed = large ? 3 : 4.5;
      const stops = getComputedStyle(host).backgroundImage.match(/rgba?\([^)]+\)/g) ?? [];
      for (const stop of stops) {
        const r = ratio(style.color, stop);
        if (r < needed) failures.push(`${selector}: ${style.color} on ${stop} is ${r.toFixed(2)}:1, needs ${needed}:1`);
      }
    }
    return failures;
  }, targets);
}

/** Each violation in one line: page, rule, and the elements it was found on (with axe's reason). */
async function violations(page: Page, where: string): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = result.violations.flatMap((v) =>
    v.nodes.map((n) => `${where}: ${v.id} at ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ')}`),
  );
  const onGradients = result.incomplete
    .filter((v) => v.id === 'color-contrast')
    .flatMap((v) => v.nodes)
    .filter((n) => n.any.some((a) => a.message.includes('gradient')))
    .map((n) => n.target.join(' '));
  const gradients = await gradientContrast(page, onGradients);
  return [...found, ...gradients.map((g) => `${where}: color-contrast on a gradient at ${g}`)];
}

for (const theme of ['light', 'dark'] as const) {
  for (const size of SIZES) {
    test(`every page passes axe's WCAG A/AA rules in the ${theme} theme on a ${size.name}`, async ({ page }) => {
      await page.setViewportSize(size);
      // The theme as the Settings page stores it (src/state/settings.ts), before the app first loads.
      await page.addInitScript((t) => {
        localStorage.setItem('facet.settings', JSON.stringify({ state: { theme: t }, version: 2 }));
      }, theme);
      await openApp(page, '#/unlock');
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      const found: string[] = [];
      for (const route of ROUTES) {
        // In-app navigation (the hash), as a user's tap on a tab: the app is not reloaded.
        await page.evaluate((id) => (location.hash = `#/${id}`), route.id);
        await expect(page).toHaveTitle(new RegExp(route.title));
        await expect(page.locator('main h1').first()).toBeVisible();
        found.push(...(await violations(page, route.id)));
      }
      if (size.name === 'phone') {
        // The sheet with the other sections, open.
        await page.getByTestId('nav-more').click();
        await expect(page.getByTestId('more-sheet')).toBeVisible();
        found.push(...(await violations(page, 'more sheet')));
      }
      expect(found, found.join('\n')).toEqual([]);
    });
  }
}

test('on a phone the bottom bar reaches every section, the More sheet by keyboard', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, '#/unlock');
  // The wide screen's row of tabs is not shown (nor read out) on a phone.
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav).toHaveCount(1);
  for (const label of ['Unlock', 'People', 'Identify', 'Style']) {
    await expect(nav.getByRole('link', { name: label })).toBeInViewport();
  }
  const more = nav.getByRole('button', { name: 'More' });
  await expect(more).toBeInViewport();

  const others = ROUTES.filter((r) => !['unlock', 'people', 'identify', 'style'].includes(r.id));
  for (const route of others) {
    await more.focus();
    await page.keyboard.press('Enter');
    const sheet = page.getByRole('dialog', { name: 'More' });
    await expect(sheet).toBeVisible();
    const link = sheet.getByRole('link', { name: route.label });
    await link.focus();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(new RegExp(`#/${route.id}$`));
    await expect(sheet).toBeHidden();
    await expect(page).toHaveTitle(new RegExp(route.title));
    // The section is under More: its button says so.
    await expect(more).toHaveAccessibleName(`More, now on ${route.label}`);
  }
  // Escape closes the sheet without going anywhere.
  await more.click();
  await expect(page.getByRole('dialog', { name: 'More' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'More' })).toBeHidden();
  await expect(page).toHaveURL(/#\/settings$/);
  // No sideways scrolling of the page.
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
});

test('developer details are off by default and come back with the Settings toggle', async ({ page }) => {
  await openApp(page, '#/settings');
  await expect(page.getByTestId('status-backend')).toBeVisible();
  await expect(page.getByTestId('status-models')).toHaveCount(0);
  await expect(page.getByText(/^Tensors:/)).toHaveCount(0);
  await page.getByLabel('Show developer details').check();
  await expect(page.getByTestId('status-models')).toBeVisible();
  await expect(page.getByText(/^Tensors:/)).toBeVisible();
  // Still exactly one backend chip, which specs and helpers read.
  await expect(page.getByTestId('status-backend')).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('status-models')).toBeVisible();
});

test('a touch screen is asked to choose a photo, not to drop one', async ({ browser, baseURL }) => {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    hasTouch: true,
    isMobile: true,
    baseURL,
  });
  const page = await context.newPage();
  await openApp(page, '#/people');
  const zone = page.getByTestId('dropzone').first();
  await expect(zone.getByRole('button', { name: 'Choose a photo…' })).toBeVisible();
  await expect(zone).not.toContainText('Drop');
  await context.close();
});

test('a mouse is offered the drop, and hidden file inputs are never a tab stop', async ({ page }) => {
  await openApp(page, '#/people');
  const zone = page.getByTestId('dropzone').first();
  await expect(zone).toContainText('Drop an image here');
  await expect(zone.getByRole('button', { name: 'Choose image…' })).toBeVisible();
  // Tab through the whole page: focus lands on buttons, never on the inputs behind them.
  const stops: string[] = [];
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(() => {
        const el = document.activeElement;
        return el instanceof HTMLInputElement ? `input[type=${el.type}]` : (el?.tagName ?? 'none');
      }),
    );
  }
  expect(stops).toContain('BUTTON');
  expect(stops).not.toContain('input[type=file]');
  expect(await page.locator('input[type=file]').count()).toBeGreaterThan(1);
});
