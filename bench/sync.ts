/**
 * `npm run bench -- sync` (issue 2). In one run:
 *  1. agent capture: durable sales/s and p50/p99 of one capture, through the engine's capture path;
 *  2. raw better-sqlite3 commits of the same rows with the same pragmas, and the ratio;
 *  3. catch-up: 100,000 queued events from one real agent process into a real central process;
 *  4. raw baseline: the same rows read from SQLite and inserted into PostgreSQL in batches, no network; ratio.
 * Figures are printed, never asserted.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { startScratchPostgres } from '../test/support/scratch-postgres.js';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createAgent, writeEnrolment, silentLogger } from '@outpost/store-agent';
import { uuidv7 } from '@outpost/shared';
import { freePort } from '../test/support/ports.js';
import { api, createDatabase, waitUntil } from './support.js';
import { fmt, peakRssMiB, percentile } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const CAPTURE_N = Number(process.env.BENCH_CAPTURE_N ?? 5000);
const HTTP_N = 2000;
const CATCHUP_N = Number(process.env.BENCH_CATCHUP_N ?? 100_000);

function sale(i: number) {
  return {
    transactionId: `B-${i}`,
    lines: [
      { sku: `SKU-${i % 500}`, qty: 1 + (i % 3), unitPrice: 199 + (i % 9) * 100 },
      { sku: `SKU-${(i * 7) % 500}`, qty: 1, unitPrice: 350 },
    ],
    tenders: [{ method: i % 2 ? 'card' : 'cash', amount: (1 + (i % 3)) * (199 + (i % 9) * 100) + 350 }],
    currency: 'EUR',
  };
}

function fakeEnrolment(dataDir: string, centralUrl = 'http://127.0.0.1:9') {
  writeEnrolment(dataDir, { centralUrl, storeId: 'bench-store', deviceId: uuidv7(), token: 'x'.repeat(43), deviceName: 'bench', currency: 'EUR' });
}

interface CaptureFigures {
  rate: number;
  p50: number;
  p99: number;
  rawRate: number;
  rawP50: number;
  rawP99: number;
  httpRate: number;
  httpP50: number;
  httpP99: number;
}

async function benchCapture(work: string, sync: 'full' | 'normal'): Promise<CaptureFigures> {
  const dir = join(work, `capture-${sync}`);
  fakeEnrolment(dir);
  const agent = createAgent({ dataDir: dir, port: 0, log: silentLogger, env: { ...process.env, OUTPOST_SQLITE_SYNC: sync } });
  const lat: number[] = [];
  for (let i = 0; i < 200; i++) agent.capture.sale(sale(10_000_000 + i)); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < CAPTURE_N; i++) {
    const s = performance.now();
    agent.capture.sale(sale(i));
    lat.push(performance.now() - s);
  }
  const elapsed = (performance.now() - t0) / 1000;
  // The same captures as a till sends them: sequential POST /sales over loopback HTTP.
  const { url } = await agent.start({ sync: false, http: true });
  const httpLat: number[] = [];
  const h0 = performance.now();
  for (let i = 0; i < HTTP_N; i++) {
    const s = performance.now();
    const res = await fetch(`${url}/api/v1/sales`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(sale(20_000_000 + i)) });
    if (res.status !== 201) throw new Error(`POST /sales ${res.status}`);
    await res.arrayBuffer();
    httpLat.push(performance.now() - s);
  }
  const httpRate = HTTP_N / ((performance.now() - h0) / 1000);
  httpLat.sort((a, b) => a - b);
  const bodies = (agent.db.sqlite.prepare('SELECT seq, event_id, type, body, created_at FROM outbox ORDER BY seq DESC LIMIT ?').all(CAPTURE_N)) as {
    seq: number; event_id: string; type: string; body: string; created_at: string;
  }[];
  await agent.stop();

  // Raw: the same rows, one transaction each, same journal and sync settings, no validation, no idempotency key.
  const raw = new Database(join(work, `raw-${sync}.db`));
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${sync.toUpperCase()}`);
  raw.exec('CREATE TABLE outbox (seq INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)');
  const ins = raw.prepare('INSERT INTO outbox VALUES (?, ?, ?, ?, ?)');
  const one = raw.transaction((r: (typeof bodies)[number]) => ins.run(r.seq, r.event_id, r.type, r.body, r.created_at));
  const rawLat: number[] = [];
  const r0 = performance.now();
  for (const r of bodies.reverse()) {
    const s = performance.now();
    one(r);
    rawLat.push(performance.now() - s);
  }
  const rawElapsed = (performance.now() - r0) / 1000;
  raw.close();

  lat.sort((a, b) => a - b);
  rawLat.sort((a, b) => a - b);
  return {
    rate: CAPTURE_N / elapsed,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    rawRate: bodies.length / rawElapsed,
    rawP50: percentile(rawLat, 50),
    rawP99: percentile(rawLat, 99),
    httpRate,
    httpP50: percentile(httpLat, 50),
    httpP99: percentile(httpLat, 99),
  };
}

async function benchCatchUp(work: string, pgAdmin: string, n: number) {
  const dbUrl = (name: string) => createDatabase(pgAdmin, name);
  const centralDb = await dbUrl(`bench_central_${n}`);
  const port = await freePort();
  const token = 'bench-admin-token-0123456789abcdef';
  const centralUrl = `http://127.0.0.1:${port}`;
  const central = spawn(process.execPath, ['apps/central/bin/outpost-central.js', 'start', '--port', String(port), '--database-url', centralDb, '--data-dir', join(work, `central-${n}`)], {
    cwd: ROOT, env: { ...process.env, OUTPOST_ADMIN_TOKEN: token, OUTPOST_RATE_PER_TOKEN: '100000000' }, stdio: 'ignore',
  });
  try {
    await waitUntil(async () => (await fetch(`${centralUrl}/readyz`).catch(() => null))?.ok === true, 'central ready', 60_000);
    const { enrollmentCode } = (await api(`${centralUrl}/api/v1`, token, 'POST', '/stores', { storeId: 'bench-store', name: 'Bench' })) as { enrollmentCode: string };
    const enrolled = (await api(`${centralUrl}/api/v1`, token, 'POST', '/enroll', { code: enrollmentCode, deviceName: 'bench' })) as { storeId: string; deviceId: string; token: string };
    const dir = join(work, `catchup-${n}`);
    writeEnrolment(dir, { centralUrl, storeId: enrolled.storeId, deviceId: enrolled.deviceId, token: enrolled.token, deviceName: 'bench', currency: 'EUR' });

    // Queue the backlog while the agent is not running (how a store looks after a long outage).
    const filler = createAgent({ dataDir: dir, log: silentLogger, env: { ...process.env, OUTPOST_SQLITE_SYNC: 'normal' } });
    filler.db.sqlite.transaction(() => {
      for (let i = 0; i < n; i++) filler.capture.sale(sale(i));
    })();
    await filler.stop();

    const agentPort = await freePort();
    const t0 = performance.now();
    const agent = spawn(process.execPath, ['apps/store-agent/bin/outpost-agent.js', 'start', '--data-dir', dir, '--port', String(agentPort)], {
      cwd: ROOT, env: { ...process.env, OUTPOST_RECONNECT_MIN_MS: '50' }, stdio: 'ignore',
    });
    let peak: number | null = null;
    try {
      await waitUntil(async () => {
        peak = peakRssMiB(agent.pid!) ?? peak;
        const r = await fetch(`${centralUrl}/api/v1/stores`, { headers: { authorization: `Bearer ${token}` } }).then((x) => x.json() as Promise<{ items: { devices: { ackedSeq: number }[] }[] }>);
        return (r.items[0]?.devices[0]?.ackedSeq ?? 0) >= n;
      }, 'catch-up');
    } finally {
      peak = peakRssMiB(agent.pid!) ?? peak;
      agent.kill('SIGTERM');
    }
    const catchUpSec = (performance.now() - t0) / 1000;

    // Raw baseline: read the same rows from SQLite, insert into the same events table in 500-row batches.
    const rawDb = await dbUrl(`bench_raw_${n}`);
    const pool = new pg.Pool({ connectionString: rawDb, max: 2 });
    await migrate(drizzle(pool), { migrationsFolder: join(ROOT, 'apps/central/drizzle') });
    const sqlite = new Database(join(dir, 'agent.db'), { readonly: true });
    const page = sqlite.prepare('SELECT seq, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT 500');
    const r0 = performance.now();
    let after = 0;
    for (;;) {
      const rows = page.all(after) as { seq: number; body: string }[];
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.seq;
      const evs = rows.map((r) => JSON.parse(r.body) as Record<string, unknown>);
      const col = (k: string) => evs.map((e) => e[k]);
      await pool.query(
        `INSERT INTO events (store_id, event_id, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload, event_month)
         SELECT *, outpost_event_month(e) FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::bigint[], $5::text[], $6::int[], $7::text[], $8::timestamptz[], $9::text[], $10::jsonb[])
           AS u(s, e, d, q, t, v, h, o, c, p)
         ON CONFLICT DO NOTHING`,
        [col('storeId'), col('eventId'), col('deviceId'), col('seq'), col('type'), col('schemaVersion'), col('hlc'), col('occurredAt'), col('correlationId'), evs.map((e) => JSON.stringify(e.payload))],
      );
    }
    const rawSec = (performance.now() - r0) / 1000;
    sqlite.close();
    await pool.end();
    return { catchUpRate: n / catchUpSec, catchUpSec, rawRate: n / rawSec, rawSec, peak };
  } finally {
    central.kill('SIGTERM');
    await new Promise((r) => central.once('exit', r));
  }
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'outpost-bench-'));
  chmodSync(work, 0o777);
  let pgServer: Awaited<ReturnType<typeof startScratchPostgres>> | null = null;
  try {
    for (const mode of ['full', 'normal'] as const) {
      const c = await benchCapture(work, mode);
      const label = mode === 'full' ? 'FULL (default: durable against power loss)' : 'NORMAL (durable against app crash only)';
      console.log(`capture     synchronous=${label}`);
      console.log(`  agent     ${fmt(c.rate)} sales/s, p50 ${fmt(c.p50, 3)} ms, p99 ${fmt(c.p99, 3)} ms  [aim: p99 <= 2 ms]`);
      console.log(`  raw       ${fmt(c.rawRate)} commits/s, p50 ${fmt(c.rawP50, 3)} ms, p99 ${fmt(c.rawP99, 3)} ms (same rows and pragmas, one INSERT a commit)`);
      console.log(`  via HTTP  ${fmt(c.httpRate)} sales/s, p50 ${fmt(c.httpP50, 3)} ms, p99 ${fmt(c.httpP99, 3)} ms (POST /api/v1/sales, one at a time)`);
      console.log(`  ratio     rate ${fmt(c.rate / c.rawRate, 2)} of raw [aim >= 0.5]; p99 ${fmt(c.p99 / c.rawP99, 2)}x the raw p99`);
    }

    pgServer = await startScratchPostgres('outpost-bench-pg-');
    const admin = pgServer.adminUrl;
    // A quarter-size backlog first: the agent's peak memory must not grow with the backlog.
    const small = await benchCatchUp(work, admin, Math.floor(CATCHUP_N / 4));
    const k = await benchCatchUp(work, admin, CATCHUP_N);
    console.log(`catch-up    ${fmt(CATCHUP_N)} queued events in ${fmt(k.catchUpSec, 1)} s = ${fmt(k.catchUpRate)} events/s (agent -> socket.io -> central -> PostgreSQL -> ack)`);
    console.log(`raw copy    SQLite -> PostgreSQL, 500-row unnest batches, no network: ${fmt(k.rawSec, 1)} s = ${fmt(k.rawRate)} events/s`);
    console.log(`ratio       catch-up / raw = ${fmt(k.catchUpRate / k.rawRate, 2)}  [aim >= 0.5]`);
    const mib = (v: number | null) => (v === null ? 'n/a' : `${fmt(v, 1)} MiB`);
    console.log(`agent RSS   peak ${mib(k.peak)} draining ${fmt(CATCHUP_N)}; peak ${mib(small.peak)} draining ${fmt(Math.floor(CATCHUP_N / 4))} (flat = about equal)`);
    console.log(`            (the ${fmt(Math.floor(CATCHUP_N / 4))} run: ${fmt(small.catchUpRate)} events/s, ratio ${fmt(small.catchUpRate / small.rawRate, 2)})`);
  } finally {
    await pgServer?.stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}
