import type pg from 'pg';
import { refusal, SEQ_CONFLICT_PROTOCOL_VERSION, type BatchAck, type EventEnvelope, type SyncLimits } from '@outpost/shared';
import { checkBatchBounds, checkSeq, classifyBatch, decodeBatchEvents, nextStoredSeq, type Connection, type QuarantineEntry } from './batch-rules.js';
import { type ConflictRecord, writeConflicts } from '../inventory/index.js';
import { firstResendMismatch, resendMismatchesToQuarantine, restoredDeviceConflict, sortNotInserted, type HeldIds, type StoredAt } from './resend-rules.js';
import { CommandNotices } from '../commands/index.js';
import { type Faults, toNumber, withTransaction } from '../platform/index.js';
import { storeEvents, type EffectSettings } from './event-effects.js';
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

const INSERT_QUARANTINE = `
  INSERT INTO quarantine (store_id, device_id, seq, event_id, raw, error)
  SELECT $1, $2, q, e, r, m FROM unnest($3::int8[], $4::uuid[], $5::text[], $6::text[]) AS u(q, e, r, m)`;

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

/** Thrown inside the transaction to roll it back and answer `answer` (then, if any, write `conflicts` on their own). */
class RolledBack {
  constructor(
    readonly answer: BatchAck | DeviceRevoked,
    readonly conflicts: ConflictRecord[] = [],
  ) {}
}

