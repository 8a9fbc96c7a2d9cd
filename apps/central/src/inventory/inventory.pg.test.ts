import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countsOf, HybridClock, movementsOf, replaySku, type EventEnvelope, type Movement } from '@outpost/shared';
import { createCentralClock, type Database } from '../platform/index.js';
import { bookReceipt, receiptSourceId } from './receipts.js';
import { listConflicts } from './conflicts.js';
import { listCounts } from './inventory.js';
import {
  adjust,
  count,
  createDevice,
  createStore,
  hlcAt,
  inventoryOf,
  makeEvent,
  ret,
  sale,
  send,
  type TestDevice,
} from '../../../../test/support/inventory-fixture.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// Scenario tests of the merge rules (docs/rules.md R1, R3, R7) through the real ingest function on real PostgreSQL.

const STORE = 'store-1';

describe('central inventory merge', () => {
  let closeDb: () => Promise<void>;
  let db: Database;
  let a: TestDevice;
  let b: TestDevice;
  beforeEach(async () => {
    ({ db, close: closeDb } = await openMigratedTestDatabase(4));
    await createStore(db.pool, STORE);
    a = await createDevice(db.pool, STORE, 'till-a');
    b = await createDevice(db.pool, STORE, 'till-b');
  });
  afterEach(async () => {
    await closeDb();
  });

  const conflicts = async (kind?: string) => (await listConflicts(db.pool, { storeId: STORE, ...(kind ? { kind } : {}), limit: 1000 })).items;
  const counts = async (sku: string) => (await listCounts(db.pool, { storeId: STORE, sku, limit: 1000 })).items;
  async function ok(events: EventEnvelope[]) {
    const ack = await send(db.pool, events);
    expect(ack).toMatchObject({ ok: true });
    return ack;
  }
  function replay(sku: string, events: EventEnvelope[], extra: Movement[] = []) {
    return replaySku(sku, [...events.flatMap((e) => movementsOf(e)), ...extra], events.flatMap((e) => countsOf(e)));
  }

  it('a count taken offline, arriving after sales made after it, sets on-hand to counted plus those sales (count_recomputed)', async () => {
    const s1 = makeEvent(b, 'sale.completed', sale('T1', [{ sku: 'A', qty: 2 }]), hlcAt(2000, 0, 'till-b'));
    const s2 = makeEvent(b, 'sale.completed', sale('T2', [{ sku: 'A', qty: 1 }]), hlcAt(3000, 0, 'till-b'));
    await ok([s1, s2]);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(-3);
    const c = makeEvent(a, 'count.submitted', count('C1', [{ sku: 'A', countedQty: 10 }]), hlcAt(1000, 0, 'till-a'));
    await ok([c]);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(7);
    expect(replay('A', [s1, s2, c]).onHand).toBe(7);
    const [rec] = await conflicts('count_recomputed');
    expect(rec).toMatchObject({ sku: 'A', inputs: { laterMovements: 2, laterSum: -3 }, correlationId: c.correlationId });
    expect(rec!.resolution).toContain('7');
    expect(await counts('A')).toMatchObject([{ countedQty: 10, expected: 0, variance: 10, status: 'active' }]);
  });

  it('two counts of one sku from two devices: the later hlc wins, the other is superseded and listed', async () => {
    const sold = makeEvent(a, 'sale.completed', sale('T1', [{ sku: 'A', qty: 1 }]), hlcAt(2000, 0, 'till-a'));
    const later = makeEvent(a, 'count.submitted', count('CA', [{ sku: 'A', countedQty: 5 }]), hlcAt(3000, 0, 'till-a'));
    const earlier = makeEvent(b, 'count.submitted', count('CB', [{ sku: 'A', countedQty: 8 }]), hlcAt(1000, 0, 'till-b'));
    await ok([sold, later]);
    await ok([earlier]);
    const inv = (await inventoryOf(db.pool, STORE)).get('A');
    expect(inv?.onHand).toBe(5);
    const ref = replay('A', [sold, later, earlier]);
    expect(ref.onHand).toBe(5);
    const listed = await counts('A');
    expect(listed.map((c) => [c.sourceId, c.status, c.expected, c.variance])).toEqual(
      ref.counts.map((c) => [c.count.sourceId, c.superseded ? 'superseded' : 'active', c.expected, c.variance]),
    );
    // The later count's expected now starts from the earlier count: 8 - 1.
    expect(listed.find((c) => c.sourceId === later.eventId)).toMatchObject({ expected: 7, variance: -2 });
    const sup = await conflicts('count_superseded');
    expect(sup).toHaveLength(1);
    expect(sup[0]).toMatchObject({ sku: 'A', inputs: { count: { sourceId: earlier.eventId }, supersededBy: { sourceId: later.eventId } } });
  });

  it('two counts arriving in hlc order: the first is superseded when the second arrives', async () => {
    const c1 = makeEvent(b, 'count.submitted', count('CB', [{ sku: 'A', countedQty: 8 }]), hlcAt(1000, 0, 'till-b'));
    const c2 = makeEvent(a, 'count.submitted', count('CA', [{ sku: 'A', countedQty: 5 }]), hlcAt(3000, 0, 'till-a'));
    await ok([c1]);
    await ok([c2]);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(5);
    expect((await counts('A')).map((c) => c.status)).toEqual(['superseded', 'active']);
    expect(await conflicts('count_superseded')).toMatchObject([{ inputs: { count: { sourceId: c1.eventId }, supersededBy: { sourceId: c2.eventId } } }]);
  });

  it('a sale older than the base count moves no on-hand but changes that count\'s expected and variance', async () => {
    const c = makeEvent(a, 'count.submitted', count('C1', [{ sku: 'A', countedQty: 10 }]), hlcAt(2000, 0, 'till-a'));
    await ok([c]);
    const s = makeEvent(b, 'sale.completed', sale('T1', [{ sku: 'A', qty: 2 }]), hlcAt(1000, 0, 'till-b'));
    await ok([s]);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(10);
    expect(await counts('A')).toMatchObject([{ expected: -2, variance: 12, status: 'active' }]);
    expect(replay('A', [c, s]).counts[0]).toMatchObject({ expected: -2, variance: 12 });
  });

  it('a receipt booked centrally before and after a store count', async () => {
    let now = 1000;
    const clock = new HybridClock('central', () => now);
    const r1 = await bookReceipt(db.pool, clock, STORE, { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 10 }] });
    expect(r1).toMatchObject({ created: true, commandSeq: 1 });
    const c = makeEvent(a, 'count.submitted', count('C1', [{ sku: 'A', countedQty: 7 }]), hlcAt(2000, 0, 'till-a'));
    await ok([c]);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(7);
    expect(await counts('A')).toMatchObject([{ expected: 10, variance: -3 }]);
    now = 3000;
    const r2 = await bookReceipt(db.pool, clock, STORE, { receiptId: 'GR-2', lines: [{ sku: 'A', qty: 5 }] });
    expect(r2.hlc > c.hlc).toBe(true);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(12);
    const receiptMoves: Movement[] = [r1, r2].map((r, i) => ({ hlc: r.hlc, sourceId: receiptSourceId(r.receiptId), sku: 'A', qty: i === 0 ? 10 : 5, bucket: 'sellable' }));
    expect(replay('A', [c], receiptMoves).onHand).toBe(12);
    // The same receipt again: the first answer, nothing doubled.
    const again = await bookReceipt(db.pool, clock, STORE, { receiptId: 'GR-2', lines: [{ sku: 'A', qty: 5 }] });
    expect(again).toEqual({ ...r2, created: false });
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(12);
    const cmds = await db.pool.query<{ type: string; schema_version: number; payload: { hlc: string } }>(
      'SELECT type, schema_version, payload FROM commands WHERE store_id = $1 ORDER BY seq',
      [STORE],
    );
    expect(cmds.rows.map((r) => [r.type, r.schema_version, r.payload.hlc])).toEqual([
      ['stock.received', 2, r1.hlc],
      ['stock.received', 2, r2.hlc],
    ]);
  });

  it('damaged and quarantine returns do not add sellable stock; restock does', async () => {
    const r = makeEvent(
      a,
      'return.received',
      ret('R1', [
        { sku: 'A', qty: 1, disposition: 'restock' },
        { sku: 'A', qty: 2, disposition: 'damaged' },
        { sku: 'A', qty: 3, disposition: 'quarantine' },
      ]),
      hlcAt(1000, 0, 'till-a'),
    );
    await ok([r]);
    expect((await inventoryOf(db.pool, STORE)).get('A')).toEqual({ onHand: 1, damaged: 2, quarantine: 3 });
  });

  it('a resent batch changes nothing (R1)', async () => {
    const evs = [
      makeEvent(a, 'sale.completed', sale('T1', [{ sku: 'A', qty: 2 }]), hlcAt(1000, 0, 'till-a')),
      makeEvent(a, 'count.submitted', count('C1', [{ sku: 'A', countedQty: 9 }]), hlcAt(1500, 0, 'till-a')),
      makeEvent(a, 'stock.adjusted', adjust('ADJ', [{ sku: 'A', qtyDelta: -1 }]), hlcAt(2000, 0, 'till-a')),
    ];
    await ok(evs);
    const before = await inventoryOf(db.pool, STORE);
    const conflictsBefore = await conflicts();
    const again = await send(db.pool, evs);
    expect(again).toMatchObject({ ok: true, stored: 0, duplicates: 3 });
    expect(await inventoryOf(db.pool, STORE)).toEqual(before);
    expect(before.get('A')?.onHand).toBe(8);
    expect(await conflicts()).toEqual(conflictsBefore);
    const moves = await db.pool.query('SELECT 1 FROM inventory_movements WHERE store_id = $1', [STORE]);
    expect(moves.rowCount).toBe(2);
  });

  it('a sale of an sku the item master does not hold is captured anyway and flagged', async () => {
    await db.pool.query(`INSERT INTO items (sku, name, price, currency, version) VALUES ('A', 'Apple', 100, 'EUR', 1)`);
    const s = makeEvent(a, 'sale.completed', sale('T1', [{ sku: 'A', qty: 1 }, { sku: 'ZZ', qty: 2 }]), hlcAt(1000, 0, 'till-a'));
    await ok([s]);
    expect((await inventoryOf(db.pool, STORE)).get('ZZ')?.onHand).toBe(-2);
    // A second sale of the same unknown sku does not list it again: one entry per store and sku.
    await ok([makeEvent(a, 'sale.completed', sale('T2', [{ sku: 'ZZ', qty: 1 }]), hlcAt(1001, 0, 'till-a'))]);
    expect((await inventoryOf(db.pool, STORE)).get('ZZ')?.onHand).toBe(-3);
    const flagged = await conflicts('unknown_sku');
    expect(flagged).toMatchObject([{ sku: 'ZZ', inputs: { eventId: s.eventId }, correlationId: s.correlationId }]);
  });

  it('a return before its sale is flagged unlinked, then linked when the sale arrives (R7)', async () => {
    const r = makeEvent(b, 'return.received', ret('R1', [{ sku: 'A', qty: 1, disposition: 'restock' }], 'T-9'), hlcAt(2000, 0, 'till-b'));
    await ok([r]);
    expect(await conflicts('return_unlinked')).toMatchObject([{ inputs: { returnEventId: r.eventId, originalTransactionId: 'T-9' } }]);
    const s = makeEvent(a, 'sale.completed', sale('T-9', [{ sku: 'A', qty: 1 }]), hlcAt(1000, 0, 'till-a'));
    await ok([s]);
    const linked = await conflicts('return_linked');
    expect(linked).toMatchObject([{ inputs: { returnEventId: r.eventId, saleEventId: s.eventId }, correlationId: s.correlationId }]);
    expect(linked[0]!.resolution).toContain('linked');
    const link = await db.pool.query<{ sale_event_id: string | null }>('SELECT sale_event_id FROM return_links WHERE return_event_id = $1', [r.eventId]);
    expect(link.rows[0]?.sale_event_id).toBe(s.eventId);
    // A return of a sale central already holds is linked at once: no conflict.
    const r2 = makeEvent(b, 'return.received', ret('R2', [{ sku: 'A', qty: 1, disposition: 'restock' }], 'T-9'), hlcAt(3000, 0, 'till-b'));
    await ok([r2]);
    expect(await conflicts('return_unlinked')).toHaveLength(1);
    expect((await inventoryOf(db.pool, STORE)).get('A')?.onHand).toBe(1);
  });

  it('batches of two devices of one store ingested at the same time end where the replay ends', async () => {
    const evA: EventEnvelope[] = [];
    const evB: EventEnvelope[] = [];
    for (let i = 0; i < 40; i++) {
      const sku = ['A', 'B', 'C'][i % 3]!;
      evA.push(
        i % 10 === 5
          ? makeEvent(a, 'count.submitted', count(`CA${i}`, [{ sku, countedQty: 50 + i }]), hlcAt(1000 + i * 2, 0, 'till-a'))
          : makeEvent(a, 'sale.completed', sale(`TA${i}`, [{ sku, qty: 1 }]), hlcAt(1000 + i * 2, 0, 'till-a')),
      );
      evB.push(
        i % 10 === 7
          ? makeEvent(b, 'count.submitted', count(`CB${i}`, [{ sku, countedQty: 80 + i }]), hlcAt(1001 + i * 2, 0, 'till-b'))
          : makeEvent(b, 'stock.adjusted', adjust(`JB${i}`, [{ sku, qtyDelta: 2 }]), hlcAt(1001 + i * 2, 0, 'till-b')),
      );
    }
    // Four batches a device, the two devices' streams racing each other.
    const chunks = (evs: EventEnvelope[]) => [0, 10, 20, 30].map((i) => evs.slice(i, i + 10));
    const run = async (evs: EventEnvelope[]) => {
      for (const c of chunks(evs)) expect(await send(db.pool, c)).toMatchObject({ ok: true, stored: 10 });
    };
    await Promise.all([run(evA), run(evB)]);
    const inv = await inventoryOf(db.pool, STORE);
    for (const sku of ['A', 'B', 'C']) expect(inv.get(sku)?.onHand).toBe(replay(sku, [...evA, ...evB]).onHand);
  });

  it('central\'s clock restarts after the last stamp it issued, even when the wall clock went back', async () => {
    const first = await bookReceipt(db.pool, new HybridClock('central', () => 5_000), STORE, { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 1 }] });
    const restarted = await createCentralClock(db.pool, () => 1_000);
    expect(restarted.tick() > first.hlc).toBe(true);
  });
});
