import type { BrowserContext, Page } from '@playwright/test';

export function isolate(target: Page | BrowserContext): Promise<void>;
