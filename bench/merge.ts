/**
 * `npm run bench -- merge` (issue 3). In one run, on an embedded PostgreSQL:
 *  1. plain ingest: 50,000 sales/adjustments in 500-event batches through ingestBatch with inventory off;
 *  2. ingest + merge: the same events with inventory on (movements, on-hand, conflicts), and the ratio;
 *  3. a late count: one count.submitted for an sku that already holds 10,000 later movements.
 * Figures are printed, never asserted.
 */
import { randomUUID } from 'node:crypto';
import { startScratchPostgres } from '../test/support/scratch-postgres.js';
import { encodeHlc, uuidv7, type EventEnvelope } from '@outpost/shared';
import { ingestBatch, noFaults, openDatabase, runMigrations, type Database } from '@outpost/central';
import { createDatabase } from './support.js';
import { fmt, percentile } from './stats.js';

const N = Number(process.env.BENCH_MERGE_N ?? 50_000);
const BATCH = 500;
const SKUS = 500;
const LATE_MOVES = 10_000;
const LIMITS = { maxBatchEvents: 1000, maxBatchBytes: 8_388_608, maxInFlight: 4 };
const STORE = 'bench-store';

interface Dev {
  deviceId: string;
  node: string;
  seq: number;
}

function envelope(dev: Dev, wall: number, type: EventEnvelope['type'], payload: unknown): EventEnvelope {
  const seq = ++dev.seq;
  return {
    eventId: uuidv7(),
    storeId: STORE,
    deviceId: dev.deviceId,
    seq,
    hlc: encodeHlc({ wall, counter: 0, node: dev.node }),
    occurredAt: new Date(wall).toISOString(),
    type,
    schemaVersion: 1,
    correlationId: `c-${dev.node}-${seq}`,
    payload,
  } as EventEnvelope;
}

/** 80% two-line sales, 20% adjustments, over 500 skus, already split into serialised 500-event batches. */
function workload(dev: Dev, n: number, wall0: number): { firstSeq: number; count: number; events: Uint8Array }[] {
  const batches: { firstSeq: number; count: number; events: Uint8Array }[] = [];
  for (let i = 0; i < n; i += BATCH) {
    const evs: EventEnvelope[] = [];
    for (let j = i; j < Math.min(n, i + BATCH); j++) {
      const wall = wall0 + j;
      if (j % 5 === 4) {
        evs.push(envelope(dev, wall, 'stock.adjusted', { adjustmentId: `J-${j}`, reasonCode: 'shrink', lines: [{ sku: `SKU-${j % SKUS}`, qtyDelta: -1 }] }));
      } else {
        evs.push(
          envelope(dev, wall, 'sale.completed', {
            transactionId: `T-${j}`,
            businessDate: '2026-11-23',
            currency: 'EUR',
            lines: [
              { sku: `SKU-${j % SKUS}`, qty: 1 + (j % 3), unitPrice: 199 },
              { sku: `SKU-${(j * 7) % SKUS}`, qty: 1, unitPrice: 350 },
            ],
            tenders: [{ method: 'card', amount: 549 }],
          }),
        );
      }
    }
    batches.push({ firstSeq: evs[0]!.seq, count: evs.length, events: Buffer.from(JSON.stringify(evs)) });
  }
  return batches;
}

