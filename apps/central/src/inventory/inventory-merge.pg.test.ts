import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { countsOf, HybridClock, movementsOf, replaySku, type EventEnvelope, type Movement } from '@outpost/shared';
import type { Database } from '../platform/index.js';
import { bookReceipt, receiptSourceId } from './receipts.js';
import { adjust, count, createDevice, createStore, hlcAt, inventoryOf, makeEvent, ret, sale, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// Property (docs/rules.md "central inventory equals a replay of the events"): whatever the arrival order across
// devices and central, with resends and overlapping batches, central's incremental merge ends exactly where the
// shared reference model `replaySku` ends, for on-hand, damaged, quarantine and every count's expected/variance.

const STORE = 'store-p';
const SKUS = ['A', 'B', 'C'] as const;

const skuArb = fc.constantFrom(...SKUS);
const qtyArb = fc.integer({ min: 1, max: 5 });
// A small clock range so stamps of different devices interleave and sometimes tie on wall and counter.
const stampArb = fc.record({ wall: fc.integer({ min: 1, max: 12 }), counter: fc.integer({ min: 0, max: 1 }) });

type Spec =
  | { t: 'sale'; lines: { sku: string; qty: number }[] }
  | { t: 'return'; lines: { sku: string; qty: number; disposition: 'restock' | 'damaged' | 'quarantine' }[] }
  | { t: 'count'; lines: { sku: string; countedQty: number }[] }
  | { t: 'adjust'; lines: { sku: string; qtyDelta: number }[] };

const specArb: fc.Arbitrary<Spec> = fc.oneof(
  fc.record({ t: fc.constant('sale' as const), lines: fc.array(fc.record({ sku: skuArb, qty: qtyArb }), { minLength: 1, maxLength: 2 }) }),
  fc.record({
    t: fc.constant('return' as const),
    lines: fc.array(fc.record({ sku: skuArb, qty: qtyArb, disposition: fc.constantFrom('restock' as const, 'damaged' as const, 'quarantine' as const) }), {
      minLength: 1,
      maxLength: 2,
    }),
  }),
  fc.record({
    t: fc.constant('count' as const),
    lines: fc.uniqueArray(fc.record({ sku: skuArb, countedQty: fc.integer({ min: 0, max: 20 }) }), { minLength: 1, maxLength: 2, selector: (l) => l.sku }),
  }),
  fc.record({
    t: fc.constant('adjust' as const),
    lines: fc.array(fc.record({ sku: skuArb, qtyDelta: fc.integer({ min: -4, max: 4 }).filter((n) => n !== 0) }), { minLength: 1, maxLength: 2 }),
  }),
);

const deviceArb = fc.record({
  events: fc.array(fc.record({ stamp: stampArb, spec: specArb }), { minLength: 1, maxLength: 12 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
});

const scenarioArb = fc.record({
  devices: fc.array(deviceArb, { minLength: 2, maxLength: 3 }),
  receipts: fc.array(fc.record({ wall: fc.integer({ min: 1, max: 12 }), sku: skuArb, qty: qtyArb }), { maxLength: 4 }),
  // The scheduler's dice: who delivers next, whether to resend or overlap.
  dice: fc.array(fc.nat(), { minLength: 64, maxLength: 64 }),
});

function toEvent(dev: TestDevice, spec: Spec, hlc: string, i: number): EventEnvelope {
  switch (spec.t) {
    case 'sale':
      return makeEvent(dev, 'sale.completed', sale(`${dev.node}-T${i}`, spec.lines), hlc);
    case 'return':
      return makeEvent(dev, 'return.received', ret(`${dev.node}-R${i}`, spec.lines), hlc);
    case 'count':
      return makeEvent(dev, 'count.submitted', count(`${dev.node}-C${i}`, spec.lines), hlc);
    case 'adjust':
      return makeEvent(dev, 'stock.adjusted', adjust(`${dev.node}-J${i}`, spec.lines), hlc);
  }
}

describe('central inventory merge equals the reference replay (property)', () => {
  let db: Database;
  let closeDb: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close: closeDb } = await openMigratedTestDatabase(4));
  });
  afterAll(async () => {
    await closeDb();
  });

  it('random events of 2–3 devices plus central receipts, random batches, resends and cross-device reordering', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (sc) => {
        await db.pool.query(
          'TRUNCATE events, quarantine, inventory, inventory_movements, inventory_counts, conflicts, return_links, receipts, commands, enrollment_codes, devices, stores',
        );
        await createStore(db.pool, STORE);
        const all: EventEnvelope[] = [];
        const queues: { batches: EventEnvelope[][]; next: number }[] = [];
        for (const [d, spec] of sc.devices.entries()) {
          const dev = await createDevice(db.pool, STORE, `till-${d}`);
          // A device's own stamps never go backwards (its HLC), so its events are in stamp order.
          const ordered = [...spec.events].sort((x, y) => x.stamp.wall - y.stamp.wall || x.stamp.counter - y.stamp.counter);
          const events = ordered.map((e, i) => toEvent(dev, e.spec, hlcAt(e.stamp.wall, e.stamp.counter, dev.node), i));
          all.push(...events);
          const batches: EventEnvelope[][] = [];
          for (let i = 0, k = 0; i < events.length; k++) {
            const n = spec.batchSizes[k % spec.batchSizes.length]!;
            batches.push(events.slice(i, i + n));
            i += n;
          }
          queues.push({ batches, next: 0 });
        }
        let now = 0;
        const clock = new HybridClock('central', () => now);
        const receiptMoves: Movement[] = [];
        const pendingReceipts = [...sc.receipts];
        let die = 0;
        const roll = () => sc.dice[die++ % sc.dice.length]!;
        for (;;) {
          const open = queues.filter((q) => q.next < q.batches.length);
          const options = open.length + (pendingReceipts.length > 0 ? 1 : 0);
          if (options === 0) break;
          const pick = roll() % options;
          if (pick === open.length) {
            const r = pendingReceipts.shift()!;
            now = r.wall;
            const booked = await bookReceipt(db.pool, clock, STORE, { receiptId: `GR-${receiptMoves.length}`, lines: [{ sku: r.sku, qty: r.qty }] });
            receiptMoves.push({ hlc: booked.hlc, sourceId: receiptSourceId(booked.receiptId), sku: r.sku, qty: r.qty, bucket: 'sellable' });
            continue;
          }
          const q = open[pick]!;
          const batch = q.batches[q.next]!;
          // Sometimes the agent resends from an earlier seq (its ack was lost): the overlap must be skipped.
          const overlap = q.next > 0 && roll() % 4 === 0 ? q.batches[q.next - 1]! : [];
          const ack = await send(db.pool, [...overlap, ...batch]);
          expect(ack).toMatchObject({ ok: true, stored: batch.length, duplicates: overlap.length });
          q.next++;
          // Sometimes a whole batch already stored arrives again.
          if (roll() % 3 === 0) {
            const sent = q.batches.slice(0, q.next);
            const dup = sent[roll() % sent.length]!;
            expect(await send(db.pool, dup)).toMatchObject({ ok: true, stored: 0, duplicates: dup.length });
          }
        }

        const movements = [...all.flatMap((e) => movementsOf(e)), ...receiptMoves];
        const counts = all.flatMap((e) => countsOf(e));
        const inv = await inventoryOf(db.pool, STORE);
        const dbCounts = await db.pool.query<{ sku: string; source_id: string; expected: string; variance: string; status: string }>(
          'SELECT sku, source_id, expected, variance, status FROM inventory_counts WHERE store_id = $1',
          [STORE],
        );
        for (const sku of SKUS) {
          const ref = replaySku(sku, movements, counts);
          const got = inv.get(sku) ?? { onHand: 0, damaged: 0, quarantine: 0 };
          expect({ sku, ...got }).toEqual({ sku, onHand: ref.onHand, damaged: ref.damaged, quarantine: ref.quarantine });
          const gotCounts = dbCounts.rows
            .filter((c) => c.sku === sku)
            .map((c) => ({ sourceId: c.source_id, expected: Number(c.expected), variance: Number(c.variance), superseded: c.status === 'superseded' }))
            .sort((x, y) => (x.sourceId < y.sourceId ? -1 : 1));
          const refCounts = ref.counts
            .map((c) => ({ sourceId: c.count.sourceId, expected: c.expected, variance: c.variance, superseded: c.superseded }))
            .sort((x, y) => (x.sourceId < y.sourceId ? -1 : 1));
          expect(gotCounts).toEqual(refCounts);
        }
      }),
      { numRuns: 25 },
    );
  });
});
