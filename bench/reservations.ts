/**
 * `npm run bench -- reservations` (issue 4). In one run:
 *  1. 200 real agent engines (real SQLite files, synchronous=FULL) in this process, each enrolled as its own store
 *     and connected over socket.io to a real central process on PostgreSQL;
 *  2. latency from POST /reservations to the store's agent having applied the reservation.created command and
 *     sent its ack, one request at a time and with 8 in flight: p50, p99;
 *  3. floor for that latency from its parts, measured here: a PostgreSQL commit, a socket.io round trip over
 *     loopback, a SQLite FULL commit;
 *  4. reservations granted per second with 16 clients contending for one sku of one store, against the same
 *     critical section in raw SQL (lock row, bump the command stream, insert command and reservation, hold stock).
 * Figures are printed, never asserted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Server } from 'socket.io';
import { io, type Socket } from 'socket.io-client';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createAgent, silentLogger, writeEnrolment, type Agent } from '@outpost/store-agent';
import { uuidv7 } from '@outpost/shared';
import { freePort } from '../test/support/ports.js';
import { startScratchPostgres } from '../test/support/scratch-postgres.js';
import { api, createDatabase, waitUntil } from './support.js';
import { fmt, percentile } from './stats.js';

const ROOT = resolve(import.meta.dirname, '..');
const AGENTS = Number(process.env.BENCH_AGENTS ?? 200);
const LATENCY_N = Number(process.env.BENCH_RESERVATIONS_N ?? 400);
const CONTENTION_N = Number(process.env.BENCH_CONTENTION_N ?? 2000);
const CONTENDERS = 16;
const TOKEN = 'bench-admin-token-0123456789abcdef';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const line = (label: string, xs: number[]) => {
  const s = sorted(xs);
  return `${label}: p50 ${fmt(percentile(s, 50), 2)} ms, p99 ${fmt(percentile(s, 99), 2)} ms (n=${s.length})`;
};

/** socket.io-client factory that notes when an agent acks a command message naming a reservation. */
function ackTracer(acks: Map<string, number>) {
  return (url: string, opts: Parameters<typeof io>[1]): Socket => {
    const socket = io(url, opts);
    const on = socket.on.bind(socket);
    // Wraps only the 'commands' handler the sync client registers; every other event passes through untouched.
    const traced = (event: string, fn: (...args: unknown[]) => void) =>
      event !== 'commands'
        ? on(event, fn)
        : on(event, (msg: { commands?: { type: string; payload: { reservationId?: string } }[] }, ack: (a: unknown) => void) =>
            fn(msg, (answer: unknown) => {
              ack(answer);
              const t = performance.now();
              for (const c of msg.commands ?? []) if (c.type === 'reservation.created' && c.payload.reservationId) acks.set(c.payload.reservationId, t);
            }),
          );
    (socket as unknown as { on: typeof traced }).on = traced;
    return socket;
  };
}

/** The physical parts of one reservation's trip, each measured alone. */
async function floorParts(work: string, dbUrl: string) {
  const pool = new pg.Pool({ connectionString: dbUrl, max: 1 });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_commit (id bigserial PRIMARY KEY, v text)');
  const pgLat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await pool.query('INSERT INTO bench_commit (v) VALUES ($1)', [String(i)]);
    pgLat.push(performance.now() - t);
  }
  await pool.end();

  const sqlite = new Database(join(work, 'floor.db'));
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)');
  const ins = sqlite.prepare('INSERT INTO t (v) VALUES (?)');
  const sqLat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    sqlite.transaction(() => ins.run(String(i))).immediate();
    sqLat.push(performance.now() - t);
  }
  sqlite.close();

  const http = createServer();
  const ioServer = new Server(http);
  ioServer.on('connection', (s) => s.on('ping-bench', (x: unknown, ack: (a: unknown) => void) => ack(x)));
  const port = await new Promise<number>((res) => http.listen(0, '127.0.0.1', () => res((http.address() as { port: number }).port)));
  const client = io(`http://127.0.0.1:${port}`, { transports: ['websocket'] });
  await new Promise<void>((res) => client.on('connect', () => res()));
  const ioLat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await client.emitWithAck('ping-bench', { i });
    ioLat.push(performance.now() - t);
  }
  client.close();
  await new Promise<void>((res) => void ioServer.close(() => res())); // the callback says the HTTP server closed
  return { pg: percentile(sorted(pgLat), 50), sqlite: percentile(sorted(sqLat), 50), io: percentile(sorted(ioLat), 50) };
}