async function freshDb(adminUrl: string): Promise<{ db: Database; name: string }> {
  const name = `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const db = openDatabase({ url: await createDatabase(adminUrl, name), max: 4 });
  await runMigrations(db.pool);
  await db.pool.query('INSERT INTO stores (store_id, name) VALUES ($1, $1)', [STORE]);
  // Known items, as in a real store: unknown-sku flags would otherwise be written for every line.
  await db.pool.query(`INSERT INTO items (sku, name, price, currency, version) SELECT 'SKU-' || i, 'item', 199, 'EUR', 1 FROM generate_series(0, $1 - 1) i`, [SKUS]);
  return { db, name };
}

async function device(db: Database, node: string): Promise<Dev> {
  const deviceId = uuidv7();
  await db.pool.query('INSERT INTO devices (device_id, store_id, name, token_hash) VALUES ($1, $2, $3, $4)', [deviceId, STORE, node, randomUUID()]);
  return { deviceId, node, seq: 0 };
}

async function ingestAll(db: Database, dev: Dev, batches: { firstSeq: number; count: number; events: Uint8Array }[], inventory: boolean): Promise<number> {
  // ERP postings off in both arms: this suite measures what the merge costs ingest (`bench -- erp` measures postings).
  const deps = { pool: db.pool, limits: LIMITS, faults: noFaults, log: { error: (o: object, m: string) => console.error(m, o) }, inventory, erp: false };
  const t0 = performance.now();
  for (const b of batches) {
    const ack = await ingestBatch(deps, { storeId: STORE, deviceId: dev.deviceId }, b);
    if (!('ok' in ack) || !ack.ok) throw new Error(`ingest refused: ${JSON.stringify(ack)}`);
  }
  return (performance.now() - t0) / 1000;
}

async function rate(adminUrl: string, inventory: boolean): Promise<number> {
  const { db } = await freshDb(adminUrl);
  try {
    const dev = await device(db, 'till-1');
    const batches = workload(dev, N, 1_800_000_000_000);
    return N / (await ingestAll(db, dev, batches, inventory));
  } finally {
    await db.close();
  }
}

/** One late count per sku, each for an sku holding LATE_MOVES movements later than the count. */
async function lateCounts(adminUrl: string, skus: number): Promise<number[]> {
  const { db } = await freshDb(adminUrl);
  try {
    const feeder = await device(db, 'till-1');
    const counter = await device(db, 'till-2');
    const ms: number[] = [];
    for (let k = 0; k < skus; k++) {
      const sku = `LATE-${k}`;
      const evs: EventEnvelope[] = [];
      for (let j = 0; j < LATE_MOVES; j++) {
        evs.push(envelope(feeder, 1_900_000_000_000 + k * LATE_MOVES + j, 'stock.adjusted', { adjustmentId: `L-${k}-${j}`, reasonCode: 'r', lines: [{ sku, qtyDelta: j % 2 ? -1 : 2 }] }));
      }
      for (let i = 0; i < evs.length; i += BATCH) {
        const part = evs.slice(i, i + BATCH);
        const ack = await ingestBatch(
          { pool: db.pool, limits: LIMITS, faults: noFaults, log: { error: () => {} }, erp: false },
          { storeId: STORE, deviceId: feeder.deviceId },
          { firstSeq: part[0]!.seq, count: part.length, events: Buffer.from(JSON.stringify(part)) },
        );
        if (!('ok' in ack) || !ack.ok) throw new Error('seeding refused');
      }
      await db.pool.query('ANALYZE inventory_movements');
      const c = envelope(counter, 1_000_000_000_000 + k, 'count.submitted', { countId: `C-${k}`, kind: 'cycle', lines: [{ sku, countedQty: 100 }] });
      const t0 = performance.now();
      const ack = await ingestBatch(
        { pool: db.pool, limits: LIMITS, faults: noFaults, log: { error: () => {} }, erp: false },
        { storeId: STORE, deviceId: counter.deviceId },
        { firstSeq: c.seq, count: 1, events: Buffer.from(JSON.stringify([c])) },
      );
      ms.push(performance.now() - t0);
      if (!('ok' in ack) || !ack.ok) throw new Error('late count refused');
      const r = await db.pool.query<{ on_hand: string }>('SELECT on_hand FROM inventory WHERE store_id = $1 AND sku = $2', [STORE, sku]);
      if (Number(r.rows[0]?.on_hand) !== 100 + LATE_MOVES / 2) throw new Error(`late count gave on-hand ${r.rows[0]?.on_hand}`);
    }
    return ms;
  } finally {
    await db.close();
  }
}

export async function run(): Promise<void> {
  const server = await startScratchPostgres('outpost-bench-merge-');
  try {
    const admin = server.adminUrl;
    // Alternate the two modes and keep each one's best, so drift of the disk between runs hits both alike.
    const plain: number[] = [];
    const merged: number[] = [];
    for (let round = 0; round < 2; round++) {
      plain.push(await rate(admin, false));
      merged.push(await rate(admin, true));
    }
    const p = Math.max(...plain);
    const m = Math.max(...merged);
    console.log(`ingest      ${fmt(N)} sales/adjustments, ${BATCH}-event batches, inventory off: ${fmt(p)} events/s (runs: ${plain.map((x) => fmt(x)).join(', ')})`);
    console.log(`ingest+merge same events, inventory on: ${fmt(m)} events/s (runs: ${merged.map((x) => fmt(x)).join(', ')})`);
    console.log(`ratio       merge / plain = ${fmt(m / p, 2)}  [aim >= 0.7]`);
    const late = (await lateCounts(admin, 3)).sort((a, b) => a - b);
    console.log(`late count  one count for an sku with ${fmt(LATE_MOVES)} later movements: ${late.map((x) => `${fmt(x, 1)} ms`).join(', ')} (p50 ${fmt(percentile(late, 50), 1)} ms)`);
  } finally {
    await server.stop().catch(() => {});
  }
}
