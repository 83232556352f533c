import type { Page } from '@playwright/test';

export type SyntheticPresentation = 'live' | 'replay' | 'still' | 'moved';
export const PRESENTATIONS: SyntheticPresentation[];
export function useSyntheticCamera(page: Page, mode: SyntheticPresentation, seed?: number): Promise<void>;
