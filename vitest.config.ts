import { defaultClientConditions, defaultExternalConditions, defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// The workspaces' package.json send imports of @outpost/* to the TypeScript sources under this condition and to
// the built dist/ otherwise (what the bins and the installed packages run): the tests import the sources, the
// processes they start run the build (test/support/build-global-setup.ts brings dist/ up to date first).
const resolve = { conditions: ['outpost-source', ...defaultClientConditions] };
const ssr = { resolve: { conditions: ['outpost-source', ...defaultServerConditions], externalConditions: ['outpost-source', ...defaultExternalConditions] } };
const build = 'test/support/build-global-setup.ts';

// Three tiers: unit (no I/O beyond temp files), pg (a fresh PostgreSQL database per test, from one embedded
// server started in globalSetup), e2e (real central and agent processes over loopback).
export default defineConfig({
  test: {
    projects: [
      {
        resolve,
        ssr,
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
          exclude: ['**/*.pg.test.ts', '**/node_modules/**'],
          globalSetup: [build],
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'pg',
          include: ['apps/*/src/**/*.pg.test.ts'],
          globalSetup: [build, 'test/support/pg-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve,
        ssr,
        test: {
          name: 'e2e',
          include: ['test/**/*.test.ts'],
          globalSetup: [build, 'test/support/pg-global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 180_000,
          // The suites start several processes each; two cores do not gain from running files in parallel.
          fileParallelism: false,
        },
      },
    ],
  },
});
