import type pg from 'pg';
import { available, uuidv7, type ReservationLine } from '@outpost/shared';
import { AppError, notFound, type Queryable, toNumber } from '../platform/index.js';
import { appendCommand, type CommandNotices, withCommands } from '../commands/index.js';
import { selectReservations } from './reservation-store.js';
import type { ReservationRow } from './reservation-row.js';
import type { ReservationSettings } from './settings.js';
import { enqueueWebhook } from './webhook-outbox.js';

export interface ReserveInput {
  orderId: string;
  storeId: string;
  lines: { sku: string; qty: number }[];
  expiresAt?: string | undefined;
  allowReroute?: boolean | undefined;
  correlationId?: string | undefined;
  /** Set when R4 moves a reservation here from another store. */
  reroutedFrom?: string;
}

export type ReserveResult =
  | { kind: 'created'; row: ReservationRow }
  /** The order already holds an open reservation in this store with the same lines: the first answer again. */
  | { kind: 'existing'; row: ReservationRow }
  | { kind: 'unavailable'; available: { sku: string; requested: number; available: number }[] };

const OPEN = `status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked')`;

const sameLines = (a: readonly { sku: string; qty: number }[], b: readonly ReservationLine[]) =>
  a.length === b.length && a.every((l) => b.some((x) => x.sku === l.sku && x.qty === l.qty));

/**
 * Grant a reservation atomically against central's available stock (R4), inside the caller's transaction: the
 * skus' inventory rows are locked first, so concurrent requests for the last units queue on those rows and
 * each sees what the previous one took. Granting appends the reservation.created command in the same commit.
 */
export async function reserveInTx(tx: Queryable, notices: CommandNotices, s: ReservationSettings, input: ReserveInput, now: Date): Promise<ReserveResult> {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : new Date(now.getTime() + s.defaultHoldMs);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new AppError(400, 'validation_failed', 'expiresAt must be in the future', { expiresAt: expiresAt.toISOString() });
  }
  const skus = input.lines.map((l) => l.sku);
  // Lock and read in one statement, in the house order (locks.ts: stock rows by sku byte order; a grant locks no
  // reservation rows). An sku without an inventory row has nothing to give and needs no lock: the request is
  // refused for it anyway.
  const stock = await tx.query<{ sku: string; on_hand: string; reserved: string }>({
    name: 'outpost-reserve-lock',
    text: 'SELECT sku, on_hand, reserved FROM inventory WHERE store_id = $1 AND sku = ANY($2::text[]) ORDER BY sku COLLATE "C" FOR UPDATE',
    values: [input.storeId, skus],
  });

  const open = await selectReservations(tx, `store_id = $1 AND order_id = $2 AND ${OPEN}`, [input.storeId, input.orderId]);
  const first = open[0];
  if (first) {
    if (sameLines(input.lines, first.lines)) return { kind: 'existing', row: first };
    throw new AppError(409, 'order_already_reserved', `order ${input.orderId} already holds reservation ${first.reservationId} in store ${input.storeId} with other lines; cancel it first`, {
      reservationId: first.reservationId,
    });
  }

  const bySku = new Map(stock.rows.map((r) => [r.sku, available(toNumber(r.on_hand), toNumber(r.reserved), s.safetyStock)]));
  const lines = input.lines.map((l) => ({ sku: l.sku, requested: l.qty, available: bySku.get(l.sku) ?? 0 }));
  if (lines.some((l) => l.available < l.requested)) {
    const store = await tx.query('SELECT 1 FROM stores WHERE store_id = $1', [input.storeId]);
    if (store.rowCount === 0) throw notFound(`store ${input.storeId}`, { storeId: input.storeId });
    return { kind: 'unavailable', available: lines };
  }

  const reservationId = uuidv7();
  const correlationId = input.correlationId ?? uuidv7();
  const cmd = await appendCommand(
    tx,
    notices,
    input.storeId,
    'reservation.created',
    { reservationId, orderId: input.orderId, lines: input.lines, expiresAt: expiresAt.toISOString() },
    correlationId,
  );
  const stored = input.lines.map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: null }));
  const reason = input.reroutedFrom ? `rerouted from ${input.reroutedFrom}` : null;
  // The reservation, the units it holds and its first history entry in one statement.
  const ins = await tx.query<{ id: string }>({
    name: 'outpost-reserve-insert',
    text: `WITH r AS (
       INSERT INTO reservations (store_id, reservation_id, order_id, status, lines, allow_reroute, expires_at, command_seq, rerouted_from, correlation_id, created_at, updated_at)
       VALUES ($1, $2, $3, 'requested', $4::jsonb, $5, $6, $7, $8, $9, $10, $10) RETURNING id),
     held AS (
       UPDATE inventory i SET reserved = i.reserved + d.q, updated_at = now()
       FROM unnest($11::text[], $12::int4[]) AS d(k, q) WHERE i.store_id = $1 AND i.sku = d.k),
     h AS (
       INSERT INTO reservation_transitions (store_id, reservation_id, version, from_status, to_status, reason, correlation_id, at)
       VALUES ($1, $2, 1, NULL, 'requested', $13, $9, $10))
     SELECT id FROM r`,
    values: [
      input.storeId,
      reservationId,
      input.orderId,
      JSON.stringify(stored),
      input.allowReroute ?? false,
      expiresAt,
      cmd.seq,
      input.reroutedFrom ?? null,
      correlationId,
      now,
      skus,
      input.lines.map((l) => l.qty),
      reason,
    ],
  });
  const row: ReservationRow = {
    id: toNumber(ins.rows[0]!.id),
    storeId: input.storeId,
    reservationId,
    orderId: input.orderId,
    status: 'requested',
    lines: stored,
    allowReroute: input.allowReroute ?? false,
    expiresAt,
    commandSeq: cmd.seq,
    version: 1,
    reroutedFrom: input.reroutedFrom ?? null,
    reroutedTo: null,
    rerouteTried: false,
    pickEventId: null,
    pickupEventId: null,
    correlationId,
    createdAt: now,
    updatedAt: now,
  };
  // The order system asked for this one and got the answer; a reroute it did not ask for is announced.
  if (input.reroutedFrom && s.webhook) {
    await enqueueWebhook(tx, row, { type: 'reservation.status_changed', previousStatus: null, reason, at: now });
  }
  return { kind: 'created', row };
}

export async function createReservation(pool: pg.Pool, s: ReservationSettings, input: ReserveInput): Promise<ReserveResult> {
  return withCommands(pool, (tx, notices) => reserveInTx(tx, notices, s, input, new Date()));
}
