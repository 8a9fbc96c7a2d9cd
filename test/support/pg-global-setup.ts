import type { TestProject } from 'vitest/node';
import { startScratchPostgres } from './scratch-postgres.js';
import { keepRunnerExitCode } from './exit-code.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL (database `postgres`) of the PostgreSQL server the pg and e2e tiers share. */
    pgAdminUrl: string;
  }
}

/**
 * One real PostgreSQL server for the whole run: TEST_DATABASE_URL when set (an external server), otherwise an
 * embedded one in a temporary folder. Each test then creates its own database on it (see pg.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('pgAdminUrl', external);
    return async () => {};
  }
  keepRunnerExitCode();
  // Tests want throughput, not durability against power loss; central's own default keeps fsync on.
  const pg = await startScratchPostgres('outpost-test-pg-', ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300']);
  project.provide('pgAdminUrl', pg.adminUrl);
  return pg.stop;
}
