import type pg from 'pg';
import { canTransition } from '@outpost/shared';
import { AppError, notFound, type Queryable, withTransaction } from '../platform/index.js';
import { appendCommand, type CommandNotices, withCommands } from '../commands/index.js';
import { loadReservation, selectReservations, writeTransition } from './reservation-store.js';
import type { ReservationRow } from './reservation-row.js';
import { lockReservation } from './locks.js';
import type { ReservationSettings } from './settings.js';

// Transitions decided at central: cancel (order system), expire (sweeper), delivered (the store's ack).

/**
 * Close an open reservation (cancelled or expired) and tell the store with reservation.cancelled. Takes the
 * locks in the house order (locks.ts), re-reading its status under lock.
 * Answers null when the reservation was no longer open by then.
 */
export async function closeReservation(
  tx: Queryable,
  notices: CommandNotices,
  s: ReservationSettings,
  reservationId: string,
  to: 'cancelled' | 'expired',
  reason: string,
  extra: { reroutedTo?: string; exception?: string } = {},
): Promise<ReservationRow | null> {
  const peek = await loadReservation(tx, reservationId);
  if (!peek) return null;
  const row = await lockReservation(tx, peek);
  if (!row || !canTransition(row.status, to)) return null;
  const next = await writeTransition(tx, row, to, { reason, webhook: s.webhook !== null, ...extra });
  await appendCommand(tx, notices, row.storeId, 'reservation.cancelled', { reservationId, reason: to === 'expired' ? 'expired' : reason }, row.correlationId);
  return next;
}

/** POST /reservations/:id/cancel. Cancelling a cancelled reservation answers it again; a closed one is a 409. */
export async function cancelReservation(pool: pg.Pool, s: ReservationSettings, reservationId: string, reason: string | undefined): Promise<ReservationRow> {
  return withCommands(pool, async (tx, notices) => {
    const closed = await closeReservation(tx, notices, s, reservationId, 'cancelled', reason ?? 'cancelled by the order system');
    if (closed) return closed;
    const row = await loadReservation(tx, reservationId);
    if (!row) throw notFound(`reservation ${reservationId}`, { reservationId });
    if (row.status === 'cancelled') return row;
    throw new AppError(409, 'invalid_state', `reservation ${reservationId} is ${row.status} and can no longer be cancelled`, { status: row.status });
  });
}

/** Expire open reservations past their expiresAt, a page at a time; answers how many it expired. */
export async function expireDue(pool: pg.Pool, s: ReservationSettings, limit = 100): Promise<number> {
  const due = await selectReservations(
    pool,
    `status IN ('requested', 'delivered', 'at_risk', 'picked', 'short_picked') AND expires_at <= now()`,
    [],
    `ORDER BY expires_at LIMIT ${Number(limit)}`,
  );
  let n = 0;
  for (const r of due) {
    const done = await withCommands(pool, (tx, notices) => closeReservation(tx, notices, s, r.reservationId, 'expired', `not collected by ${r.expiresAt.toISOString()}`));
    if (done) n++;
  }
  return n;
}

/**
 * The store acked its command stream up to `appliedSeq`: reservations whose reservation.created is at or
 * before it are delivered. Holding nothing new, this needs no inventory lock; SKIP LOCKED lets a concurrent
 * pick (which locks the row) go first, and the pick's own transition covers the delivery.
 */
export async function markDeliveredUpTo(pool: pg.Pool, s: ReservationSettings, storeId: string, appliedSeq: number): Promise<number> {
  return withTransaction(pool, async (tx) => {
    // Derived state: a crash that loses this commit is repaired from devices.applied_command_seq by the sweeper
    // (catchUpDelivered), so it need not wait for its own disk flush on every ack.
    await tx.query('SET LOCAL synchronous_commit TO OFF');
    const rows = await selectReservations(
      tx,
      `store_id = $1 AND status = 'requested' AND command_seq <= $2`,
      [storeId, appliedSeq],
      'ORDER BY command_seq FOR UPDATE SKIP LOCKED',
    );
    for (const r of rows) await writeTransition(tx, r, 'delivered', { reason: `store acked command ${r.commandSeq}`, webhook: s.webhook !== null });
    return rows.length;
  });
}

