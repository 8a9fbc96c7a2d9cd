import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { EVENT_COLUMNS, type EventRow, storedEventOf } from '../sync/index.js';

const INT8_MAX = 9_223_372_036_854_775_807n;

type StoredEvent = z.infer<typeof centralApi.storedEventSchema>;

/**
 * A store's events newest first, for the console's store page: what just happened is what central IT looks for.
 * Walks the (store_id, position) index backwards; `next` is the last position shown, `after` continues below it.
 */
export async function storeTimeline(
  pool: pg.Pool,
  q: { storeId: string; after?: string | undefined; limit: number },
): Promise<{ items: StoredEvent[]; next: string | null }> {
  const r = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS}
     FROM events WHERE store_id = $1 AND ($2::int8 IS NULL OR position < $2::int8)
     ORDER BY position DESC LIMIT $3`,
    // A cursor beyond any bigint has every event below it: no bound (and no failed cast).
    [q.storeId, q.after === undefined || BigInt(q.after) > INT8_MAX ? null : q.after, q.limit],
  );
  const items = r.rows.map(storedEventOf);
  return { items, next: r.rows.length === q.limit ? r.rows.at(-1)!.position : null };
}
