import type pg from 'pg';
import { refusal, SEQ_CONFLICT_PROTOCOL_VERSION, type BatchAck, type EventEnvelope, type SyncLimits } from '@outpost/shared';
import { checkBatchBounds, checkSeq, classifyBatch, decodeBatchEvents, nextStoredSeq, type Connection, type QuarantineEntry } from './batch-rules.js';
import { writeConflicts } from '../inventory/index.js';
import { firstResendMismatch, resendMismatchesToQuarantine, restoredDeviceConflict, sortNotInserted, type HeldIds, type StoredAt } from './resend-rules.js';
import { CommandNotices } from '../commands/index.js';
import { type Faults, toNumber } from '../platform/index.js';
import { applyEventEffects } from './event-effects.js';
import { writePostings } from '../erp/index.js';
import { eventMonths } from './event-month.js';
import { isEventFailure, storeEventByEvent, type StoredPart } from './ingest-fallback.js';
import { defaultReservationSettings, type ReservationSettings } from '../reservations/index.js';

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

/** What the connection's hello said: which protocol the agent speaks and the highest seq it had captured. */
export interface Peer {
  protocolVersion: number;
  highestSeq: number;
}

// One statement per batch (PERF.md: INSERT ... SELECT unnest(arrays) is the fast path). Duplicates by event id or
// by (device, seq) are skipped by ON CONFLICT DO NOTHING (event_month, the partition key, is a function of the id:
// docs/sync-identity.md); RETURNING names the rows actually inserted, so only those
// take effect on inventory (R1).
const INSERT_EVENTS = `
  INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
  SELECT s, e, outpost_event_month(e), d, q, t, v, h, o, c, p::jsonb
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int8[], $5::text[], $6::int4[], $7::text[], $8::timestamptz[], $9::text[], $10::text[])
    AS u(s, e, d, q, t, v, h, o, c, p)
  ON CONFLICT DO NOTHING
  RETURNING event_id, seq`;

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
  const r = await client.query<{ event_id: string; seq: string }>(INSERT_EVENTS, cols);
  if (r.rows.length === events.length) return events;
  // An id twice in one batch is inserted once; (id, seq) names which occurrence it was.
  const keys = new Set(r.rows.map((row) => `${row.event_id}@${row.seq}`));
  return events.filter((ev) => keys.has(`${ev.eventId.toLowerCase()}@${ev.seq}`));
}

/** What central holds at seqs from..to of the device: event ids of stored events and of quarantine entries. */
async function heldIds(client: pg.PoolClient, conn: Connection, from: number, to: number): Promise<HeldIds> {
  const r = await client.query<{ seq: string; event_id: string | null }>(
    `SELECT seq, event_id::text AS event_id FROM events WHERE store_id = $1 AND device_id = $2 AND seq BETWEEN $3 AND $4
     UNION ALL
     SELECT seq, event_id::text AS event_id FROM quarantine WHERE store_id = $1 AND device_id = $2 AND seq BETWEEN $3 AND $4`,
    [conn.storeId, conn.deviceId, from, to],
  );
  const held = new Map<number, (string | null)[]>();
  for (const row of r.rows) {
    const seq = toNumber(row.seq);
    held.set(seq, [...(held.get(seq) ?? []), row.event_id]);
  }
  return held;
}

