import { heldDelta, type centralApi, type ReservationLine, type ReservationStatus } from '@outpost/shared';
import type { z } from 'zod';
import type { Queryable } from '../platform/index.js';
import { fromDb, RESERVATION_COLUMNS, type DbRow, type ReservationRow } from './reservation-row.js';
import { enqueueWebhook } from './webhook-outbox.js';

// The SQL edge of reservations: reading rows and writing transitions. Rows are locked in the house order by
// locks.ts only: the inventory rows of the skus involved first, then the reservation rows.

export type ReservationView = z.infer<typeof centralApi.reservationSchema>;

export async function selectReservations(q: Queryable, where: string, params: unknown[], suffix = ''): Promise<ReservationRow[]> {
  const r = await q.query<DbRow>(`SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE ${where} ${suffix}`, params);
  return r.rows.map(fromDb);
}

/** One reservation by id, unlocked (lock it through locks.ts). */
export async function loadReservation(q: Queryable, reservationId: string): Promise<ReservationRow | null> {
  const rows = await selectReservations(q, 'reservation_id = $1', [reservationId]);
  return rows[0] ?? null;
}

export interface TransitionOptions {
  reason: string | null;
  /** New lines (a pick records what was found). */
  lines?: ReservationLine[];
  reroutedTo?: string;
  /** Send the order system an exception besides the status change (R4 with no reroute, R5). */
  exception?: string;
  webhook: boolean;
  /** The store event this transition takes effect for, recorded as the reservation's pick or handover. */
  pickEventId?: string;
  pickupEventId?: string;
}

/**
 * Move a reservation to `to` inside the caller's transaction: row, history, the reserved units it holds per sku
 * (the caller has locked those inventory rows), and the order-system webhook in the same commit (outbox).
 * `to === row.status` records only line changes and exceptions (R5 on a reservation already closed).
 */
export async function writeTransition(tx: Queryable, row: ReservationRow, to: ReservationStatus, o: TransitionOptions): Promise<ReservationRow> {
  const lines = o.lines ?? row.lines;
  const version = row.version + 1;
  const delta = heldDelta(row, { status: to, lines });
  if (delta.size > 0) {
    await tx.query(
      `UPDATE inventory i SET reserved = i.reserved + d.q, updated_at = now()
       FROM unnest($2::text[], $3::int4[]) AS d(k, q) WHERE i.store_id = $1 AND i.sku = d.k`,
      [row.storeId, [...delta.keys()], [...delta.values()]],
    );
  }
  const updated = await tx.query<{ updated_at: Date }>(
    `UPDATE reservations SET status = $3, lines = $4::jsonb, version = $5, rerouted_to = COALESCE($6, rerouted_to),
       reroute_tried = CASE WHEN $3 = 'at_risk' AND status <> 'at_risk' THEN false ELSE reroute_tried END,
       pick_event_id = COALESCE(pick_event_id, $7::uuid), pickup_event_id = COALESCE(pickup_event_id, $8::uuid), updated_at = now()
     WHERE store_id = $1 AND reservation_id = $2 RETURNING updated_at`,
    [row.storeId, row.reservationId, to, JSON.stringify(lines), version, o.reroutedTo ?? null, o.pickEventId ?? null, o.pickupEventId ?? null],
  );
  const at = updated.rows[0]!.updated_at;
  const next: ReservationRow = {
    ...row,
    status: to,
    lines,
    version,
    updatedAt: at,
    reroutedTo: o.reroutedTo ?? row.reroutedTo,
    pickEventId: row.pickEventId ?? o.pickEventId ?? null,
    pickupEventId: row.pickupEventId ?? o.pickupEventId ?? null,
  };
  if (to !== row.status) {
    await tx.query(
      `INSERT INTO reservation_transitions (store_id, reservation_id, version, from_status, to_status, reason, correlation_id, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [row.storeId, row.reservationId, version, row.status, to, o.reason, row.correlationId, at],
    );
    if (o.webhook) await enqueueWebhook(tx, next, { type: 'reservation.status_changed', previousStatus: row.status, reason: o.reason, at });
  }
  if (o.webhook && o.exception) {
    await enqueueWebhook(tx, next, { type: 'reservation.exception', previousStatus: row.status, reason: o.exception, at });
  }
  return next;
}

/** Record the store event whose handover took effect, where no transition does (a pickup central did not expect). */
export async function recordPickupEvent(tx: Queryable, row: ReservationRow, eventId: string): Promise<void> {
  await tx.query('UPDATE reservations SET pickup_event_id = COALESCE(pickup_event_id, $3::uuid) WHERE store_id = $1 AND reservation_id = $2', [row.storeId, row.reservationId, eventId]);
}

/** The API view: the row plus its history. */
export async function viewOf(q: Queryable, row: ReservationRow): Promise<ReservationView> {
  const h = await q.query<{ version: number; from_status: ReservationStatus | null; to_status: ReservationStatus; reason: string | null; at: Date; correlation_id: string }>(
    `SELECT version, from_status, to_status, reason, at, correlation_id FROM reservation_transitions
     WHERE store_id = $1 AND reservation_id = $2 ORDER BY version`,
    [row.storeId, row.reservationId],
  );
  return {
    ...summaryOf(row),
    history: h.rows.map((t) => ({ version: t.version, from: t.from_status, to: t.to_status, reason: t.reason, at: t.at.toISOString(), correlationId: t.correlation_id })),
  };
}

export function summaryOf(row: ReservationRow): Omit<ReservationView, 'history'> {
  return {
    reservationId: row.reservationId,
    orderId: row.orderId,
    storeId: row.storeId,
    status: row.status,
    lines: row.lines,
    allowReroute: row.allowReroute,
    expiresAt: row.expiresAt.toISOString(),
    reroutedFrom: row.reroutedFrom,
    reroutedTo: row.reroutedTo,
    correlationId: row.correlationId,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
