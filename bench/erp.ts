/**
 * `npm run bench -- erp` (issue 5). In one run, on an embedded PostgreSQL:
 *  1. ledger: N sales ingested through the real ingest (postings written in the batch transaction), then the real
 *     posting worker drains them through the `ledger` connector: postings per second, for one store (postings in
 *     order, one at a time) and for 8 stores (the worker's 4 stores at a time);
 *  2. baseline: the same ledger rows (entry, lines, moves, posting marked posted) written by plain sequential SQL,
 *     one transaction per posting, from the same documents: the ratio says what the outbox, claim, lease and
 *     look-up-before-create cost;
 *  3. tryton: `runTrytonBench()` of bench/erp-tryton.ts when that file exists (per sale and summary mode against
 *     direct JSON-RPC calls).
 * Figures are printed, never asserted.
 */
import { existsSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { encodeHlc, uuidv7, type EventEnvelope } from '@outpost/shared';
import { ingestBatch, noFaults, openDatabase, runMigrations, type Database } from '@outpost/central';
import { startScratchPostgres } from '../test/support/scratch-postgres.js';
import type { ErpDocument } from '../apps/central/src/erp/connector.js';
import { journalOf } from '../apps/central/src/erp/journal.js';
import { createLedgerConnector } from '../apps/central/src/erp/connectors/ledger.js';
import { defaultErpWorkerSettings } from '../apps/central/src/erp/settings.js';
import { startErpWorker } from '../apps/central/src/erp/worker.js';
import { createDatabase, waitUntil } from './support.js';
import { fmt } from './stats.js';

const N = Number(process.env.BENCH_ERP_N ?? 5000);
const BATCH = 500;
const ROUNDS = Number(process.env.BENCH_ERP_ROUNDS ?? 3);
const LIMITS = { maxBatchEvents: 1000, maxBatchBytes: 8_388_608, maxInFlight: 4 };
const quiet = { info: () => {}, warn: () => {}, error: (o: object, m: string) => console.error(m, o) };

async function freshDb(adminUrl: string, stores: number): Promise<Database> {
  const db = openDatabase({ url: await createDatabase(adminUrl, `bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`), max: 12 });
  await runMigrations(db.pool);
  for (let s = 0; s < stores; s++) {
    await db.pool.query('INSERT INTO stores (store_id, name) VALUES ($1, $1)', [`store-${s}`]);
    await db.pool.query(`INSERT INTO devices (device_id, store_id, name, token_hash) VALUES ($1, $2, 'till', $3)`, [uuidv7(), `store-${s}`, randomUUID()]);
  }
  return db;
}

/** N two-line sales spread over the stores, ingested through the real ingest function. */
async function ingestSales(db: Database, stores: number): Promise<void> {
  const devs = (await db.pool.query<{ device_id: string; store_id: string }>('SELECT device_id, store_id FROM devices ORDER BY store_id')).rows;
  const perStore = Math.ceil(N / stores);
  for (const [k, d] of devs.entries()) {
    let seq = 0;
    for (let i = 0; i < perStore; i += BATCH) {
      const evs: EventEnvelope[] = [];
      for (let j = i; j < Math.min(perStore, i + BATCH); j++) {
        seq++;
        evs.push({
          eventId: uuidv7(),
          storeId: d.store_id,
          deviceId: d.device_id,
          seq,
          hlc: encodeHlc({ wall: 1_700_000_000_000 + j, counter: 0, node: `n${k}` }),
          occurredAt: new Date().toISOString(),
          type: 'sale.completed',
          schemaVersion: 1,
          correlationId: `c-${k}-${seq}`,
          payload: {
            transactionId: `T-${k}-${j}`,
            businessDate: '2026-11-23',
            currency: 'EUR',
            lines: [
              { sku: `SKU-${j % 200}`, qty: 1 + (j % 3), unitPrice: 199, taxAmount: 33 },
              { sku: `SKU-${(j * 7) % 200}`, qty: 1, unitPrice: 350 },
            ],
            tenders: [{ method: j % 2 ? 'card' : 'cash', amount: 549 + 199 * (j % 3) }],
          },
        } as EventEnvelope);
      }
      const ack = await ingestBatch(
        { pool: db.pool, limits: LIMITS, faults: noFaults, log: quiet },
        { storeId: d.store_id, deviceId: d.device_id },
        { firstSeq: evs[0]!.seq, count: evs.length, events: Buffer.from(JSON.stringify(evs)) },
      );
      if (!('ok' in ack) || !ack.ok) throw new Error(`ingest refused: ${JSON.stringify(ack)}`);
    }
  }
}

async function postedCount(db: Database): Promise<number> {
  return Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM erp_postings WHERE status = 'posted'`)).rows[0]!.n);
}

/** Drain every posting through the real worker and ledger connector; answers postings per second. */
async function throughWorker(adminUrl: string, stores: number): Promise<number> {
  const db = await freshDb(adminUrl, stores);
  try {
    await ingestSales(db, stores);
    const total = Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM erp_postings')).rows[0]!.n);
    const t0 = performance.now();
    const worker = startErpWorker({ pool: db.pool, connector: createLedgerConnector(db.pool), settings: { ...defaultErpWorkerSettings(), pollMs: 5 }, summaryCutoff: '04:00', log: quiet });
    await waitUntil(async () => (await postedCount(db)) === total, 'all postings posted');
    const s = (performance.now() - t0) / 1000;
    await worker.stop();
    return total / s;
  } finally {
    await db.close();
  }
}

/** The same ledger rows by plain SQL: one transaction per posting (entry, lines, moves, posting marked posted). */
async function rawSql(adminUrl: string): Promise<number> {
  const db = await freshDb(adminUrl, 1);
  try {
    await ingestSales(db, 1);
    const rows = (await db.pool.query<{ posting_id: string; store_id: string; correlation_id: string; document: ErpDocument }>('SELECT posting_id, store_id, correlation_id, document FROM erp_postings ORDER BY seq')).rows;
    const client = await db.pool.connect();
    const t0 = performance.now();
    try {
      for (const p of rows) {
        const e = journalOf(p.store_id, p.document);
        await client.query('BEGIN');
        const id = (
          await client.query<{ id: string }>(
            `INSERT INTO erp_ledger_entries (posting_id, store_id, business_date, kind, currency, correlation_id, description) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
            [p.posting_id, p.store_id, p.document.businessDate, p.document.kind, e.currency, p.correlation_id, e.description],
          )
        ).rows[0]!.id;
        await client.query(
          `INSERT INTO erp_ledger_lines (store_id, entry_id, line_no, account, debit, credit, memo) SELECT $7, $1, n, a, d, c, m FROM unnest($2::int[], $3::text[], $4::int8[], $5::int8[], $6::text[]) AS u(n, a, d, c, m)`,
          [id, e.lines.map((_, i) => i + 1), e.lines.map((l) => l.account), e.lines.map((l) => l.debit), e.lines.map((l) => l.credit), e.lines.map((l) => l.memo ?? null), p.store_id],
        );
        await client.query(
          `INSERT INTO erp_ledger_stock_moves (entry_id, line_no, store_id, sku, qty, from_location, to_location) SELECT $1, n, $2, s, q, f, t FROM unnest($3::int[], $4::text[], $5::int[], $6::text[], $7::text[]) AS u(n, s, q, f, t)`,
          [id, p.store_id, e.moves.map((_, i) => i + 1), e.moves.map((m) => m.sku), e.moves.map((m) => m.qty), e.moves.map((m) => m.from), e.moves.map((m) => m.to)],
        );
        await client.query(`UPDATE erp_postings SET status = 'posted', erp_ref = $2, posted_at = now() WHERE posting_id = $1`, [p.posting_id, `LEDGER-${id}`]);
        await client.query('COMMIT');
      }
    } finally {
      client.release();
    }
    return rows.length / ((performance.now() - t0) / 1000);
  } finally {
    await db.close();
  }
}

