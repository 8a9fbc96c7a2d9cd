import type pg from 'pg';
import { refusal, type BatchAck, type EventEnvelope, type SyncLimits } from '@outpost/shared';
import { checkBatchBounds, checkSeq, classifyBatch, decodeBatchEvents, nextStoredSeq, type Connection, type QuarantineEntry } from './batch-rules.js';
import { CommandNotices } from './command-stream.js';
import { toNumber } from './db/database.js';
import { applyEventEffects } from './event-effects.js';
import { writePostings } from './erp/outbox.js';
import { isEventFailure, storeEventByEvent, type StoredPart } from './ingest-fallback.js';
import type { Faults } from './faults.js';
import { defaultReservationSettings, type ReservationSettings } from './reservations/settings.js';

export interface IngestDeps {
  pool: pg.Pool;
  limits: SyncLimits;
  faults: Faults;
  log: { error(obj: object, msg: string): void };
  /** Apply inventory and conflict rules in the ingest transaction (default true; false only to measure ingest alone). */
  inventory?: boolean;
  /** How reservation rules run (webhook on or off, safety stock); defaults when absent. */
  reservations?: ReservationSettings;
  /** Told about every committed batch (metrics, logs); called after COMMIT, never allowed to fail the batch. */
  observer?: IngestObserver;
  /** Write the ERP postings of the batch in its transaction (default true; false only to measure ingest alone). */
  erp?: boolean;
}

/** What one committed batch did, for whoever watches ingest (metrics, logs). */
export interface CommittedBatch {
  conn: Connection;
  firstSeq: number;
  /** Events actually inserted (duplicates left out). */
  inserted: readonly EventEnvelope[];
  quarantined: readonly QuarantineEntry[];
  duplicates: number;
  /** From taking a connection to COMMIT. */
  seconds: number;
  /** ERP postings the batch wrote (0 when it wrote none: the ERP worker need not be woken). */
  postings?: number;
}

export interface IngestObserver {
  committed(batch: CommittedBatch): void;
  /** A batch answered with a refusal (nothing stored), by refusal code. */
  refused?(conn: Connection, code: string): void;
}

export interface BatchInput {
  firstSeq: number;
  count: number;
  events: Uint8Array;
}

export type DeviceRevoked = { revoked: true };

/** A failure while storing the valid events themselves (not while locking the device or committing). */
class EventFailure extends Error {
  constructor(override readonly cause: unknown) {
    super('storing the events failed');
  }
}

// One statement per batch (PERF.md: INSERT ... SELECT unnest(arrays) is the fast path). Duplicates by event id or
// by (device, seq) are skipped by ON CONFLICT DO NOTHING; RETURNING names the rows actually inserted, so only those
// take effect on inventory (R1).
const INSERT_EVENTS = `
  INSERT INTO events (store_id, event_id, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
  SELECT s, e, d, q, t, v, h, o, c, p::jsonb
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int8[], $5::text[], $6::int4[], $7::text[], $8::timestamptz[], $9::text[], $10::text[])
    AS u(s, e, d, q, t, v, h, o, c, p)
  ON CONFLICT DO NOTHING
  RETURNING event_id`;

const INSERT_QUARANTINE = `
  INSERT INTO quarantine (store_id, device_id, seq, event_id, raw, error)
  SELECT $1, $2, q, e, r, m FROM unnest($3::int8[], $4::uuid[], $5::text[], $6::text[]) AS u(q, e, r, m)`;

