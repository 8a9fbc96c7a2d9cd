import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { uuidv7 } from '@outpost/shared';
import { createTestDatabase } from '../../../../test/support/pg.js';
import { MIGRATIONS_FOLDER, openDatabase, runMigrations, type Database } from '../platform/index.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';
import { eventMonth } from './event-month.js';
import { expiredPartitions, listEventPartitions, maintainEventPartitions } from './partitions.js';
import { replayQuarantine } from './quarantine.js';
import { defaultReservationSettings } from '../reservations/index.js';
import { createDevice, createStore, hlcAt, makeEvent, sale } from '../../../../test/support/inventory-fixture.js';

const DEVICE = '01890a5d-ac96-774b-bcce-b302099a8057';
const at = (iso: string) => uuidv7(Date.parse(iso));
let seq = 0;

async function insertEvent(db: Database, eventId: string, occurredAt = new Date().toISOString(), s = ++seq): Promise<number> {
  const r = await db.pool.query(
    `INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
     VALUES ('store-p', $1, outpost_event_month($1::uuid), $2, $3, 'sale.completed', 1, '0000000000000-0000-x', $4, 'c', '{}'::jsonb)
     ON CONFLICT DO NOTHING`,
    [eventId, DEVICE, s, occurredAt],
  );
  return r.rowCount ?? 0;
}

/** The partition a stored event sits in. */
async function partitionOf(db: Database, eventId: string): Promise<string | undefined> {
  const r = await db.pool.query<{ p: string }>('SELECT tableoid::regclass::text AS p FROM events WHERE event_id = $1', [eventId]);
  return r.rows[0]?.p;
}

async function posting(db: Database, eventId: string, status: 'pending' | 'posted' | 'dead'): Promise<string> {
  const postingId = uuidv7();
  await db.pool.query(
    `INSERT INTO erp_postings (posting_id, store_id, kind, business_date, correlation_id, source_event_id, document, status)
     VALUES ($1, 'store-p', 'sale', '2025-01-05', 'c', $2, '{}'::jsonb, $3)`,
    [postingId, eventId, status],
  );
  await db.pool.query(`INSERT INTO erp_posting_events (store_id, event_id, posting_id) VALUES ('store-p', $1, $2)`, [eventId, postingId]);
  return postingId;
}

