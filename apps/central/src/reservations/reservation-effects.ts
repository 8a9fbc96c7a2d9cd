import {
  canTransition,
  handedOverLines,
  oversoldVictims,
  pickOutcome,
  type EventEnvelope,
  type PickConfirmed,
  type PickupCompleted,
} from '@outpost/shared';
import { appendCommand, type CommandNotices } from '../commands/index.js';
import type { ConflictRecord } from '../inventory/index.js';
import { type Queryable, toNumber } from '../platform/index.js';
import { loadReservation, recordPickupEvent, selectReservations, writeTransition } from './reservation-store.js';
import type { ReservationRow } from './reservation-row.js';
import { lockReservation, lockStockThenReservations } from './locks.js';
import { appliedPick, appliedPickup, repeatedPickups } from './repeat-rules.js';
import type { ReservationSettings } from './settings.js';

// What store events do to reservations, inside the ingest transaction (R4, R5). The physical fact always stands:
// a pick or handover is never refused here, only reconciled with what central decided meanwhile.

type ResEvent = EventEnvelope<'pick.confirmed'> | EventEnvelope<'pickup.completed'>;
const isResEvent = (e: EventEnvelope): e is ResEvent => e.type === 'pick.confirmed' || e.type === 'pickup.completed';

/** Skus a batch's pick and pickup events touch (theirs and their reservations'): locked with the batch's others. */
export async function reservationSkus(tx: Queryable, storeId: string, events: readonly EventEnvelope[]): Promise<string[]> {
  const res = events.filter(isResEvent);
  if (res.length === 0) return [];
  const skus = new Set<string>();
  for (const e of res) for (const l of (e.payload as { lines?: { sku: string }[] }).lines ?? []) skus.add(l.sku);
  const rows = await selectReservations(tx, 'store_id = $1 AND reservation_id = ANY($2::text[])', [storeId, res.map((e) => e.payload.reservationId)]);
  for (const r of rows) for (const l of r.lines) skus.add(l.sku);
  return [...skus];
}

/**
 * Lock the batch's reservations (after their skus' inventory rows: the house lock order) and name the handovers
 * that repeat an applied one; the caller leaves their movements out.
 */
export async function planReservationEvents(tx: Queryable, storeId: string, events: readonly EventEnvelope[]): Promise<Set<string>> {
  const ids = [...new Set(events.filter(isResEvent).map((e) => e.payload.reservationId))];
  if (ids.length === 0) return new Set();
  // Their skus' stock rows are locked already: the caller locks reservationSkus with the batch's.
  const rows = await lockStockThenReservations(tx, storeId, [], { where: 'store_id = $1 AND reservation_id = ANY($2::text[])', params: [storeId, ids] });
  return repeatedPickups(events, new Map(rows.map((r) => [r.reservationId, r])));
}

const repeated = (storeId: string, ev: ResEvent, row: ReservationRow, applied: string): ConflictRecord => ({
  kind: 'pick_repeated',
  storeId,
  sku: null,
  inputs: { eventId: ev.eventId, type: ev.type, reservationId: row.reservationId, orderId: row.orderId, status: row.status, appliedEventId: applied === 'recorded' ? null : applied, payload: ev.payload },
  resolution: `stored as the till's record and not applied: central already holds this reservation's ${ev.type === 'pick.confirmed' ? 'pick' : 'handover'}${applied === 'recorded' ? '' : ` (event ${applied})`}; the till had lost it (restored from an older copy?)`,
  correlationId: ev.correlationId,
});

/** Central's state after a store's pick or handover, sent to every till of the store (reservation.updated). */
async function announce(tx: Queryable, notices: CommandNotices, row: ReservationRow, status: 'picked' | 'short_picked' | 'collected'): Promise<void> {
  const lines = row.lines.map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: l.pickedQty ?? 0 }));
  await appendCommand(tx, notices, row.storeId, 'reservation.updated', { reservationId: row.reservationId, status, lines }, row.correlationId);
}

