import { defineConfig } from 'vitest/config';

// Measurements on real data (scripts/measure/*.measure.ts): run by hand, never part of `npm test`.
export default defineConfig({
  test: {
    include: ['scripts/measure/**/*.measure.ts'],
    environment: 'node',
    testTimeout: 3_600_000,
    hookTimeout: 600_000,
  },
});