/** Insert the events; answers those actually inserted (duplicates left out). */
async function insertEvents(client: pg.PoolClient, conn: Connection, events: EventEnvelope[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const cols: unknown[][] = [[], [], [], [], [], [], [], [], [], []];
  for (const ev of events) {
    cols[0]!.push(conn.storeId);
    cols[1]!.push(ev.eventId);
    cols[2]!.push(conn.deviceId);
    cols[3]!.push(ev.seq);
    cols[4]!.push(ev.type);
    cols[5]!.push(ev.schemaVersion);
    cols[6]!.push(ev.hlc);
    cols[7]!.push(ev.occurredAt);
    cols[8]!.push(ev.correlationId);
    cols[9]!.push(JSON.stringify(ev.payload));
  }
  const r = await client.query<{ event_id: string }>(INSERT_EVENTS, cols);
  if (r.rows.length === events.length) return events;
  // An id twice in one batch is inserted once: the first occurrence takes effect, the repeat is a duplicate.
  const ids = new Set(r.rows.map((row) => row.event_id));
  return events.filter((ev) => ids.delete(ev.eventId.toLowerCase()));
}

async function insertQuarantine(client: pg.PoolClient, conn: Connection, entries: QuarantineEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await client.query(INSERT_QUARANTINE, [
    conn.storeId,
    conn.deviceId,
    entries.map((q) => q.seq),
    entries.map((q) => q.eventId),
    entries.map((q) => q.raw),
    entries.map((q) => q.error),
  ]);
}

/**
 * Store one batch of a device in ONE transaction and answer the ack (sent by the caller only after this
 * resolves, i.e. after COMMIT). The device row lock serialises a device's stream across connections and nodes.
 * Returns `{revoked: true}` when the device lost its token meanwhile (the caller disconnects it).
 */
export async function ingestBatch(deps: IngestDeps, conn: Connection, batch: BatchInput): Promise<BatchAck | DeviceRevoked> {
  const bounds = checkBatchBounds(batch.events.byteLength, batch.count, deps.limits);
  if (bounds) return bounds;
  const decoded = decodeBatchEvents(batch.events, batch.count);
  if (!decoded.ok) return decoded.refusal;
  const first = await ingestOnce(deps, conn, batch, decoded.elements, 'together');
  // Storing the events together failed because of one of them: run the batch again, event by event, so that one
  // is quarantined with the database's reason and the others are stored (ingest-fallback.ts).
  if (first !== EVENT_FAILURE) return first;
  const second = await ingestOnce(deps, conn, batch, decoded.elements, 'one-by-one');
  // One by one never answers EVENT_FAILURE (a failing event is quarantined there); the check satisfies the type.
  return second === EVENT_FAILURE ? refusal('internal', 'central failed to store the batch; nothing was stored, send it again') : second;
}

const EVENT_FAILURE = Symbol('event failure');

async function ingestOnce(
  deps: IngestDeps,
  conn: Connection,
  batch: BatchInput,
  elements: unknown[],
  mode: 'together' | 'one-by-one',
): Promise<BatchAck | DeviceRevoked | typeof EVENT_FAILURE> {
  const started = process.hrtime.bigint();
  let client: pg.PoolClient;
  try {
    client = await deps.pool.connect();
  } catch (err) {
    deps.log.error({ err, deviceId: conn.deviceId }, 'ingest: no database connection');
    return refusal('internal', 'central could not reach its database; nothing was stored');
  }
  // A client whose transaction failed mid-way may be broken: destroy it rather than hand it back to the pool.
  let broken: Error | undefined;
  const notices = new CommandNotices();
  try {
    await client.query('BEGIN');
    const dev = await client.query<{ stored_seq: string; revoked_at: Date | null }>(
      'SELECT stored_seq, revoked_at FROM devices WHERE device_id = $1 AND store_id = $2 FOR UPDATE',
      [conn.deviceId, conn.storeId],
    );
    const row = dev.rows[0];
    if (!row || row.revoked_at !== null) {
      await client.query('ROLLBACK');
      return { revoked: true };
    }
    const storedSeq = toNumber(row.stored_seq);
    const seq = checkSeq(batch.firstSeq, batch.count, storedSeq);
    if (!seq.ok) {
      await client.query('ROLLBACK');
      return refusal('seq_gap', `batch starts at seq ${batch.firstSeq} but central expects ${seq.expectedSeq}`, { expectedSeq: seq.expectedSeq });
    }
    const classified = classifyBatch(elements, batch.firstSeq, seq.skip, conn);
    if (classified.kind === 'wrong_store') {
      await client.query('ROLLBACK');
      return refusal('wrong_store', `${classified.message}; nothing of this batch was stored`, { seq: classified.seq });
    }
    const store = async (events: EventEnvelope[]): Promise<StoredPart> => {
      const inserted = await insertEvents(client, conn, events);
      if (deps.inventory !== false) await applyEventEffects(client, conn.storeId, inserted, deps.reservations ?? defaultReservationSettings(), notices);
      // ERP outbox (DESIGN §6) after the merge, so a count's posting carries the variance the merge just recorded.
      const postings = deps.erp === false ? 0 : await writePostings(client, conn.storeId, inserted);
      return { inserted, postings };
    };
    let quarantined = classified.quarantined;
    let stored: StoredPart;
    if (mode === 'together') {
      stored = await store(classified.valid).catch((err: unknown) => {
        throw new EventFailure(err);
      });
    } else {
      const each = await storeEventByEvent(client, classified.valid, store);
      stored = each;
      quarantined = [...quarantined, ...each.failed].sort((a, b) => a.seq - b.seq);
    }
    const { inserted, postings } = stored;
    await insertQuarantine(client, conn, quarantined);
    const newStoredSeq = nextStoredSeq(batch.firstSeq, batch.count, storedSeq);
    await client.query('UPDATE devices SET stored_seq = GREATEST(stored_seq, $2), last_seen_at = now() WHERE device_id = $1', [
      conn.deviceId,
      newStoredSeq,
    ]);
    deps.faults.beforeCommit();
    await client.query('COMMIT');
    // R5 restock tasks appended by the rules: announced now that they are committed.
    await notices.send(client, (err) => deps.log.error({ err, deviceId: conn.deviceId }, 'could not announce new commands; the periodic re-check will push them'));
    const duplicates = seq.skip + (classified.valid.length - inserted.length - (quarantined.length - classified.quarantined.length));
    try {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.observer?.committed({ conn, firstSeq: batch.firstSeq, inserted, quarantined, duplicates, seconds, postings });
    } catch (err) {
      // Committed is committed: a failing observer must not turn the ack into "nothing was stored".
      deps.log.error({ err, deviceId: conn.deviceId }, 'ingest observer failed');
    }
    return { ok: true, storedSeq: newStoredSeq, stored: inserted.length, duplicates, quarantined: quarantined.length };
  } catch (caught) {
    const err = caught instanceof EventFailure ? caught.cause : caught;
    await client.query('ROLLBACK').catch((e: unknown) => {
      broken = e instanceof Error ? e : new Error(String(e));
    });
    // Only with a connection that rolled back cleanly: a broken one says nothing about the events.
    if (caught instanceof EventFailure && !broken && isEventFailure(err)) {
      deps.log.error({ err, deviceId: conn.deviceId, firstSeq: batch.firstSeq, count: batch.count }, 'ingest failed on an event; storing the batch event by event');
      return EVENT_FAILURE;
    }
    deps.log.error({ err, deviceId: conn.deviceId, firstSeq: batch.firstSeq, count: batch.count }, 'ingest failed; batch rolled back');
    return refusal('internal', 'central failed to store the batch; nothing was stored, send it again');
  } finally {
    client.release(broken);
  }
}