const unexpected = (storeId: string, ev: ResEvent, why: string): ConflictRecord => ({
  kind: 'pick_unexpected',
  storeId,
  sku: null,
  inputs: { eventId: ev.eventId, type: ev.type, reservationId: ev.payload.reservationId, payload: ev.payload },
  resolution: `kept as a fact; ${why}`,
  correlationId: ev.correlationId,
});

async function onPick(tx: Queryable, notices: CommandNotices, s: ReservationSettings, storeId: string, ev: EventEnvelope<'pick.confirmed'>, row: ReservationRow): Promise<ConflictRecord[]> {
  const p: PickConfirmed = ev.payload;
  const applied = appliedPick(row);
  if (applied !== null) return [repeated(storeId, ev, row, applied)];
  const outcome = pickOutcome(row.lines, p.lines);
  if (!outcome.ok) return [unexpected(storeId, ev, `the pick does not fit the reservation: ${outcome.error}`)];
  const webhook = s.webhook !== null;
  if (canTransition(row.status, outcome.status)) {
    const next = await writeTransition(tx, row, outcome.status, { reason: `picked in store (event ${ev.eventId})`, lines: outcome.lines, webhook, pickEventId: ev.eventId });
    await announce(tx, notices, next, outcome.status);
    return [];
  }
  if (row.status === 'cancelled' || row.status === 'expired') {
    // R5: the goods are off the shelf for a reservation that no longer exists: record it, put them back.
    const back = handedOverLines(outcome.lines);
    const why = `picked after it was ${row.status}`;
    await writeTransition(tx, row, row.status, { reason: null, lines: outcome.lines, webhook, exception: `${why}; restock task sent to the store`, pickEventId: ev.eventId });
    if (back.length > 0) {
      await appendCommand(tx, notices, storeId, 'restock.requested', { taskId: `restock:${row.reservationId}`, reservationId: row.reservationId, lines: back, reason: why }, row.correlationId);
    }
    return [
      {
        kind: 'pick_after_cancel',
        storeId,
        sku: null,
        inputs: { eventId: ev.eventId, reservationId: row.reservationId, orderId: row.orderId, status: row.status, picked: outcome.lines },
        resolution: back.length > 0 ? `pick kept; restock task sent for ${back.map((l) => `${l.qty} × ${l.sku}`).join(', ')}` : 'pick kept; nothing was found, nothing to restock',
        correlationId: ev.correlationId,
      },
    ];
  }
  return [unexpected(storeId, ev, `the reservation was already ${row.status}`)];
}

async function onPickup(
  tx: Queryable,
  notices: CommandNotices,
  s: ReservationSettings,
  storeId: string,
  ev: EventEnvelope<'pickup.completed'>,
  row: ReservationRow,
  repeat: boolean,
): Promise<ConflictRecord[]> {
  const p: PickupCompleted = ev.payload;
  if (repeat) return [repeated(storeId, ev, row, appliedPickup(row) ?? 'recorded')];
  const webhook = s.webhook !== null;
  if (canTransition(row.status, 'collected')) {
    const next = await writeTransition(tx, row, 'collected', { reason: `handed over in store (event ${ev.eventId})`, webhook, pickupEventId: ev.eventId });
    await announce(tx, notices, next, 'collected');
    return [];
  }
  // Its movement was applied: a later handover of this reservation is a repeat, whatever the state said.
  await recordPickupEvent(tx, row, ev.eventId);
  if (row.status === 'cancelled' || row.status === 'expired') {
    // The customer left with goods of a closed reservation: the stock movement stands; the order system decides.
    await writeTransition(tx, row, row.status, { reason: null, webhook, exception: `handed over after it was ${row.status}` });
    return [
      {
        kind: 'pickup_after_cancel',
        storeId,
        sku: null,
        inputs: { eventId: ev.eventId, reservationId: row.reservationId, orderId: row.orderId, status: row.status, lines: p.lines ?? [] },
        resolution: 'handover kept (the goods left the store); raised to the order system as an exception',
        correlationId: ev.correlationId,
      },
    ];
  }
  return [unexpected(storeId, ev, `a handover needs a confirmed pick; the reservation was ${row.status}`)];
}

