import { UUID_RE, type EventEnvelope } from '@outpost/shared';
import type { ConflictRecord } from '../inventory/index.js';
import type { Connection, QuarantineEntry } from './batch-rules.js';

// What central does with a seq or an event id it has seen before, as plain functions over data; ingest.ts does the
// I/O. The rule they hold together: every (device, seq) is stored or quarantined with a reason, never neither, and
// a seq central holds is only ever "a duplicate" when the device resends the very event central holds there.

/** What central holds at one seq of a device: the stored event's id, or the ids of the quarantine entries there. */
export type HeldIds = ReadonlyMap<number, readonly (string | null)[]>;

export interface ResendMismatch {
  seq: number;
  /** The event id the device sent at that seq (null when the element has none). */
  sentEventId: string | null;
  /** What central holds there (null when it holds nothing or an element without an id). */
  heldEventId: string | null;
}

function eventIdOf(el: unknown): string | null {
  if (typeof el !== 'object' || el === null) return null;
  const id = (el as Record<string, unknown>).eventId;
  return typeof id === 'string' && UUID_RE.test(id) ? id.toLowerCase() : null;
}

/**
 * The first of the resent elements (indexes 0..skip-1, seqs up to central's stored seq) that is NOT what central
 * holds at its seq, or null when every one is a true resend. A device restored from an older copy (or a clone)
 * numbers new events with seqs central already holds under other event ids; skipping them by seq would lose them.
 */
export function firstResendMismatch(elements: readonly unknown[], firstSeq: number, skip: number, held: HeldIds): ResendMismatch | null {
  for (let i = 0; i < skip && i < elements.length; i++) {
    const seq = firstSeq + i;
    const sent = eventIdOf(elements[i]);
    const ids = held.get(seq) ?? [];
    if (!ids.includes(sent)) return { seq, sentEventId: sent, heldEventId: ids.find((x) => x !== null) ?? null };
  }
  return null;
}

/**
 * For an agent that cannot renumber (protocol v1): every resent element that is not what central holds at its
 * seq, quarantined with the reason instead of skipped as a duplicate, so the sale is kept for an operator.
 */
export function resendMismatchesToQuarantine(elements: readonly unknown[], firstSeq: number, skip: number, held: HeldIds): QuarantineEntry[] {
  const out: QuarantineEntry[] = [];
  for (let i = 0; i < skip && i < elements.length; i++) {
    const m = firstResendMismatch([elements[i]], firstSeq + i, 1, held);
    if (!m) continue;
    out.push({
      seq: m.seq,
      eventId: m.sentEventId,
      raw: JSON.stringify(elements[i]) ?? 'null',
      error: `seq ${m.seq} is held with another event (${m.heldEventId ?? 'none'}): this device was restored from an older copy or cloned, and its protocol v1 agent cannot renumber; kept here instead of skipped`,
    });
  }
  return out;
}

/** Where an event id is already stored. */
export interface StoredAt {
  deviceId: string;
  seq: number;
}

/**
 * The valid events of a batch that the insert did not store (their event id is already taken): a true resend
 * (the same id at the same device and seq) is a duplicate; anything else is quarantined under its own seq with
 * the reason, so the seq is accounted for and the payload kept for an operator.
 */
export function sortNotInserted(
  notInserted: readonly EventEnvelope[],
  storedAt: ReadonlyMap<string, StoredAt>,
  raw: (ev: EventEnvelope) => string,
  conn: Connection,
): { duplicates: number; quarantined: QuarantineEntry[] } {
  let duplicates = 0;
  const quarantined: QuarantineEntry[] = [];
  for (const ev of notInserted) {
    const id = ev.eventId.toLowerCase();
    const at = storedAt.get(id);
    if (at && at.deviceId === conn.deviceId && at.seq === ev.seq) {
      duplicates++;
      continue;
    }
    const where = at && (at.deviceId === conn.deviceId ? `seq ${at.seq} of this device` : `seq ${at.seq} of device ${at.deviceId}`);
    quarantined.push({
      seq: ev.seq,
      eventId: id,
      raw: raw(ev),
      error: where
        ? `eventId ${id} is already stored at ${where}; this event at seq ${ev.seq} reuses it and was not stored`
        : `seq ${ev.seq} of this device already holds another event; eventId ${id} was not stored`,
    });
  }
  return { duplicates, quarantined };
}

/**
 * The conflict-log record of a detected restore or clone. `agentHighestSeq` is the highest seq the device reported
 * (its hello or this batch): the events from the conflicting seq up to it are the ones it renumbers.
 */
export function restoredDeviceConflict(
  conn: Connection,
  m: ResendMismatch,
  storedSeq: number,
  agentHighestSeq: number,
  correlationId: string | null,
): ConflictRecord {
  const renumbered = Math.max(1, agentHighestSeq - m.seq + 1);
  return {
    kind: 'device_restored',
    storeId: conn.storeId,
    sku: null,
    inputs: { deviceId: conn.deviceId, conflictSeq: m.seq, storedSeq, sentEventId: m.sentEventId, heldEventId: m.heldEventId, agentHighestSeq },
    resolution:
      `device ${conn.deviceId} restored from an older copy (or cloned): its seq ${m.seq} is another event than the one central holds; ` +
      `${renumbered} event${renumbered === 1 ? '' : 's'} from seq ${m.seq} renumbered after seq ${storedSeq} (event ids kept), nothing skipped`,
    correlationId,
  };
}
