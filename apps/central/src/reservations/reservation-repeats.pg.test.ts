import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridClock, type centralApi } from '@outpost/shared';
import type { Database } from '../platform/index.js';
import { bookReceipt } from '../inventory/index.js';
import { createDevice, createStore, hlcAt, makeEvent, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';
import { cancelReservation, markDeliveredUpTo } from './lifecycle.js';
import { loadReservation, viewOf } from './reservation-store.js';
import { createReservation } from './reserve.js';
import { defaultReservationSettings, type ReservationSettings } from './settings.js';

// A till restored from an older copy of its data folder has lost its record of a pick and handover it already
// made; it may do them again (offline, before central's reservation.updated reaches it). Central stores those
// events as the till's facts, logs them as repeats, and applies each reservation's pick and handover once: the
// goods leave on-hand once, the order system hears once, the store gets one restock task. Through the real
// ingest transaction, on a fresh database per test.

type Body = centralApi.ReservationWebhookBody;

let db: Database;
let closeDb: () => Promise<void>;
const S: ReservationSettings = { ...defaultReservationSettings(), webhook: { url: 'http://127.0.0.1:9/', secret: 's', baseDelayMs: 10, maxDelayMs: 20, maxAttempts: 3, timeoutMs: 100 } };
const clock = new HybridClock('central', () => Date.now());

beforeEach(async () => {
  ({ db, close: closeDb } = await openMigratedTestDatabase());
});
afterEach(async () => {
  await closeDb();
});

let wall = 1_900_000_000_000;
const stamp = (dev: TestDevice) => hlcAt(wall++, 0, dev.node);

async function stocked(storeId: string, lines: { sku: string; qty: number }[]): Promise<TestDevice> {
  await createStore(db.pool, storeId);
  await bookReceipt(db.pool, clock, storeId, { receiptId: `stock-${storeId}`, lines });
  return createDevice(db.pool, storeId, `till-${storeId}`);
}
async function reserve(storeId: string, orderId: string, lines: { sku: string; qty: number }[]) {
  const r = await createReservation(db.pool, S, { orderId, storeId, lines });
  if (r.kind !== 'created') throw new Error(`not granted: ${JSON.stringify(r)}`);
  return r.row;
}
async function held(storeId: string, sku: string): Promise<{ onHand: number; reserved: number }> {
  const r = await db.pool.query<{ on_hand: string; reserved: string }>('SELECT on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = $2', [storeId, sku]);
  return { onHand: Number(r.rows[0]!.on_hand), reserved: Number(r.rows[0]!.reserved) };
}
async function conflicts(kind: string) {
  return (await db.pool.query<{ inputs: Record<string, unknown>; resolution: string }>('SELECT inputs, resolution FROM conflicts WHERE kind = $1 ORDER BY id', [kind])).rows;
}
async function commands(storeId: string) {
  return (await db.pool.query<{ type: string; payload: Record<string, unknown> }>('SELECT type, payload FROM commands WHERE store_id = $1 ORDER BY seq', [storeId])).rows;
}
async function webhooks(reservationId: string): Promise<Body[]> {
  return (await db.pool.query<{ body: Body }>('SELECT body FROM webhook_deliveries WHERE reservation_id = $1 ORDER BY id', [reservationId])).rows.map((x) => x.body);
}
async function storedEvents(storeId: string): Promise<number> {
  return Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE store_id = $1', [storeId])).rows[0]!.n);
}
const pick = (dev: TestDevice, reservationId: string, pickedQty: number, qty = 2) =>
  makeEvent(dev, 'pick.confirmed', { reservationId, lines: [{ sku: 'A', qty, pickedQty }] }, stamp(dev));
const pickup = (dev: TestDevice, reservationId: string, qty: number) => makeEvent(dev, 'pickup.completed', { reservationId, lines: [{ sku: 'A', qty }] }, stamp(dev), 2);

describe('a pick and handover done again by a restored till', () => {
  it('are stored and logged as repeats; the goods leave on-hand once and every till is told the state once', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    await markDeliveredUpTo(db.pool, S, 's1', r.commandSeq);
    const firstPick = pick(dev, r.reservationId, 2);
    const firstPickup = pickup(dev, r.reservationId, 2);
    await send(db.pool, [firstPick], { reservations: S });
    await send(db.pool, [firstPickup], { reservations: S });
    expect(await held('s1', 'A')).toEqual({ onHand: 3, reserved: 0 });
    // Every till of the store hears central's state after the pick and after the handover.
    expect((await commands('s1')).map((c) => [c.type, c.payload.status ?? null])).toEqual([
      ['stock.received', null],
      ['reservation.created', null],
      ['reservation.updated', 'picked'],
      ['reservation.updated', 'collected'],
    ]);
    expect((await commands('s1'))[3]!.payload).toEqual({ reservationId: r.reservationId, status: 'collected', lines: [{ sku: 'A', qty: 2, pickedQty: 2 }] });
    const before = await viewOf(db.pool, (await loadReservation(db.pool, r.reservationId))!);

    // Restored: the till picks it again (short, this time) and hands it over again, in one batch.
    const ack = await send(db.pool, [pick(dev, r.reservationId, 1), pickup(dev, r.reservationId, 1)], { reservations: S });
    expect(ack).toMatchObject({ ok: true, stored: 2, quarantined: 0 });
    expect(await storedEvents('s1')).toBe(4);
    expect(await held('s1', 'A')).toEqual({ onHand: 3, reserved: 0 });
    const after = await viewOf(db.pool, (await loadReservation(db.pool, r.reservationId))!);
    expect(after.status).toBe('collected');
    expect(after.lines).toEqual([{ sku: 'A', qty: 2, pickedQty: 2 }]);
    expect(after.history).toEqual(before.history);
    const logged = await conflicts('pick_repeated');
    expect(logged.map((c) => [c.inputs.type, c.inputs.appliedEventId])).toEqual([
      ['pick.confirmed', firstPick.eventId],
      ['pickup.completed', firstPickup.eventId],
    ]);
    expect(logged[1]!.resolution).toMatch(/not applied: central already holds this reservation's handover/);
    expect(await conflicts('pick_unexpected')).toEqual([]);
    expect((await webhooks(r.reservationId)).map((w) => w.status)).toEqual(['delivered', 'picked', 'collected']);
    expect(await commands('s1')).toHaveLength(4);
  });

  it('two handovers of one reservation in one batch move its goods once', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    await send(db.pool, [pick(dev, r.reservationId, 2), pickup(dev, r.reservationId, 2), pickup(dev, r.reservationId, 2)], { reservations: S });
    expect(await held('s1', 'A')).toEqual({ onHand: 3, reserved: 0 });
    expect((await conflicts('pick_repeated')).map((c) => c.inputs.type)).toEqual(['pickup.completed']);
  });

  it('a handover central did not expect still counts as the one: its repeat moves nothing', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    // No pick reached central: the handover is kept as a fact (the goods left) and logged as unexpected.
    await send(db.pool, [pickup(dev, r.reservationId, 2)], { reservations: S });
    expect(await conflicts('pick_unexpected')).toHaveLength(1);
    expect((await held('s1', 'A')).onHand).toBe(3);
    await send(db.pool, [pickup(dev, r.reservationId, 2)], { reservations: S });
    expect((await held('s1', 'A')).onHand).toBe(3);
    expect(await conflicts('pick_repeated')).toHaveLength(1);
  });

  it('R5 once: a cancelled reservation picked and handed over twice gets one restock task, one exception, one movement', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    await cancelReservation(db.pool, S, r.reservationId, 'customer cancelled');
    await send(db.pool, [pick(dev, r.reservationId, 2)], { reservations: S });
    await send(db.pool, [pick(dev, r.reservationId, 2)], { reservations: S });
    expect((await commands('s1')).map((c) => c.type)).toEqual(['stock.received', 'reservation.created', 'reservation.cancelled', 'restock.requested']);
    expect(await conflicts('pick_after_cancel')).toHaveLength(1);
    await send(db.pool, [pickup(dev, r.reservationId, 2)], { reservations: S });
    await send(db.pool, [pickup(dev, r.reservationId, 2)], { reservations: S });
    expect((await held('s1', 'A')).onHand).toBe(3);
    expect(await conflicts('pickup_after_cancel')).toHaveLength(1);
    expect((await conflicts('pick_repeated')).map((c) => c.inputs.type)).toEqual(['pick.confirmed', 'pickup.completed']);
    expect((await webhooks(r.reservationId)).map((w) => w.type)).toEqual(['reservation.status_changed', 'reservation.exception', 'reservation.exception']);
  });
});
