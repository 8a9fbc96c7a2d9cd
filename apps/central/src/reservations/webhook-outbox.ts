import type { centralApi, ReservationStatus } from '@outpost/shared';
import type { z } from 'zod';
import { AppError, notFound, type Queryable, toNumber } from '../platform/index.js';
import type { ReservationRow } from './reservation-row.js';

// The order-system webhook as a transactional outbox: a delivery row is written in the transaction that changes
// the reservation, so a committed change is always announced and a rolled-back one never is.

type Delivery = z.infer<typeof centralApi.webhookDeliverySchema>;
type ReservationWebhookBody = centralApi.ReservationWebhookBody;

export async function enqueueWebhook(
  tx: Queryable,
  row: ReservationRow,
  e: { type: ReservationWebhookBody['type']; previousStatus: ReservationStatus | null; reason: string | null; at: Date },
): Promise<void> {
  // One key per (reservation, version, kind): a transition is announced once however often it is delivered.
  const idempotencyKey = `${row.reservationId}:v${row.version}${e.type === 'reservation.exception' ? ':exception' : ''}`;
  const body: ReservationWebhookBody = {
    type: e.type,
    idempotencyKey,
    reservationId: row.reservationId,
    orderId: row.orderId,
    storeId: row.storeId,
    status: row.status,
    previousStatus: e.previousStatus,
    reason: e.reason,
    lines: row.lines,
    reroutedTo: row.reroutedTo,
    reroutedFrom: row.reroutedFrom,
    at: e.at.toISOString(),
    correlationId: row.correlationId,
  };
  await tx.query(
    `INSERT INTO webhook_deliveries (store_id, reservation_id, idempotency_key, body) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`,
    [row.storeId, row.reservationId, idempotencyKey, JSON.stringify(body)],
  );
}

export interface DueDelivery {
  id: number;
  idempotencyKey: string;
  body: ReservationWebhookBody;
  attempts: number;
}

/**
 * Claim due deliveries (SKIP LOCKED: several central nodes share the work). A reservation's deliveries go out in
 * order: one waits while an older one of the same reservation is still pending or retrying. The claim pushes
 * next_attempt_at ahead by the lease, so a node that dies mid-delivery leaves it to be retried, not lost.
 */
export async function claimDue(q: Queryable, limit: number, leaseMs: number): Promise<DueDelivery[]> {
  const r = await q.query<{ id: string; idempotency_key: string; body: ReservationWebhookBody; attempts: number }>(
    `UPDATE webhook_deliveries d SET next_attempt_at = now() + ($2::int * interval '1 millisecond')
     WHERE d.id IN (
       SELECT w.id FROM webhook_deliveries w
       WHERE w.status IN ('pending', 'retrying') AND w.next_attempt_at <= now()
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries o WHERE o.reservation_id = w.reservation_id AND o.id < w.id AND o.status IN ('pending', 'retrying'))
       ORDER BY w.id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING d.id, d.idempotency_key, d.body, d.attempts`,
    [limit, leaseMs],
  );
  return r.rows.map((d) => ({ id: toNumber(d.id), idempotencyKey: d.idempotency_key, body: d.body, attempts: d.attempts })).sort((a, b) => a.id - b.id);
}

export async function markDelivered(q: Queryable, id: number): Promise<void> {
  await q.query(`UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = now(), last_error = NULL WHERE id = $1`, [id]);
}

/** A failed attempt: retry after `delayMs`, or `failed` once attempts reach the limit. */
export async function markFailedAttempt(q: Queryable, id: number, error: string, delayMs: number, maxAttempts: number): Promise<void> {
  await q.query(
    `UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = $2,
       status = CASE WHEN attempts + 1 >= $4 THEN 'failed' ELSE 'retrying' END,
       next_attempt_at = now() + ($3::int * interval '1 millisecond')
     WHERE id = $1`,
    [id, error.slice(0, 1000), delayMs, maxAttempts],
  );
}

interface DeliveryRow {
  id: string;
  idempotency_key: string;
  reservation_id: string;
  store_id: string;
  status: Delivery['status'];
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  body: ReservationWebhookBody;
}

const toDelivery = (d: DeliveryRow): Delivery => ({
  id: String(d.id),
  idempotencyKey: d.idempotency_key,
  reservationId: d.reservation_id,
  storeId: d.store_id,
  status: d.status,
  attempts: d.attempts,
  nextAttemptAt: d.status === 'pending' || d.status === 'retrying' ? d.next_attempt_at.toISOString() : null,
  lastError: d.last_error,
  createdAt: d.created_at.toISOString(),
  deliveredAt: d.delivered_at?.toISOString() ?? null,
  body: d.body,
});

const COLS = 'id, idempotency_key, reservation_id, store_id, status, attempts, next_attempt_at, last_error, created_at, delivered_at, body';

export async function listDeliveries(
  q: Queryable,
  f: { status?: Delivery['status'] | undefined; reservationId?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: Delivery[]; next: string | null }> {
  const r = await q.query<DeliveryRow>(
    `SELECT ${COLS} FROM webhook_deliveries
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR reservation_id = $2) AND id > $3::int8
     ORDER BY id LIMIT $4`,
    [f.status ?? null, f.reservationId ?? null, f.after ?? '0', f.limit],
  );
  return { items: r.rows.map(toDelivery), next: r.rows.length === f.limit ? String(r.rows.at(-1)!.id) : null };
}

/** Send a failed delivery again (after the receiver was fixed): back to pending with a fresh set of attempts. */
export async function replayDelivery(q: Queryable, id: string): Promise<Delivery> {
  const r = await q.query<DeliveryRow>(
    `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now() WHERE id = $1 AND status = 'failed' RETURNING ${COLS}`,
    [id],
  );
  const row = r.rows[0];
  if (row) return toDelivery(row);
  const cur = await q.query<{ status: string }>('SELECT status FROM webhook_deliveries WHERE id = $1', [id]);
  if (!cur.rows[0]) throw notFound(`webhook delivery ${id}`, { id });
  throw new AppError(409, 'invalid_state', `delivery ${id} is ${cur.rows[0].status}; only failed deliveries are replayed`, { status: cur.rows[0].status });
}
