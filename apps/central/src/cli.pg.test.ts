import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createTestDatabase } from '../../../test/support/pg.js';
import { client, request } from '../../../test/support/http.js';
import { freePort } from '../../../test/support/ports.js';
import { RawAgent } from '../../../test/support/raw-agent.js';
import { waitFor } from '../../../test/support/wait.js';

const BIN = resolve(import.meta.dirname, '../bin/outpost-central.js');
const TOKEN = 'cli-test-admin-token-0123456789abcdef';

interface Proc {
  child: ChildProcess;
  out: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  child.stdout!.on('data', (b: Buffer) => out.push(b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => out.push(b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));
  return { child, out, exited };
}

describe('outpost-central command line', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  const procs: Proc[] = [];
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'central-cli-'));
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    for (const p of procs.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  async function start(port: number, env: Record<string, string> = {}): Promise<Proc> {
    const p = run(['start', '--port', String(port), '--data-dir', dir, '--database-url', db.url], env);
    procs.push(p);
    await waitFor(
      async () => {
        if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`central exited: ${p.out.join('')}`);
        return (await request('GET', `http://127.0.0.1:${port}/readyz`)).status === 200;
      },
      { timeoutMs: 30_000, what: 'central ready' },
    );
    return p;
  }

  it('prints the URL and admin token, creates stores from the CLI, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const p = await start(port);
    const out = p.out.join('');
    expect(out).toContain(`Outpost central listening on http://127.0.0.1:${port}`);
    // A token given by the environment is the operator's secret: never echoed into central's log.
    expect(out).not.toContain(TOKEN);
    expect(out).toContain('Admin token: from OUTPOST_ADMIN_TOKEN');

    const viaHttp = spawnSync(process.execPath, [BIN, 'store', 'add', 'store-cli', '--name', 'CLI store', '--central', `http://127.0.0.1:${port}`], {
      env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN },
      encoding: 'utf8',
    });
    expect(viaHttp.status).toBe(0);
    const code = viaHttp.stdout.trim();
    expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const enrolled = await client(`http://127.0.0.1:${port}/api/v1`).post<{ storeId: string }>('/enroll', { code, deviceName: 'till' });
    expect(enrolled).toMatchObject({ status: 200, body: { storeId: 'store-cli' } });

    const viaDb = spawnSync(process.execPath, [BIN, 'store', 'add', 'store-db', '--name', 'DB store', '--database-url', db.url], { encoding: 'utf8' });
    expect(viaDb.status).toBe(0);
    expect(viaDb.stdout.trim()).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
    const stores = await client(`http://127.0.0.1:${port}/api/v1`, TOKEN).get<{ items: { storeId: string }[] }>('/stores');
    expect(stores.body.items.map((s) => s.storeId)).toEqual(['store-cli', 'store-db']);

    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
  });

  it('says clearly when central is not reachable, and refuses unknown ERP connectors', async () => {
    const port = await freePort();
    const r = spawnSync(process.execPath, [BIN, 'store', 'add', 'x', '--name', 'X', '--central', `http://127.0.0.1:${port}`], {
      env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN, DATABASE_URL: '' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/central is not reachable at http:\/\/127\.0\.0\.1:\d+/);
    const erp = spawnSync(process.execPath, [BIN, 'start', '--erp', 'tryton', '--database-url', db.url], { encoding: 'utf8' });
    expect(erp.status).toBe(2);
    expect(erp.stderr).toMatch(/OUTPOST_TRYTON_URL is required with --erp tryton/);
    const unknown = spawnSync(process.execPath, [BIN, 'start', '--erp', 'sap', '--database-url', db.url], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/--erp must be one of ledger, tryton, webhook, got "sap"/);
  });

  it('central.crashBeforeCommit kills central inside the batch transaction; nothing of that batch is kept, and it is stored after restart', async () => {
    const port = await freePort();
    const boot = await start(port);
    const api = client(`http://127.0.0.1:${port}/api/v1`, TOKEN);
    const created = await api.post<{ enrollmentCode: string }>('/stores', { storeId: 'store-c', name: 'C' });
    const dev = await client(`http://127.0.0.1:${port}/api/v1`).post<{ storeId: string; deviceId: string; token: string }>('/enroll', {
      code: created.body.enrollmentCode,
      deviceName: 'till',
    });
    boot.child.kill('SIGTERM');
    await boot.exited;

    const crashing = await start(port, { OUTPOST_FAULT: 'central.crashBeforeCommit=2' });
    const raw = new RawAgent(`http://127.0.0.1:${port}`, dev.body.token, 'store-c', dev.body.deviceId);
    raws.push(raw);
    await raw.connected();
    await raw.hello();
    const first = [1, 2, 3].map((s) => raw.sale(s));
    const second = [4, 5, 6].map((s) => raw.sale(s));
    expect(await raw.batch(1, first)).toMatchObject({ ok: true, storedSeq: 3 });
    await expect(raw.batch(4, second)).rejects.toThrow();
    expect((await crashing.exited).signal).toBe('SIGKILL');

    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const rows = await c.query<{ seq: string }>('SELECT seq FROM events ORDER BY seq');
      expect(rows.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
      const d = await c.query<{ stored_seq: string }>('SELECT stored_seq FROM devices');
      expect(Number(d.rows[0]!.stored_seq)).toBe(3);
    } finally {
      await c.end();
    }

    await start(port);
    const again = new RawAgent(`http://127.0.0.1:${port}`, dev.body.token, 'store-c', dev.body.deviceId);
    raws.push(again);
    await again.connected();
    expect(await again.hello()).toMatchObject({ ok: true, storedSeq: 3 });
    expect(await again.batch(4, second)).toMatchObject({ ok: true, storedSeq: 6, stored: 3 });
    const events = await api.get<{ items: { eventId: string }[] }>('/events?storeId=store-c');
    expect(events.body.items.map((e) => e.eventId)).toEqual([...first, ...second].map((e) => e.eventId));
  });

  it('embedded PostgreSQL: made on first start in <data-dir>/pg, recovered after kill -9 of central alone, stopped with central', async () => {
    chmodSync(dir, 0o777); // as root, the postgres user must reach the data folder
    const dataDir = join(dir, 'central');
    const env = { DATABASE_URL: '', OUTPOST_ADMIN_TOKEN: '' };
    const boot = async (port: number): Promise<Proc> => {
      const p = run(['start', '--port', String(port), '--data-dir', dataDir], env);
      procs.push(p);
      await waitFor(
        async () => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`central exited: ${p.out.join('')}`);
          return (await request('GET', `http://127.0.0.1:${port}/readyz`)).status === 200;
        },
        { timeoutMs: 90_000, what: 'central on embedded PostgreSQL ready' },
      );
      return p;
    };
    const port = await freePort();
    const first = await boot(port);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    expect(first.out.join('')).toContain(`Admin token: ${token}`); // made now: shown this once
    const api = client(`http://127.0.0.1:${port}/api/v1`, token);
    expect((await api.post('/stores', { storeId: 'kept', name: 'Kept' })).status).toBe(201);

    // kill -9 central only: its PostgreSQL child is orphaned and still holds the data folder.
    const postmaster = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(running(postmaster)).toBe(true);

    const second = await boot(port);
    expect(running(postmaster)).toBe(false); // the orphan was stopped
    expect((await api.get<{ items: { storeId: string }[] }>('/stores')).body.items.map((s) => s.storeId)).toEqual(['kept']);
    expect(second.out.join('')).not.toContain(token); // same folder, same token, not shown again
    expect(second.out.join('')).toContain(`Admin token: in ${join(dataDir, 'admin-token')}`);

    const pgPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(running(pgPid)).toBe(false); // PostgreSQL stopped with central
  });
});

/**
 * Whether a process still runs. An exited process whose parent is gone stays a zombie until init reaps it, and
 * a container's init may never do so: a zombie holds no files or ports, so it counts as stopped.
 */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