describe('events partitioned by month', () => {
  let close: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await close?.();
    close = null;
  });
  const open = async () => {
    const t = await openMigratedTestDatabase();
    close = t.close;
    return t.db;
  };

  it('is a partitioned table with a default partition, and the SQL partition key equals the TypeScript one', async () => {
    const db = await open();
    const kind = await db.pool.query<{ strategy: string }>(`SELECT partstrat AS strategy FROM pg_partitioned_table WHERE partrelid = 'events'::regclass`);
    expect(kind.rows).toEqual([{ strategy: 'r' }]);
    const ids = [at('2026-02-28T23:59:59.999Z'), at('2026-03-01T00:00:00Z'), at('1999-12-31T12:00:00Z'), at('2099-07-04T00:00:00Z'), '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f'];
    const r = await db.pool.query<{ m: string }>(`SELECT to_char(outpost_event_month(x), 'YYYY-MM-DD') AS m FROM unnest($1::uuid[]) WITH ORDINALITY AS u(x, i) ORDER BY i`, [ids]);
    expect(r.rows.map((x) => x.m)).toEqual(ids.map(eventMonth));
    const parts = await listEventPartitions(db.pool);
    // The migration made this month and the next two; maintenance at start keeps that.
    expect(parts.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps event ids unique: a resend lands in the same partition and is refused there, whatever it claims', async () => {
    const db = await open();
    const id = at('2026-05-10T10:00:00Z');
    expect(await insertEvent(db, id, '2026-05-10T10:00:00Z', 1)).toBe(1);
    // The same id again, even with another occurred_at and seq: same partition (month of the id), conflict.
    expect(await insertEvent(db, id, '2026-09-01T00:00:00Z', 2)).toBe(0);
    // Another id at the same (device, seq) in the same month: refused by the (device, seq, month) key.
    expect(await insertEvent(db, at('2026-05-20T10:00:00Z'), '2026-05-20T10:00:00Z', 1)).toBe(0);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0]).toEqual({ n: 1 });
    // A look-up by id with the partition key reads one partition.
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT 1 FROM events WHERE store_id = 'store-p' AND event_id = $1 AND event_month = $2`, [id, eventMonth(id)]);
    const scanned = plan.rows.map((x) => x['QUERY PLAN']).join('\n').match(/on events_\w+/g) ?? [];
    expect(new Set(scanned)).toEqual(new Set([`on ${await partitionOf(db, id)}`]));
  });

  it('never fails an insert for want of a partition; maintenance moves such rows into their new month', async () => {
    const db = await open();
    const noTime = '6f1c2a4e-8d3b-4c5a-9e7f-0a1b2c3d4e5f';
    const future = at('2031-05-05T05:00:00Z');
    const old = at('2024-02-02T00:00:00Z');
    for (const id of [noTime, future, old]) expect(await insertEvent(db, id)).toBe(1);
    for (const id of [noTime, future, old]) expect(await partitionOf(db, id)).toBe('events_default');
    const r = await maintainEventPartitions(db.pool, { monthsAhead: 2, retentionMonths: null });
    expect(r?.created).toEqual(expect.arrayContaining(['2024-02-01', '2031-05-01']));
    expect(await partitionOf(db, future)).toBe('events_2031_05');
    expect(await partitionOf(db, old)).toBe('events_2024_02');
    expect(await partitionOf(db, noTime)).toBe('events_default'); // no month to give it: kept in the default for good
    expect(await insertEvent(db, future)).toBe(0); // still unique after the move
  });

  it('drops a month past OUTPOST_CENTRAL_RETENTION_MONTHS only once all its postings are posted', async () => {
    const db = await open();
    const jan = [at('2025-01-03T10:00:00Z'), at('2025-01-28T10:00:00Z')];
    const feb = at('2025-02-10T10:00:00Z');
    const mar = at('2025-03-10T10:00:00Z');
    const recent = at('2026-10-20T10:00:00Z');
    for (const id of [...jan, feb, mar, recent]) await insertEvent(db, id);
    for (const id of jan) await posting(db, id, 'posted');
    const febPosting = await posting(db, feb, 'dead'); // a dead letter is not posted
    await db.pool.query(`INSERT INTO erp_day_pending (store_id, business_date, event_id) VALUES ('store-p', '2025-03-10', $1)`, [mar]);
    const now = new Date('2026-11-15T12:00:00Z');

    // Keep-all (the default) drops nothing, however old.
    const keep = await maintainEventPartitions(db.pool, { monthsAhead: 2, retentionMonths: null }, now);
    expect(keep?.dropped).toEqual([]);
    expect((await listEventPartitions(db.pool)).map((p) => p.name)).toEqual(expect.arrayContaining(['events_2025_01', 'events_2025_02', 'events_2025_03', 'events_2026_10']));

    const first = await maintainEventPartitions(db.pool, { monthsAhead: 2, retentionMonths: 1 }, now);
    expect(first?.dropped).toEqual(['events_2025_01']);
    expect(first?.kept).toEqual([
      expect.objectContaining({ name: 'events_2025_02', unposted: 1, waitingForDaySummary: 0 }),
      expect.objectContaining({ name: 'events_2025_03', unposted: 0, waitingForDaySummary: 1 }),
    ]);
    const left = await db.pool.query<{ id: string }>('SELECT event_id::text AS id FROM events ORDER BY event_id');
    expect(left.rows.map((x) => x.id).sort()).toEqual([feb, mar, recent].sort());
    expect(await partitionOf(db, recent)).toBe('events_2026_10'); // last month is within the retention

    // The ERP takes the dead letter on replay, the day summary is cut: the next pass drops both months.
    await db.pool.query(`UPDATE erp_postings SET status = 'posted', erp_ref = 'ERP-1' WHERE posting_id = $1`, [febPosting]);
    await db.pool.query('DELETE FROM erp_day_pending');
    const second = await maintainEventPartitions(db.pool, { monthsAhead: 2, retentionMonths: 1 }, now);
    expect(second?.dropped).toEqual(['events_2025_02', 'events_2025_03']);
    expect((await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0]).toEqual({ n: 1 });
  });

  it('a quarantine replay never puts a second event at a (device, seq) held by an event of another month', async () => {
    const db = await open();
    await createStore(db.pool, 'store-q');
    const dev = await createDevice(db.pool, 'store-q', 'dev');
    const heldId = at('2025-01-05T10:00:00Z'); // seq 1 is held by a January event
    await db.pool.query(
      `INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
       VALUES ('store-q', $1, outpost_event_month($1::uuid), $2, 1, 'sale.completed', 1, 'h', now(), 'c', '{}'::jsonb)`,
      [heldId, dev.deviceId],
    );
    // Another event (this month's id) claiming the same seq sits in quarantine, e.g. from a cloned till.
    const ev = makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'A', qty: 1 }]), hlcAt(1, 0, 'dev'));
    const q = await db.pool.query<{ id: string }>(
      `INSERT INTO quarantine (store_id, device_id, seq, event_id, raw, error) VALUES ('store-q', $1, 1, $2, $3, 'seq 1 is held by another event') RETURNING id`,
      [dev.deviceId, ev.eventId, JSON.stringify(ev)],
    );
    // Refused with the reason and left open: marked replayed, it would leave quarantine without being stored.
    await expect(replayQuarantine(db.pool, q.rows[0]!.id, defaultReservationSettings())).rejects.toMatchObject({ statusCode: 409, code: 'seq_taken' });
    const still = await db.pool.query<{ status: string }>('SELECT status FROM quarantine WHERE id = $1', [q.rows[0]!.id]);
    expect(still.rows[0]?.status).toBe('open');
    const atSeq = await db.pool.query<{ id: string }>(`SELECT event_id::text AS id FROM events WHERE device_id = $1 AND seq = 1`, [dev.deviceId]);
    expect(atSeq.rows.map((r) => r.id)).toEqual([heldId]);
  });

  it('a quarantine replay of an event whose id is stored at another seq leaves it open with the reason', async () => {
    const db = await open();
    await createStore(db.pool, 'store-r');
    const dev = await createDevice(db.pool, 'store-r', 'dev');
    const ev = makeEvent(dev, 'sale.completed', sale('T-2', [{ sku: 'A', qty: 1 }]), hlcAt(1, 0, 'dev'));
    // The id is stored at seq 1; the same id arrived again at seq 2 (an id reused at another seq) and was quarantined.
    await db.pool.query(
      `INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
       VALUES ('store-r', $1, outpost_event_month($1::uuid), $2, 1, 'sale.completed', 1, 'h', now(), 'c', '{}'::jsonb)`,
      [ev.eventId, dev.deviceId],
    );
    const q = await db.pool.query<{ id: string }>(
      `INSERT INTO quarantine (store_id, device_id, seq, event_id, raw, error) VALUES ('store-r', $1, 2, $2, $3, 'event id reused at another seq') RETURNING id`,
      [dev.deviceId, ev.eventId, JSON.stringify({ ...ev, seq: 2 })],
    );
    await expect(replayQuarantine(db.pool, q.rows[0]!.id, defaultReservationSettings())).rejects.toMatchObject({ statusCode: 409, code: 'event_id_taken' });
    const still = await db.pool.query<{ status: string }>('SELECT status FROM quarantine WHERE id = $1', [q.rows[0]!.id]);
    expect(still.rows[0]?.status).toBe('open');
    const seq2 = await db.pool.query('SELECT 1 FROM events WHERE device_id = $1 AND seq = 2', [dev.deviceId]);
    expect(seq2.rowCount).toBe(0);
  });

  it('the retention rule: a month goes once it ended N months before the current one', () => {
    const parts = ['2026-08-01', '2026-09-01', '2026-10-01', '2026-11-01'].map((from, i, a) => ({ name: from, from, to: a[i + 1] ?? '2026-12-01' }));
    const now = new Date('2026-11-29T09:00:00Z');
    expect(expiredPartitions(parts, now, null)).toEqual([]);
    expect(expiredPartitions(parts, now, 1).map((p) => p.from)).toEqual(['2026-08-01', '2026-09-01']);
    expect(expiredPartitions(parts, now, 3)).toEqual([]);
  });
});

describe('migration event_partitions converts an existing events table', () => {
  let cleanup: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await cleanup?.();
    cleanup = null;
  });

  it('keeps every row, its position and the indexes, and new events continue the positions', async () => {
    const t = await createTestDatabase();
    const db = openDatabase({ url: t.url, max: 2 });
    const before = mkdtempSync(join(tmpdir(), 'outpost-migrations-'));
    cleanup = async () => {
      await db.close();
      await t.drop();
      rmSync(before, { recursive: true, force: true });
    };
    // The migrations as they stood before event_partitions (found by name: the number may change).
    cpSync(MIGRATIONS_FOLDER, before, { recursive: true });
    const journalFile = join(before, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
    const ours = journal.entries.findIndex((e) => e.tag.endsWith('_event_partitions'));
    expect(ours).toBeGreaterThan(0);
    journal.entries = journal.entries.slice(0, ours);
    writeFileSync(journalFile, JSON.stringify(journal));
    const client = await db.pool.connect();
    try {
      await migrate(drizzle(client), { migrationsFolder: before });
    } finally {
      client.release();
    }
    const ids = [at('2025-06-01T08:00:00Z'), at('2025-06-30T23:00:00Z'), at('2026-01-15T12:00:00Z')];
    for (const [i, id] of ids.entries()) {
      await db.pool.query(
        `INSERT INTO events (store_id, event_id, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
         VALUES ('store-m', $1, $2, $3, 'sale.completed', 1, 'h', now(), 'c', '{"transactionId":"T"}'::jsonb)`,
        [id, DEVICE, i + 1],
      );
    }
    const oldRows = (await db.pool.query<{ event_id: string; position: string }>('SELECT event_id, position FROM events ORDER BY position')).rows;

    await runMigrations(db.pool);

    const rows = await db.pool.query<{ event_id: string; position: string; p: string }>('SELECT event_id, position, tableoid::regclass::text AS p FROM events ORDER BY position');
    expect(rows.rows.map(({ event_id, position }) => ({ event_id, position }))).toEqual(oldRows);
    expect(rows.rows.map((r) => r.p)).toEqual(['events_2025_06', 'events_2025_06', 'events_2026_01']);
    const idx = await db.pool.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'events' ORDER BY 1`);
    expect(idx.rows.map((r) => r.name)).toEqual([
      'events_business_day_idx',
      'events_position_idx',
      'events_received_at_brin',
      'events_sale_tx_idx',
      'events_store_device_seq_uq',
      'events_store_id_event_id_event_month_pk',
      'events_store_position_idx',
    ]);
    const next = await db.pool.query<{ position: string }>(
      `INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
       VALUES ('store-m', $1, outpost_event_month($1::uuid), $2, 4, 'sale.completed', 1, 'h', now(), 'c', '{}'::jsonb) RETURNING position`,
      [uuidv7(), DEVICE],
    );
    expect(Number(next.rows[0]!.position)).toBeGreaterThan(Number(oldRows.at(-1)!.position));
  });
});