/** The grant's critical section in raw SQL, 16 clients contending for one inventory row. */
async function rawContention(dbUrl: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: dbUrl, max: CONTENDERS });
  pool.on('error', () => {}); // the scratch server stops at the end of the run
  await migrate(drizzle(pool), { migrationsFolder: join(ROOT, 'apps/central/drizzle') });
  await pool.query(`INSERT INTO stores (store_id, name) VALUES ('raw', 'raw')`);
  await pool.query(`INSERT INTO inventory (store_id, sku, on_hand) VALUES ('raw', 'HOT', 100000000)`);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONTENDERS }, async () => {
      for (;;) {
        const i = next++;
        if (i >= CONTENTION_N) return;
        const c = await pool.connect();
        try {
          await c.query('BEGIN');
          await c.query(`SELECT on_hand, reserved FROM inventory WHERE store_id = 'raw' AND sku = 'HOT' FOR UPDATE`);
          const seq = await c.query<{ command_seq: string }>(`UPDATE stores SET command_seq = command_seq + 1 WHERE store_id = 'raw' RETURNING command_seq`);
          const id = uuidv7();
          const payload = JSON.stringify({ reservationId: id, orderId: `o${i}`, lines: [{ sku: 'HOT', qty: 1 }] });
          await c.query(`INSERT INTO commands (store_id, seq, command_id, type, schema_version, payload, correlation_id) VALUES ('raw', $1, $2, 'reservation.created', 1, $3::jsonb, $4)`, [
            seq.rows[0]!.command_seq,
            id,
            payload,
            id,
          ]);
          await c.query(
            `INSERT INTO reservations (store_id, reservation_id, order_id, status, lines, expires_at, command_seq, correlation_id) VALUES ('raw', $1, $2, 'requested', $3::jsonb, now() + interval '1 day', $4, $1)`,
            [id, `o${i}`, JSON.stringify([{ sku: 'HOT', qty: 1, pickedQty: null }]), seq.rows[0]!.command_seq],
          );
          await c.query(`UPDATE inventory SET reserved = reserved + 1 WHERE store_id = 'raw' AND sku = 'HOT'`);
          await c.query('COMMIT');
        } finally {
          c.release();
        }
      }
    }),
  );
  const rate = CONTENTION_N / ((performance.now() - t0) / 1000);
  await pool.end();
  return rate;
}

