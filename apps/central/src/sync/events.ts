import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { cursorParam, toNumber } from '../platform/index.js';

type StoredEvent = z.infer<typeof centralApi.storedEventSchema>;

/** An events row as selected by EVENT_COLUMNS. */
export interface EventRow {
  position: string;
  store_id: string;
  event_id: string;
  device_id: string;
  seq: string;
  type: string;
  schema_version: number;
  hlc: string;
  occurred_at: Date;
  correlation_id: string;
  payload: unknown;
  received_at: Date;
}

export const EVENT_COLUMNS = 'position, store_id, event_id, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload, received_at';

/** The §10 shape of a stored event (the envelope plus receivedAt). */
export function storedEventOf(e: EventRow): StoredEvent {
  return {
    eventId: e.event_id,
    storeId: e.store_id,
    deviceId: e.device_id,
    seq: toNumber(e.seq),
    hlc: e.hlc,
    occurredAt: e.occurred_at.toISOString(),
    type: e.type,
    schemaVersion: e.schema_version,
    correlationId: e.correlation_id,
    payload: e.payload,
    receivedAt: e.received_at.toISOString(),
  };
}

/** GET /events: envelopes plus receivedAt, in arrival order; `next` is the last position when the page is full. */
export async function listEvents(
  pool: pg.Pool,
  q: { storeId?: string | undefined; type?: string | undefined; documentId?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: StoredEvent[]; next: string | null }> {
  const after = cursorParam(q.after);
  if (after === null) return { items: [], next: null };
  const r = await pool.query<EventRow>(
    `SELECT ${EVENT_COLUMNS}
     FROM events
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR type = $2) AND position > $3::int8
       AND ($5::text IS NULL OR payload->>'transactionId' = $5 OR payload->>'returnId' = $5 OR payload->>'countId' = $5)
     ORDER BY position LIMIT $4`,
    [q.storeId ?? null, q.type ?? null, after, q.limit, q.documentId ?? null],
  );
  const items = r.rows.map(storedEventOf);
  const next = r.rows.length === q.limit ? r.rows.at(-1)!.position : null;
  return { items, next };
}