/**
 * Apply a batch's pick and pickup events in seq order (a pick and its handover may share a batch). A repeat of a
 * pick or handover central already applied is kept as a fact and logged (`pick_repeated`), never applied twice;
 * `repeats` names the handovers planReservationEvents found (their movements were left out).
 */
export async function applyReservationEvents(
  tx: Queryable,
  notices: CommandNotices,
  s: ReservationSettings,
  storeId: string,
  events: readonly EventEnvelope[],
  repeats: ReadonlySet<string> = new Set(),
): Promise<ConflictRecord[]> {
  const out: ConflictRecord[] = [];
  for (const ev of events) {
    if (!isResEvent(ev)) continue;
    const peek = await loadReservation(tx, ev.payload.reservationId);
    const row = peek && peek.storeId === storeId ? await lockReservation(tx, peek) : null;
    if (!row) {
      out.push(unexpected(storeId, ev, 'central holds no such reservation for this store'));
      continue;
    }
    out.push(...(ev.type === 'pick.confirmed' ? await onPick(tx, notices, s, storeId, ev, row) : await onPickup(tx, notices, s, storeId, ev, row, repeats.has(ev.eventId))));
  }
  return out;
}

/**
 * R4: after a batch moved stock, any locked sku whose reservations now hold more than is on hand is oversold.
 * The physical sales stand; the newest unpicked reservations holding the sku go at_risk until they cover the
 * shortage (reservations already at risk count towards it). The sweeper then reroutes those that allow it.
 */
export async function checkOversold(tx: Queryable, s: ReservationSettings, storeId: string, skus: readonly string[]): Promise<ConflictRecord[]> {
  if (skus.length === 0) return [];
  // int8 columns: pg answers strings.
  const short = await tx.query<{ sku: string; on_hand: string; reserved: string }>(
    'SELECT sku, on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = ANY($2::text[]) AND reserved > 0 AND reserved > on_hand ORDER BY sku COLLATE "C"',
    [storeId, skus],
  );
  const out: ConflictRecord[] = [];
  for (const inv of short.rows.map((x) => ({ sku: x.sku, on_hand: toNumber(x.on_hand), reserved: toNumber(x.reserved) }))) {
    const holding = await lockStockThenReservations(tx, storeId, [inv.sku], {
      where: `store_id = $1 AND status IN ('requested', 'delivered', 'at_risk') AND lines @> $2::jsonb`,
      params: [storeId, JSON.stringify([{ sku: inv.sku }])],
    });
    const qtyOf = (r: ReservationRow) => r.lines.filter((l) => l.sku === inv.sku).reduce((a, l) => a + l.qty, 0);
    const alreadyAtRisk = holding.filter((r) => r.status === 'at_risk').reduce((a, r) => a + qtyOf(r), 0);
    const shortage = inv.reserved - inv.on_hand;
    const victims = oversoldVictims(
      shortage - alreadyAtRisk,
      holding.filter((r) => r.status !== 'at_risk').map((r) => ({ reservationId: r.reservationId, createdAt: r.createdAt.toISOString(), qty: qtyOf(r), row: r })),
    );
    if (victims.length === 0) continue;
    for (const v of victims) {
      await writeTransition(tx, v.row, 'at_risk', {
        reason: `store oversold on ${inv.sku}: on-hand ${inv.on_hand}, reserved ${inv.reserved}`,
        webhook: s.webhook !== null,
        ...(v.row.allowReroute ? {} : { exception: `oversold on ${inv.sku}; the order does not allow a reroute` }),
      });
    }
    out.push({
      kind: 'oversold',
      storeId,
      sku: inv.sku,
      inputs: { onHand: inv.on_hand, reserved: inv.reserved, shortage, atRisk: victims.map((v) => v.reservationId) },
      resolution: `the physical sales stand; ${victims.length} reservation(s) at risk: ${victims.map((v) => `${v.reservationId}${v.row.allowReroute ? ' (reroute)' : ' (exception raised)'}`).join(', ')}`,
      correlationId: victims[0]!.row.correlationId,
    });
  }
  return out;
}
