import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HybridClock, type centralApi } from '@outpost/shared';
import type { Database } from '../platform/index.js';
import { bookReceipt } from '../inventory/index.js';
import { createDevice, createStore, hlcAt, makeEvent, sale, send, type TestDevice } from '../../../../test/support/inventory-fixture.js';
import { cancelReservation, markDeliveredUpTo } from './lifecycle.js';
import { rerouteDue } from './reroute.js';
import { loadReservation, viewOf } from './reservation-store.js';
import { createReservation } from './reserve.js';
import { defaultReservationSettings, type ReservationSettings } from './settings.js';
import { claimDue } from './webhook-outbox.js';
import { openMigratedTestDatabase } from '../../../../test/support/central-database.js';

// R4 and R5 through the real ingest transaction (the socket gateway calls the same function), on a fresh
// database per test. The webhook is on (a URL that is never called here) so the outbox rows can be checked.

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

async function stocked(storeId: string, lines: { sku: string; qty: number }[]): Promise<TestDevice> {
  await createStore(db.pool, storeId);
  await bookReceipt(db.pool, clock, storeId, { receiptId: `stock-${storeId}`, lines });
  return createDevice(db.pool, storeId, `till-${storeId}`);
}

async function reserve(storeId: string, orderId: string, lines: { sku: string; qty: number }[], allowReroute = false) {
  const r = await createReservation(db.pool, S, { orderId, storeId, lines, allowReroute });
  if (r.kind !== 'created') throw new Error(`not granted: ${JSON.stringify(r)}`);
  return r.row;
}

async function held(storeId: string, sku: string): Promise<{ onHand: number; reserved: number }> {
  const r = await db.pool.query<{ on_hand: string; reserved: string }>('SELECT on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = $2', [storeId, sku]);
  return { onHand: Number(r.rows[0]!.on_hand), reserved: Number(r.rows[0]!.reserved) };
}

async function webhooks(reservationId: string): Promise<Body[]> {
  const r = await db.pool.query<{ body: Body }>('SELECT body FROM webhook_deliveries WHERE reservation_id = $1 ORDER BY id', [reservationId]);
  return r.rows.map((x) => x.body);
}

async function conflicts(kind: string) {
  return (await db.pool.query<{ inputs: Record<string, unknown>; resolution: string }>('SELECT inputs, resolution FROM conflicts WHERE kind = $1 ORDER BY id', [kind])).rows;
}

let wall = 1_900_000_000_000;
const stamp = (dev: TestDevice) => hlcAt(wall++, 0, dev.node);

describe('pick and handover (happy path through ingest)', () => {
  it('requested → delivered → picked → collected: held units follow each step and the goods leave on-hand once', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    expect(await markDeliveredUpTo(db.pool, S, 's1', r.commandSeq)).toBe(1);
    await send(db.pool, [makeEvent(dev, 'pick.confirmed', { reservationId: r.reservationId, lines: [{ sku: 'A', qty: 2, pickedQty: 2 }] }, stamp(dev))], { reservations: S });
    expect(await held('s1', 'A')).toEqual({ onHand: 5, reserved: 2 });
    await send(db.pool, [makeEvent(dev, 'pickup.completed', { reservationId: r.reservationId, lines: [{ sku: 'A', qty: 2 }] }, stamp(dev), 2)], { reservations: S });
    expect(await held('s1', 'A')).toEqual({ onHand: 3, reserved: 0 });
    const v = await viewOf(db.pool, (await loadReservation(db.pool, r.reservationId))!);
    expect(v.history.map((h) => h.to)).toEqual(['requested', 'delivered', 'picked', 'collected']);
    expect(v.history.every((h) => h.correlationId === r.correlationId)).toBe(true);
    expect((await webhooks(r.reservationId)).map((w) => [w.type, w.status, w.idempotencyKey])).toEqual([
      ['reservation.status_changed', 'delivered', `${r.reservationId}:v2`],
      ['reservation.status_changed', 'picked', `${r.reservationId}:v3`],
      ['reservation.status_changed', 'collected', `${r.reservationId}:v4`],
    ]);
  });

  it('a short pick gives the missing units back to available', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }, { sku: 'B', qty: 1 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 3 }, { sku: 'B', qty: 1 }]);
    await send(db.pool, [makeEvent(dev, 'pick.confirmed', { reservationId: r.reservationId, lines: [{ sku: 'A', qty: 3, pickedQty: 1 }, { sku: 'B', qty: 1, pickedQty: 0 }] }, stamp(dev))], { reservations: S });
    expect((await loadReservation(db.pool, r.reservationId))!.status).toBe('short_picked');
    expect(await held('s1', 'A')).toEqual({ onHand: 5, reserved: 1 });
    expect(await held('s1', 'B')).toEqual({ onHand: 1, reserved: 0 });
  });
});