async function ingestOnce(
  deps: IngestDeps,
  conn: Connection,
  batch: BatchInput,
  elements: unknown[],
  peer: Peer | undefined,
  mode: 'together' | 'one-by-one',
): Promise<BatchAck | DeviceRevoked | typeof EVENT_FAILURE> {
  const started = process.hrtime.bigint();
  const notices = new CommandNotices();
  const settings: EffectSettings = {
    inventory: deps.inventory !== false,
    erp: deps.erp !== false,
    reservations: deps.reservations ?? defaultReservationSettings(),
  };
  let began = false;
  let done: { ack: BatchAck & { ok: true }; inserted: EventEnvelope[]; quarantined: QuarantineEntry[]; postings: number };
  try {
    done = await withTransaction(deps.pool, async (client) => {
      began = true;
      const dev = await client.query<{ stored_seq: string; revoked_at: Date | null }>({
        name: 'outpost-lock-device',
        text: 'SELECT stored_seq, revoked_at FROM devices WHERE device_id = $1 AND store_id = $2 FOR UPDATE',
        values: [conn.deviceId, conn.storeId],
      });
      const row = dev.rows[0];
      if (!row || row.revoked_at !== null) throw new RolledBack({ revoked: true });
      const storedSeq = toNumber(row.stored_seq);
      const seq = checkSeq(batch.firstSeq, batch.count, storedSeq);
      if (!seq.ok) {
        throw new RolledBack(refusal('seq_gap', `batch starts at seq ${batch.firstSeq} but central expects ${seq.expectedSeq}`, { expectedSeq: seq.expectedSeq }));
      }
      let resentElsewhere: QuarantineEntry[] = [];
      if (seq.skip > 0) {
        // A resent seq is a duplicate only if it is the same event; otherwise the device was restored or cloned.
        const held = await heldIds(client, conn, batch.firstSeq, batch.firstSeq + seq.skip - 1);
        const renumbers = (peer?.protocolVersion ?? SEQ_CONFLICT_PROTOCOL_VERSION) >= SEQ_CONFLICT_PROTOCOL_VERSION;
        const mismatch = firstResendMismatch(elements, batch.firstSeq, seq.skip, held);
        if (mismatch && !renumbers) resentElsewhere = resendMismatchesToQuarantine(elements, batch.firstSeq, seq.skip, held);
        else if (mismatch) {
          const highest = Math.max(peer?.highestSeq ?? 0, batch.firstSeq + batch.count - 1);
          throw new RolledBack(
            refusal(
              'seq_conflict',
              `seq ${mismatch.seq} is another event than the one central holds (this device was restored from an older copy or cloned); renumber from seq ${mismatch.seq} after seq ${storedSeq}`,
              { conflictSeq: mismatch.seq, storedSeq, eventId: mismatch.sentEventId, heldEventId: mismatch.heldEventId },
            ),
            [restoredDeviceConflict(conn, mismatch, storedSeq, highest, null)],
          );
        }
      }
      const classified = classifyBatch(elements, batch.firstSeq, seq.skip, conn);
      if (classified.kind === 'wrong_store') {
        throw new RolledBack(refusal('wrong_store', `${classified.message}; nothing of this batch was stored`, { seq: classified.seq }));
      }
      const store = async (events: EventEnvelope[]): Promise<StoredPart> => {
        // What storing an event does lives in one place (event-effects.ts), shared with quarantine replay.
        const { inserted, postings } = await storeEvents(client, conn.storeId, conn.deviceId, events, settings, notices);
        // Every seq is stored or quarantined: an event whose id is taken is a duplicate only at its own seq.
        if (inserted.length === events.length) return { inserted, postings, quarantined: [], duplicates: 0 };
        const insertedSet = new Set(inserted);
        const notInserted = events.filter((ev) => !insertedSet.has(ev));
        const sorted = sortNotInserted(
          notInserted,
          await storedAt(client, conn.storeId, notInserted.map((ev) => ev.eventId.toLowerCase())),
          (ev) => JSON.stringify(elements[ev.seq - batch.firstSeq]) ?? 'null',
          conn,
        );
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
      const quarantined = [...resentElsewhere, ...classified.quarantined, ...stored.quarantined, ...(stored.failed ?? [])].sort((a, b) => a.seq - b.seq);
      await insertQuarantine(client, conn, quarantined);
      const newStoredSeq = nextStoredSeq(batch.firstSeq, batch.count, storedSeq);
      await client.query({
        name: 'outpost-advance-device',
        text: 'UPDATE devices SET stored_seq = GREATEST(stored_seq, $2), last_seen_at = now() WHERE device_id = $1',
        values: [conn.deviceId, newStoredSeq],
      });
      deps.faults.beforeCommit();
      const duplicates = seq.skip - resentElsewhere.length + stored.duplicates;
      return {
        ack: { ok: true as const, storedSeq: newStoredSeq, stored: stored.inserted.length, duplicates, quarantined: quarantined.length },
        inserted: stored.inserted,
        quarantined,
        postings: stored.postings,
      };
    });
  } catch (caught) {
    if (caught instanceof RolledBack) {
      // Written after the rollback, on its own: the refusal stores nothing, but the conflict log keeps the story.
      if (caught.conflicts.length > 0) {
        await writeConflicts(deps.pool, caught.conflicts).catch((err: unknown) => deps.log.error({ err, deviceId: conn.deviceId }, 'could not write the conflict of a refused batch'));
      }
      return caught.answer;
    }
    if (!began) {
      deps.log.error({ err: caught, deviceId: conn.deviceId }, 'ingest: no database connection');
      return refusal('internal', 'central could not reach its database; nothing was stored');
    }
    const err = caught instanceof EventFailure ? caught.cause : caught;
    // A failure that belongs to the data: store the batch again event by event (a failure of the connection
    // itself carries a transient code and is answered "send it again").
    if (caught instanceof EventFailure && isEventFailure(err)) {
      deps.log.error({ err, deviceId: conn.deviceId, firstSeq: batch.firstSeq, count: batch.count }, 'ingest failed on an event; storing the batch event by event');
      return EVENT_FAILURE;
    }
    deps.log.error({ err, deviceId: conn.deviceId, firstSeq: batch.firstSeq, count: batch.count }, 'ingest failed; batch rolled back');
    return refusal('internal', 'central failed to store the batch; nothing was stored, send it again');
  }
  // R5 restock tasks appended by the rules: announced now that they are committed.
  await notices.send(deps.pool, (err) => deps.log.error({ err, deviceId: conn.deviceId }, 'could not announce new commands; the periodic re-check will push them'));
  try {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const { inserted, quarantined, postings } = done;
    deps.observer?.committed({ conn, firstSeq: batch.firstSeq, inserted, quarantined, duplicates: done.ack.duplicates, seconds, postings });
  } catch (err) {
    // Committed is committed: a failing observer must not turn the ack into "nothing was stored".
    deps.log.error({ err, deviceId: conn.deviceId }, 'ingest observer failed');
  }
  return done.ack;
}