export async function run(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'outpost-bench-res-'));
  chmodSync(work, 0o777);
  const pgs = await startScratchPostgres('outpost-bench-res-pg-');
  const agents: Agent[] = [];
  let central: ChildProcess | null = null;
  try {
    const centralDb = await createDatabase(pgs.adminUrl, 'bench_res_central');
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    central = spawn(process.execPath, ['apps/central/bin/outpost-central.js', 'start', '--port', String(port), '--database-url', centralDb, '--data-dir', join(work, 'central')], {
      cwd: ROOT,
      env: { ...process.env, OUTPOST_ADMIN_TOKEN: TOKEN, OUTPOST_RATE_PER_TOKEN: '100000000' }, // a load test, not a runaway script
      stdio: 'ignore',
    });
    await waitUntil(async () => (await fetch(`${base}/readyz`).catch(() => null))?.ok === true, 'central ready', 60_000);
    const admin = (method: string, path: string, body?: unknown) => api(`${base}/api/v1`, TOKEN, method, path, body);

    const acks = new Map<string, number>();
    const connect = ackTracer(acks);
    for (let i = 0; i < AGENTS; i++) {
      const storeId = `s-${String(i).padStart(3, '0')}`;
      const { enrollmentCode } = (await admin('POST', '/stores', { storeId, name: storeId })) as { enrollmentCode: string };
      const e = (await admin('POST', '/enroll', { code: enrollmentCode, deviceName: `till-${storeId}` })) as { storeId: string; deviceId: string; token: string };
      const dir = join(work, storeId);
      writeEnrolment(dir, { centralUrl: base, storeId, deviceId: e.deviceId, token: e.token, deviceName: 'bench', currency: 'EUR' });
      const a = createAgent({ dataDir: dir, log: silentLogger, env: { ...process.env, OUTPOST_RECONNECT_MIN_MS: '50' }, connect });
      agents.push(a);
      await a.start({ http: false, inbox: false });
    }
    await waitUntil(() => agents.every((a) => a.sync.online), `${AGENTS} agents online`, 120_000);
    for (const a of agents) await admin('POST', `/stores/${a.enrolment.storeId}/receipts`, { receiptId: 'stock', lines: [{ sku: 'ITEM', qty: 100000 }, { sku: 'HOT', qty: 100000000 }] });
    await waitUntil(() => agents.every((a) => a.applier.appliedSeq() >= 1), 'receipts applied', 120_000);
    console.log(`${AGENTS} agents connected (one process, real SQLite each), central in its own process`);

    const postLat: number[] = [];
    const reserveOne = async (i: number): Promise<number> => {
      const storeId = agents[i % agents.length]!.enrolment.storeId;
      const t0 = performance.now();
      const r = (await admin('POST', '/reservations', { orderId: `lat-${i}`, storeId, lines: [{ sku: 'ITEM', qty: 1 }] })) as { reservationId: string };
      postLat.push(performance.now() - t0);
      await waitUntil(() => acks.has(r.reservationId), 'ack', 30_000);
      return acks.get(r.reservationId)! - t0;
    };
    for (let i = 0; i < 20; i++) await reserveOne(1_000_000 + i); // warm-up
    postLat.length = 0;
    const seqLat: number[] = [];
    for (let i = 0; i < LATENCY_N; i++) seqLat.push(await reserveOne(i));
    const seqPost = [...postLat];
    const parLat: number[] = [];
    postLat.length = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (;;) {
          const i = next++;
          if (i >= LATENCY_N) return;
          parLat.push(await reserveOne(2_000_000 + i));
        }
      }),
    );

    const store0 = agents[0]!.enrolment.storeId;
    let granted = 0;
    let refused = 0;
    let k = 0;
    const c0 = performance.now();
    await Promise.all(
      Array.from({ length: CONTENDERS }, async () => {
        for (;;) {
          const i = k++;
          if (i >= CONTENTION_N) return;
          const res = await fetch(`${base}/api/v1/reservations`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ orderId: `hot-${i}`, storeId: store0, lines: [{ sku: 'HOT', qty: 1 }] }),
          });
          await res.arrayBuffer();
          if (res.status === 201) granted++;
          else refused++;
        }
      }),
    );
    const grantRate = granted / ((performance.now() - c0) / 1000);
    const raw = await rawContention(await createDatabase(pgs.adminUrl, 'bench_res_raw'));
    const floor = await floorParts(work, await createDatabase(pgs.adminUrl, 'bench_res_floor'));
    const floorMs = floor.pg + floor.io + floor.sqlite;

    console.log(line('POST /reservations → agent applied + acked, one at a time', seqLat));
    console.log(line('  of which the POST itself (grant committed, answer back)', seqPost));
    console.log(line('same, 8 requests in flight', parLat));
    console.log(line('  of which the POST itself', postLat));
    console.log(
      `floor (parts measured alone, p50): PostgreSQL commit ${fmt(floor.pg, 2)} ms + socket.io round trip ${fmt(floor.io, 2)} ms + SQLite FULL commit ${fmt(floor.sqlite, 2)} ms = ${fmt(floorMs, 2)} ms; ratio floor/p50 = ${fmt(floorMs / percentile(sorted(seqLat), 50), 2)}`,
    );
    console.log(`contention: ${CONTENDERS} clients, ${CONTENTION_N} requests for one sku of one store: ${fmt(grantRate)} granted/s (${granted} granted, ${refused} refused)`);
    console.log(`raw SQL of the same critical section, ${CONTENDERS} clients: ${fmt(raw)} /s → ratio ${fmt(grantRate / raw, 2)}`);
  } catch (err) {
    console.error('bench reservations failed:', err);
    throw err;
  } finally {
    for (const a of agents) await a.stop();
    central?.kill('SIGTERM');
    if (central && central.exitCode === null) await new Promise((r) => central!.once('exit', r));
    await pgs.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