describe('R5: a pick for a reservation cancelled meanwhile', () => {
  it('keeps the pick as a fact, logs the conflict, raises an exception and sends the store a restock task', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    await cancelReservation(db.pool, S, r.reservationId, 'customer cancelled');
    expect(await held('s1', 'A')).toEqual({ onHand: 5, reserved: 0 });
    // The store had not received the cancellation yet and picked.
    await send(db.pool, [makeEvent(dev, 'pick.confirmed', { reservationId: r.reservationId, lines: [{ sku: 'A', qty: 2, pickedQty: 2 }] }, stamp(dev))], { reservations: S });
    const row = (await loadReservation(db.pool, r.reservationId))!;
    expect(row.status).toBe('cancelled');
    expect(row.lines).toEqual([{ sku: 'A', qty: 2, pickedQty: 2 }]);
    expect(await held('s1', 'A')).toEqual({ onHand: 5, reserved: 0 });
    const c = await conflicts('pick_after_cancel');
    expect(c).toHaveLength(1);
    expect(c[0]!.inputs).toMatchObject({ reservationId: r.reservationId, status: 'cancelled' });
    const cmds = await db.pool.query<{ type: string; payload: Record<string, unknown> }>(`SELECT type, payload FROM commands WHERE store_id = 's1' ORDER BY seq`);
    expect(cmds.rows.map((x) => x.type)).toEqual(['stock.received', 'reservation.created', 'reservation.cancelled', 'restock.requested']);
    expect(cmds.rows[3]!.payload).toMatchObject({ taskId: `restock:${r.reservationId}`, lines: [{ sku: 'A', qty: 2 }] });
    expect((await webhooks(r.reservationId)).map((w) => w.type)).toEqual(['reservation.status_changed', 'reservation.exception']);
  });
});

