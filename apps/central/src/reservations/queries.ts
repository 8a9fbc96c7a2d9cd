import type pg from 'pg';
import type { ReservationStatus } from '@outpost/shared';
import { selectReservations, summaryOf } from './reservation-store.js';

/** GET /reservations: by id position, so a page never skips or repeats; `next` is the last id of a full page. */
export async function listReservations(
  pool: pg.Pool,
  q: { storeId?: string | undefined; orderId?: string | undefined; status?: ReservationStatus | undefined; after?: string | undefined; limit: number },
) {
  const rows = await selectReservations(
    pool,
    `($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR order_id = $2) AND ($3::text IS NULL OR status = $3) AND id > $4::int8`,
    [q.storeId ?? null, q.orderId ?? null, q.status ?? null, q.after ?? '0'],
    `ORDER BY id LIMIT ${Number(q.limit)}`,
  );
  return { items: rows.map(summaryOf), next: rows.length === q.limit ? String(rows.at(-1)!.id) : null };
}
