import { defineConfig } from 'vitest/config';

// Three tiers: unit (no I/O beyond temp files), pg (a fresh PostgreSQL database per test, from one embedded
// server started in globalSetup), e2e (real central and agent processes over loopback).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'pg',
          include: ['apps/*/src/**/*.pg.test.ts'],
          globalSetup: ['test/support/pg-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          globalSetup: ['test/support/pg-global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
          // The suites start several processes each; two cores do not gain from running files in parallel.
          fileParallelism: false,
        },
      },
    ],
  },
});