describe('R4: an oversell found after sync', () => {
  it('puts the newest reservations at risk until they cover the shortage, and raises an exception when the order allows no reroute', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 4 }]);
    const older = await reserve('s1', 'o-old', [{ sku: 'A', qty: 2 }]);
    const newer = await reserve('s1', 'o-new', [{ sku: 'A', qty: 2 }]);
    // Sales made offline arrive late: 3 sold, on-hand 1 < reserved 4: short by 3.
    await send(db.pool, [makeEvent(dev, 'sale.completed', sale('t1', [{ sku: 'A', qty: 3 }]), stamp(dev))], { reservations: S });
    expect(await held('s1', 'A')).toEqual({ onHand: 1, reserved: 4 });
    expect((await loadReservation(db.pool, newer.reservationId))!.status).toBe('at_risk');
    expect((await loadReservation(db.pool, older.reservationId))!.status).toBe('at_risk');
    const c = await conflicts('oversold');
    expect(c).toHaveLength(1);
    expect(c[0]!.inputs).toMatchObject({ onHand: 1, reserved: 4, shortage: 3, atRisk: [newer.reservationId, older.reservationId] });
    expect((await webhooks(newer.reservationId)).map((w) => w.type)).toEqual(['reservation.status_changed', 'reservation.exception']);
    // A second late sale does not put anything at risk twice.
    await send(db.pool, [makeEvent(dev, 'sale.completed', sale('t2', [{ sku: 'A', qty: 1 }]), stamp(dev))], { reservations: S });
    expect(await conflicts('oversold')).toHaveLength(1);
  });

  it('puts only as many at risk as the shortage needs, newest first', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 6 }]);
    const a = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }]);
    const b = await reserve('s1', 'o2', [{ sku: 'A', qty: 2 }]);
    const c = await reserve('s1', 'o3', [{ sku: 'A', qty: 2 }]);
    await send(db.pool, [makeEvent(dev, 'sale.completed', sale('t1', [{ sku: 'A', qty: 1 }]), stamp(dev))], { reservations: S });
    expect((await loadReservation(db.pool, c.reservationId))!.status).toBe('at_risk');
    expect((await loadReservation(db.pool, b.reservationId))!.status).toBe('requested');
    expect((await loadReservation(db.pool, a.reservationId))!.status).toBe('requested');
  });

  it('reroutes an at-risk reservation that allows it to the store with stock, cancelling the original', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 2 }]);
    await stocked('s2', [{ sku: 'A', qty: 1 }]);
    await stocked('s3', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }], true);
    await send(db.pool, [makeEvent(dev, 'sale.completed', sale('t1', [{ sku: 'A', qty: 2 }]), stamp(dev))], { reservations: S });
    expect((await loadReservation(db.pool, r.reservationId))!.status).toBe('at_risk');
    expect(await rerouteDue(db.pool, S)).toBe(1);
    const original = (await loadReservation(db.pool, r.reservationId))!;
    expect(original.status).toBe('cancelled');
    const moved = (await loadReservation(db.pool, original.reroutedTo!))!;
    expect(moved).toMatchObject({ storeId: 's3', orderId: 'o1', status: 'requested', reroutedFrom: r.reservationId, correlationId: r.correlationId });
    expect(await held('s1', 'A')).toEqual({ onHand: 0, reserved: 0 });
    expect(await held('s3', 'A')).toEqual({ onHand: 5, reserved: 2 });
    expect(await conflicts('rerouted')).toHaveLength(1);
    // The order system hears: original at risk, then cancelled (rerouted), and the new one requested.
    expect((await webhooks(r.reservationId)).map((w) => w.status)).toEqual(['at_risk', 'cancelled']);
    expect((await webhooks(moved.reservationId)).map((w) => [w.status, w.reroutedFrom])).toEqual([['requested', r.reservationId]]);
    // A second pass finds nothing to do.
    expect(await rerouteDue(db.pool, S)).toBe(0);
  });

  it('raises an exception when no other store can serve every line', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 2 }]);
    await stocked('s2', [{ sku: 'A', qty: 1 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 2 }], true);
    await send(db.pool, [makeEvent(dev, 'sale.completed', sale('t1', [{ sku: 'A', qty: 1 }]), stamp(dev))], { reservations: S });
    await rerouteDue(db.pool, S);
    expect((await loadReservation(db.pool, r.reservationId))!.status).toBe('at_risk');
    expect(await conflicts('reroute_failed')).toHaveLength(1);
    expect((await webhooks(r.reservationId)).map((w) => w.type)).toEqual(['reservation.status_changed', 'reservation.exception']);
  });
});

describe('webhook outbox', () => {
  it('claims a reservation\'s deliveries one at a time, in order', async () => {
    const dev = await stocked('s1', [{ sku: 'A', qty: 5 }]);
    const r = await reserve('s1', 'o1', [{ sku: 'A', qty: 1 }]);
    await markDeliveredUpTo(db.pool, S, 's1', r.commandSeq);
    await send(db.pool, [makeEvent(dev, 'pick.confirmed', { reservationId: r.reservationId, lines: [{ sku: 'A', qty: 1, pickedQty: 1 }] }, stamp(dev))], { reservations: S });
    const first = await claimDue(db.pool, 10, 60_000);
    expect(first.map((d) => d.body.status)).toEqual(['delivered']);
    // The second waits while the first is still pending (its lease hides it from a second claim too).
    expect(await claimDue(db.pool, 10, 60_000)).toEqual([]);
  });
});
