import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { createAgent } from './core/engine.js';
import { silentLogger } from './core/log.js';
import { enrolledDir, sale, TempDirs, TEST_DEVICE } from './core/testing/fixtures.js';

// `outpost-agent reseed` and `enroll --reseed`, run as the real CLI against real SQLite files.

const BIN = fileURLToPath(new URL('../bin/outpost-agent.js', import.meta.url));
const dirs = new TempDirs();
const servers: Server[] = [];

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OUTPOST_AGENT_PORT: '9' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Central's enrolment endpoint, just enough of it: every code is good once; counts what it was asked. */
async function enrolServer(): Promise<{ url: string; calls: () => number }> {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ storeId: 'store-t', deviceId: '01890a5d-ac96-774b-bcce-b302099a8058', token: 'tok-new-0123456789abcdefghij' }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => calls };
}

/** A till's data folder: `captured` sales, of which central acknowledged the first `acked`. */
async function till(captured: number, acked: number): Promise<{ dir: string; oldestAt: string }> {
  const dir = enrolledDir(dirs);
  const a = createAgent({ dataDir: dir, log: silentLogger, env: {} });
  for (let i = 1; i <= captured; i++) a.capture.sale(sale(`T-${i}`));
  if (acked > 0) a.outbox.markAcked(acked, acked);
  const oldestAt = (a.db.sqlite.prepare('SELECT min(created_at) AS at FROM outbox WHERE seq > ?').get(acked) as { at: string | null }).at ?? '';
  await a.stop();
  return { dir, oldestAt };
}

function syncState(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return {
      state: db.prepare('SELECT device_id AS deviceId, last_seq AS lastSeq, acked_seq AS ackedSeq, seed_wanted AS seedWanted FROM sync_state').get(),
      outbox: (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}
const kept = (dir: string) => readdirSync(dir).filter((f) => /^agent\.db\.replaced-[^.]+$/.test(f) && !/-(wal|shm)$/.test(f));

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  dirs.cleanup();
});

describe('re-seeding a till', { timeout: 60_000 }, () => {
  it('is refused while the till holds events central has not acknowledged, saying how many and since when; --force keeps them aside', async () => {
    const { dir, oldestAt } = await till(5, 2);
    const refused = await run(['reseed', '--data-dir', dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('3 events central has not acknowledged (seq 3..5');
    expect(refused.err).toContain(`the oldest captured ${oldestAt}`);
    expect(syncState(join(dir, 'agent.db'))).toEqual({ state: { deviceId: TEST_DEVICE, lastSeq: 5, ackedSeq: 2, seedWanted: 1 }, outbox: 5 }); // untouched
    expect(kept(dir)).toEqual([]);

    const forced = await run(['reseed', '--data-dir', dir, '--force']);
    expect(forced.code, forced.err).toBe(0);
    expect(forced.out).toContain('forced: it held 3 events');
    // The new database: same device, numbering after what central acknowledged, asking for the store's picture.
    expect(syncState(join(dir, 'agent.db'))).toEqual({ state: { deviceId: TEST_DEVICE, lastSeq: 2, ackedSeq: 2, seedWanted: 1 }, outbox: 0 });
    const [old] = kept(dir);
    expect(syncState(join(dir, old!)).outbox).toBe(5); // never deleted
  });

  it('goes ahead at once when central has everything, and the agent starts on the new database', async () => {
    const { dir } = await till(3, 3);
    const r = await run(['reseed', '--data-dir', dir]);
    expect(r.code, r.err).toBe(0);
    expect(syncState(join(dir, 'agent.db')).state).toEqual({ deviceId: TEST_DEVICE, lastSeq: 3, ackedSeq: 3, seedWanted: 1 });
    const a = createAgent({ dataDir: dir, log: silentLogger, env: {} });
    try {
      expect(a.status()).toMatchObject({ pendingUp: 0, appliedCommandSeq: 0, seed: { wanted: true } });
      expect(a.capture.sale(sale('T-after')).seq).toBe(4);
    } finally {
      await a.stop();
    }
  });

  it('is refused while an agent has the database open, however it was started (no agent-api.json)', async () => {
    const { dir } = await till(1, 1);
    const open = createAgent({ dataDir: dir, log: silentLogger, env: {} }); // as the desktop app holds it
    try {
      const r = await run(['reseed', '--data-dir', dir]);
      expect(r.code).toBe(1);
      expect(r.err).toContain('the agent is running on');
      expect(kept(dir)).toEqual([]);
    } finally {
      await open.stop();
    }
    expect((await run(['reseed', '--data-dir', dir])).code).toBe(0);
  });

  it('enroll on a folder that holds a till asks for --reseed and checks it before spending the code', async () => {
    const central = await enrolServer();
    const { dir } = await till(2, 0);
    const enrol = (...extra: string[]) => run(['enroll', '--central', central.url, '--code', 'CODE-1', '--data-dir', dir, ...extra]);
    const plain = await enrol();
    expect(plain.code).toBe(1);
    expect(plain.err).toContain('--reseed');
    const pending = await enrol('--reseed');
    expect(pending.code).toBe(1);
    expect(pending.err).toContain('2 events central has not acknowledged');
    expect(central.calls()).toBe(0);

    const forced = await enrol('--reseed', '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(central.calls()).toBe(1);
    expect(existsSync(join(dir, 'agent.db'))).toBe(false); // the new till's database is made at its first start
    expect(kept(dir)).toHaveLength(1);
    expect((JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')) as { deviceId: string }).deviceId).toBe('01890a5d-ac96-774b-bcce-b302099a8058');
    const a = createAgent({ dataDir: dir, log: silentLogger, env: {} });
    try {
      expect(a.status()).toMatchObject({ lastAckedSeq: 0, pendingUp: 0, seed: { wanted: true } });
    } finally {
      await a.stop();
    }
  });
});