/** Where the given event ids are stored in the store (to tell a true resend from a reused id). */
async function storedAt(client: pg.PoolClient, storeId: string, ids: string[]): Promise<Map<string, StoredAt>> {
  if (ids.length === 0) return new Map();
  const r = await client.query<{ event_id: string; device_id: string; seq: string }>(
    // event_month narrows the look-up to the partitions that can hold these ids.
    'SELECT event_id::text AS event_id, device_id::text AS device_id, seq FROM events WHERE store_id = $1 AND event_id = ANY($2::uuid[]) AND event_month = ANY($3::date[])',
    [storeId, ids, eventMonths(ids)],
  );
  return new Map(r.rows.map((row) => [row.event_id, { deviceId: row.device_id, seq: toNumber(row.seq) }]));
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
export async function ingestBatch(deps: IngestDeps, conn: Connection, batch: BatchInput, peer?: Peer): Promise<BatchAck | DeviceRevoked> {
  const bounds = checkBatchBounds(batch.events.byteLength, batch.count, deps.limits);
  if (bounds) return bounds;
  const decoded = decodeBatchEvents(batch.events, batch.count);
  if (!decoded.ok) return decoded.refusal;
  const first = await ingestOnce(deps, conn, batch, decoded.elements, peer, 'together');
  // Storing the events together failed because of one of them: run the batch again, event by event, so that one
  // is quarantined with the database's reason and the others are stored (ingest-fallback.ts).
  if (first !== EVENT_FAILURE) return first;
  const second = await ingestOnce(deps, conn, batch, decoded.elements, peer, 'one-by-one');
  // One by one never answers EVENT_FAILURE (a failing event is quarantined there); the check satisfies the type.
  return second === EVENT_FAILURE ? refusal('internal', 'central failed to store the batch; nothing was stored, send it again') : second;
}

const EVENT_FAILURE = Symbol('event failure');

async function ingestOnce(
  deps: IngestDeps,
  conn: Connection,
  batch: BatchInput,
  elements: unknown[],
  peer: Peer | undefined,
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
    let resentElsewhere: QuarantineEntry[] = [];
    if (seq.skip > 0) {
      // A resent seq is a duplicate only if it is the same event; otherwise the device was restored or cloned.
      const held = await heldIds(client, conn, batch.firstSeq, batch.firstSeq + seq.skip - 1);
      const renumbers = (peer?.protocolVersion ?? SEQ_CONFLICT_PROTOCOL_VERSION) >= SEQ_CONFLICT_PROTOCOL_VERSION;
      const mismatch = firstResendMismatch(elements, batch.firstSeq, seq.skip, held);
      if (mismatch && !renumbers) resentElsewhere = resendMismatchesToQuarantine(elements, batch.firstSeq, seq.skip, held);
      else if (mismatch) {
        await client.query('ROLLBACK');
        const highest = Math.max(peer?.highestSeq ?? 0, batch.firstSeq + batch.count - 1);
        await writeConflicts(client, [restoredDeviceConflict(conn, mismatch, storedSeq, highest, null)]);
        return refusal(
          'seq_conflict',
          `seq ${mismatch.seq} is another event than the one central holds (this device was restored from an older copy or cloned); renumber from seq ${mismatch.seq} after seq ${storedSeq}`,
          { conflictSeq: mismatch.seq, storedSeq, eventId: mismatch.sentEventId, heldEventId: mismatch.heldEventId },
        );
      }
    }
    const classified = classifyBatch(elements, batch.firstSeq, seq.skip, conn);
    if (classified.kind === 'wrong_store') {
      await client.query('ROLLBACK');
      return refusal('wrong_store', `${classified.message}; nothing of this batch was stored`, { seq: classified.seq });
    }
    const store = async (events: EventEnvelope[]): Promise<StoredPart> => {
      const inserted = await insertEvents(client, conn, events);
      // Every seq is stored or quarantined: an event whose id is taken is a duplicate only at its own seq.
      const insertedSet = new Set(inserted);
      const notInserted = events.filter((ev) => !insertedSet.has(ev));
      const sorted = sortNotInserted(
        notInserted,
        await storedAt(client, conn.storeId, notInserted.map((ev) => ev.eventId.toLowerCase())),
        (ev) => JSON.stringify(elements[ev.seq - batch.firstSeq]) ?? 'null',
        conn,
      );
      if (deps.inventory !== false) await applyEventEffects(client, conn.storeId, inserted, deps.reservations ?? defaultReservationSettings(), notices);
      // ERP outbox (docs/erp.md) after the merge, so a count's posting carries the variance the merge just recorded.
      const postings = deps.erp === false ? 0 : await writePostings(client, conn.storeId, inserted);
      return { inserted, postings, quarantined: sorted.quarantined, duplicates: sorted.duplicates };
    };
    let stored: StoredPart & { failed?: QuarantineEntry[] };
    if (mode === 'together') {
      stored = await store(classified.valid).catch((err: unknown) => {
        throw new EventFailure(err);
      });
    } else {
      stored = await storeEventByEvent(client, classified.valid, store);
    }
    const { inserted, postings } = stored;
    const quarantined = [...resentElsewhere, ...classified.quarantined, ...stored.quarantined, ...(stored.failed ?? [])].sort((a, b) => a.seq - b.seq);
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
    const duplicates = seq.skip - resentElsewhere.length + stored.duplicates;
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