export async function run(): Promise<void> {
  const server = await startScratchPostgres('outpost-bench-erp-');
  try {
    // Alternating rounds, so a busy machine (other work on the same cores) weighs on both sides alike.
    const raw: number[] = [];
    const one: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      raw.push(await rawSql(server.adminUrl));
      one.push(await throughWorker(server.adminUrl, 1));
    }
    const eight = await throughWorker(server.adminUrl, 8);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    console.log(`ledger      ${fmt(N)} two-line sales, one store: ${fmt(med(one))} postings/s through the worker and ledger connector (runs: ${one.map((x) => fmt(x)).join(', ')})`);
    console.log(`raw SQL     the same ledger rows, one transaction per posting, sequential: ${fmt(med(raw))} postings/s (runs: ${raw.map((x) => fmt(x)).join(', ')})`);
    console.log(`ratio       worker / raw SQL = ${fmt(med(one) / med(raw), 2)}  [aim >= 0.7: claim, lease and look-up-before-create per posting]`);
    console.log(`ledger      ${fmt(N)} sales over 8 stores (4 stores at a time): ${fmt(eight)} postings/s`);
  } finally {
    await server.stop().catch(() => {});
  }
  if (process.env.BENCH_ERP_SKIP_TRYTON) {
    console.log('tryton      skipped (BENCH_ERP_SKIP_TRYTON)');
  } else if (existsSync(new URL('./erp-tryton.ts', import.meta.url))) {
    const { runTrytonBench } = (await import('./erp-tryton.js')) as { runTrytonBench: () => Promise<void> };
    await runTrytonBench();
  } else {
    console.log('tryton      bench/erp-tryton.ts is not there: skipped');
  }
}
