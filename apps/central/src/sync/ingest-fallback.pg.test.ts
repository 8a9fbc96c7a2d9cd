import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../platform/index.js';
import { count, createDevice, createStore, hlcAt, inventoryOf, makeEvent, sale, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';
import { isEventFailure } from './ingest-fallback.js';
import { replayQuarantine } from './quarantine.js';
import { defaultReservationSettings } from '../reservations/index.js';

// Issue 11, case 3: one event the database cannot take must not refuse its batch forever (the agent resends it,
// every later event of the store waits behind it). It is quarantined with the database's reason; the rest of
// the batch is stored and the device's stored seq moves on.

const STORE = 'store-f';

async function storedSeq(db: Database, dev: TestDevice): Promise<number> {
  const r = await db.pool.query<{ stored_seq: string }>('SELECT stored_seq FROM devices WHERE device_id = $1', [dev.deviceId]);
  return Number(r.rows[0]!.stored_seq);
}

async function quarantined(db: Database): Promise<{ seq: string; event_id: string | null; error: string }[]> {
  return (await db.pool.query<{ seq: string; event_id: string | null; error: string }>('SELECT seq, event_id, error FROM quarantine ORDER BY seq')).rows;
}

async function storedSeqs(db: Database): Promise<number[]> {
  return (await db.pool.query<{ seq: string }>('SELECT seq FROM events ORDER BY seq')).rows.map((r) => Number(r.seq));
}

describe('ingest: sums beyond int4 and events the database refuses', () => {
  let t: Awaited<ReturnType<typeof openMigratedTestDatabase>>;
  let dev: TestDevice;
  beforeEach(async () => {
    t = await openMigratedTestDatabase();
    await createStore(t.db.pool, STORE);
    dev = await createDevice(t.db.pool, STORE, 'dev');
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores two sales of 1,500,000,000 of one sku (their sum, -3e9, overflowed the int4 on-hand) and a count of the int4 maximum after them', async () => {
    const events = [
      makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'BIG', qty: 1_500_000_000 }]), hlcAt(1, 0, 'dev')),
      makeEvent(dev, 'sale.completed', sale('T-2', [{ sku: 'BIG', qty: 1_500_000_000 }]), hlcAt(2, 0, 'dev')),
      makeEvent(dev, 'sale.completed', sale('T-3', [{ sku: 'SMALL', qty: 1 }]), hlcAt(3, 0, 'dev')),
    ];
    expect(await send(t.db.pool, events)).toEqual({ ok: true, storedSeq: 3, stored: 3, duplicates: 0, quarantined: 0 });
    expect((await inventoryOf(t.db.pool, STORE)).get('BIG')?.onHand).toBe(-3_000_000_000);
    // The same again, one batch each: the per-batch sums and the stored on-hand both go past int4.
    const more = [1, 2].map((i) => makeEvent(dev, 'sale.completed', sale(`T-M${i}`, [{ sku: 'BIG', qty: 2_000_000_000 }]), hlcAt(3 + i, 0, 'dev')));
    for (const ev of more) expect(await send(t.db.pool, [ev])).toMatchObject({ ok: true, stored: 1 });
    expect((await inventoryOf(t.db.pool, STORE)).get('BIG')?.onHand).toBe(-7_000_000_000);
    // A count of 2^31-1 now has a variance of ~9.1e9 (counted − expected), beyond int4 as well.
    const c = makeEvent(dev, 'count.submitted', count('C-1', [{ sku: 'BIG', countedQty: 2_147_483_647 }]), hlcAt(9, 0, 'dev'));
    expect(await send(t.db.pool, [c])).toMatchObject({ ok: true, stored: 1, quarantined: 0 });
    const v = await t.db.pool.query<{ variance: string }>('SELECT variance FROM inventory_counts WHERE store_id = $1 AND sku = $2', [STORE, 'BIG']);
    expect(Number(v.rows[0]!.variance)).toBe(2_147_483_647 + 7_000_000_000);
    expect(await storedSeq(t.db, dev)).toBe(6);
  });

  it('quarantines the one event the database refuses with its reason, stores the others, and moves the stored seq on', async () => {
    // A constraint the rules do not know about stands in for whatever the database may still refuse.
    await t.db.pool.query(`ALTER TABLE inventory_movements ADD CONSTRAINT test_no_poison CHECK (sku <> 'POISON')`);
    const events = [
      makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'A', qty: 1 }]), hlcAt(1, 0, 'dev')),
      makeEvent(dev, 'sale.completed', sale('T-2', [{ sku: 'POISON', qty: 1 }]), hlcAt(2, 0, 'dev')),
      makeEvent(dev, 'sale.completed', sale('T-3', [{ sku: 'A', qty: 2 }]), hlcAt(3, 0, 'dev')),
    ];
    const ack = await send(t.db.pool, events);
    expect(ack).toEqual({ ok: true, storedSeq: 3, stored: 2, duplicates: 0, quarantined: 1 });
    expect(await storedSeqs(t.db)).toEqual([1, 3]);
    const q = await quarantined(t.db);
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ seq: '2', event_id: events[1]!.eventId });
    expect(q[0]!.error).toMatch(/central could not store this event: .*test_no_poison.*\(SQLSTATE 23514\)/);
    // Only the stored events moved stock: the rolled-back one left nothing behind.
    expect((await inventoryOf(t.db.pool, STORE)).get('A')?.onHand).toBe(-3);
    expect((await inventoryOf(t.db.pool, STORE)).get('POISON')).toBeUndefined();
    const postings = await t.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM erp_postings');
    expect(Number(postings.rows[0]!.n)).toBe(2);

    // The resend of the same batch is all duplicates or already quarantined: nothing is stored twice.
    expect(await send(t.db.pool, events)).toMatchObject({ ok: true, storedSeq: 3, stored: 0 });
    expect(await quarantined(t.db)).toHaveLength(1);
    // And the stream goes on behind it.
    const next = makeEvent(dev, 'sale.completed', sale('T-4', [{ sku: 'A', qty: 1 }]), hlcAt(4, 0, 'dev'));
    expect(await send(t.db.pool, [next])).toMatchObject({ ok: true, storedSeq: 4, stored: 1 });
  });

  it('a replay of such an event answers 422 with the reason while the database still refuses it, and stores it once it does not', async () => {
    await t.db.pool.query(`ALTER TABLE inventory_movements ADD CONSTRAINT test_no_poison CHECK (sku <> 'POISON')`);
    const ev = makeEvent(dev, 'sale.completed', sale('T-1', [{ sku: 'POISON', qty: 1 }]), hlcAt(1, 0, 'dev'));
    expect(await send(t.db.pool, [ev])).toMatchObject({ ok: true, quarantined: 1 });
    const id = (await t.db.pool.query<{ id: string }>('SELECT id FROM quarantine')).rows[0]!.id;
    await expect(replayQuarantine(t.db.pool, id, defaultReservationSettings())).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringMatching(/still cannot be stored: .*test_no_poison/),
    });
    await t.db.pool.query('ALTER TABLE inventory_movements DROP CONSTRAINT test_no_poison');
    expect(await replayQuarantine(t.db.pool, id, defaultReservationSettings())).toMatchObject({ status: 'replayed', eventId: ev.eventId });
    expect(await storedSeqs(t.db)).toEqual([1]);
    expect((await inventoryOf(t.db.pool, STORE)).get('POISON')?.onHand).toBe(-1);
  });

  it('quarantines every event of a batch that all fail, and still moves on', async () => {
    await t.db.pool.query(`ALTER TABLE inventory_movements ADD CONSTRAINT test_no_poison CHECK (sku <> 'POISON')`);
    const events = [1, 2].map((i) => makeEvent(dev, 'sale.completed', sale(`T-${i}`, [{ sku: 'POISON', qty: 1 }]), hlcAt(i, 0, 'dev')));
    expect(await send(t.db.pool, events)).toEqual({ ok: true, storedSeq: 2, stored: 0, duplicates: 0, quarantined: 2 });
    expect((await quarantined(t.db)).map((q) => q.seq)).toEqual(['1', '2']);
  });
});

describe('isEventFailure', () => {
  it('tries event by event for data errors and rule errors, refuses (send again) for connection and server trouble', () => {
    expect(isEventFailure(Object.assign(new Error('integer out of range'), { code: '22003' }))).toBe(true);
    expect(isEventFailure(Object.assign(new Error('check'), { code: '23514' }))).toBe(true);
    expect(isEventFailure(new RangeError('money total overflows safe integer range'))).toBe(true);
    expect(isEventFailure(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(false);
    expect(isEventFailure(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(false);
    expect(isEventFailure(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(false);
    expect(isEventFailure(Object.assign(new Error('rule'), { code: 'not_found' }))).toBe(true);
  });
});
