import type pg from 'pg';
import type { z } from 'zod';
import { parseEvent, type centralApi } from '@outpost/shared';
import { AppError, cursorParam, notFound, toIso, toNumber } from '../platform/index.js';
import { unstorableReason } from './batch-rules.js';
import { failureReason, isEventFailure } from './ingest-fallback.js';
import { withCommands } from '../commands/index.js';
import { storeEvents } from './event-effects.js';
import type { ReservationSettings } from '../reservations/index.js';

type QuarantineItem = z.infer<typeof centralApi.quarantineItemSchema>;

interface Row {
  id: string;
  store_id: string;
  device_id: string;
  seq: string;
  event_id: string | null;
  raw: string;
  error: string;
  received_at: Date;
  status: 'open' | 'replayed';
  replayed_at: Date | null;
}

function parseRaw(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw; // kept verbatim: the console shows what arrived
  }
}

export async function listQuarantine(
  pool: pg.Pool,
  q: { storeId?: string | undefined; status?: 'open' | 'replayed' | undefined; after?: string | undefined; limit: number },
): Promise<{ items: QuarantineItem[]; next: string | null }> {
  const after = cursorParam(q.after);
  if (after === null) return { items: [], next: null };
  const r = await pool.query<Row>(
    `SELECT id, store_id, device_id, seq, event_id, raw, error, received_at, status, replayed_at FROM quarantine
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR status = $2) AND id > $3::int8
     ORDER BY id LIMIT $4`,
    [q.storeId ?? null, q.status ?? null, after, q.limit],
  );
  const items = r.rows.map((x) => ({
    id: String(x.id),
    storeId: x.store_id,
    deviceId: x.device_id,
    seq: toNumber(x.seq),
    eventId: x.event_id,
    error: x.error,
    raw: parseRaw(x.raw),
    receivedAt: x.received_at.toISOString(),
    status: x.status,
    replayedAt: toIso(x.replayed_at),
  }));
  return { items, next: r.rows.length === q.limit ? String(r.rows.at(-1)!.id) : null };
}

/**
 * Re-validate a quarantined event with today's schemas. Valid now (e.g. central learned a newer schema version)
 * -> stored as an event, with the same effects as if it had arrived valid (inventory, conflicts, reservations,
 * its ERP posting: docs/protocol.md), and marked replayed; still invalid -> 422, stays open.
 */
export async function replayQuarantine(pool: pg.Pool, id: string, reservations: ReservationSettings): Promise<{ id: string; status: 'replayed'; eventId: string }> {
  return withCommands(pool, async (tx, notices) => {
    const r = await tx.query<Row>('SELECT * FROM quarantine WHERE id = $1 FOR UPDATE', [id]);
    const row = r.rows[0];
    if (!row) throw notFound(`quarantine item ${id}`, { id });
    if (row.status === 'replayed') throw new AppError(409, 'already_replayed', `quarantine item ${id} was already replayed`, { id });
    const parsed = parseEvent(parseRaw(row.raw));
    if (!parsed.ok) throw new AppError(422, 'still_invalid', `the event is still invalid: ${parsed.error}`, { issues: parsed.issues });
    const ev = parsed.value;
    const unstorable = unstorableReason(ev);
    if (unstorable) throw new AppError(422, 'still_invalid', `the event is still invalid: ${unstorable}`);
    const seq = toNumber(row.seq);
    if (ev.storeId !== row.store_id || ev.deviceId !== row.device_id || ev.seq !== seq) {
      throw new AppError(422, 'still_invalid', `the event claims store ${ev.storeId}, device ${ev.deviceId}, seq ${ev.seq}; it arrived as seq ${seq} of device ${row.device_id} of store ${row.store_id}`);
    }
    // The (device, seq) key includes the partition month, so it no longer refuses an event of ANOTHER month at a
    // taken seq: look for the slot's holder in every partition first. Ingest never inserts at a quarantined seq
    // (it is at or below the device's stored_seq), so nothing can take the slot between this read and the insert.
    const held = await tx.query<{ event_id: string }>('SELECT event_id::text AS event_id FROM events WHERE store_id = $1 AND device_id = $2 AND seq = $3 LIMIT 1', [ev.storeId, ev.deviceId, ev.seq]);
    const holder = held.rows[0]?.event_id;
    if (holder !== undefined && holder !== ev.eventId.toLowerCase()) {
      // Marking it replayed would let it leave quarantine without being stored: it stays open, and says why.
      throw new AppError(409, 'seq_taken', `seq ${ev.seq} of device ${ev.deviceId} is held by another stored event (${holder}); this one stays in quarantine`, { seq: ev.seq, storedEventId: holder });
    }
    if (holder === undefined) {
      let inserted: readonly unknown[];
      try {
        // The same code as ingest (event-effects.ts): only an event actually stored now takes effect.
        ({ inserted } = await storeEvents(tx, ev.storeId, ev.deviceId, [ev], { inventory: true, erp: true, reservations }, notices));
      } catch (err) {
        // An event ingest quarantined because the database refused it: refused again, it stays open (422 with the
        // reason, the transaction rolled back), not a 500.
        if (isEventFailure(err)) throw new AppError(422, 'still_invalid', `the event still cannot be stored: ${failureReason(err)}`);
        throw err;
      }
      // Not inserted with its seq free: its event id is taken by another event of the store (an id reused at
      // another seq). Same rule: it stays open rather than leave quarantine unstored.
      if (inserted.length === 0) {
        throw new AppError(409, 'event_id_taken', `event id ${ev.eventId} is already stored at another seq of store ${ev.storeId}; this one stays in quarantine`, { eventId: ev.eventId });
      }
    }
    // holder === this event's id: it is stored already (at this very seq), so replayed is the truth.
    await tx.query(`UPDATE quarantine SET status = 'replayed', replayed_at = now() WHERE id = $1`, [id]);
    return { id: String(row.id), status: 'replayed' as const, eventId: ev.eventId };
  });
}
