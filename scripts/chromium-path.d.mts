export const CHROMIUM_CANDIDATES: string[];
export function findChromium(): string | null;
export function chromiumArgs(opts?: { webgpu?: boolean; fakeCamera?: string | null }): string[];
