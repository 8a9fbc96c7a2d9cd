import type pg from 'pg';
import { storableText, type EventEnvelope } from '@outpost/shared';
import type { QuarantineEntry } from './batch-rules.js';

// When storing a batch's valid events fails for a reason that belongs to the data (a value out of range, a sum
// that overflows, a rule that throws), refusing the batch would fail it the same way on every resend and block
// the store for good. ingest.ts then runs the batch again with this: each event under its own SAVEPOINT, the
// failing ones quarantined with the database's reason, the rest stored, and the stored seq moving on.

/**
 * SQLSTATE classes that say nothing about the events: connection (08), transaction rollback such as
 * serialization failure or deadlock (40), insufficient resources (53), operator intervention (57), system (58),
 * internal (XX). Such a failure is answered "send it again"; any other one is tried event by event.
 */
const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58', 'XX']);

function sqlState(err: unknown): string | null {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : null;
}

/**
 * Does this failure come from the events themselves? Node socket errors (ECONNRESET, EPIPE ...) carry no SQLSTATE
 * but an errno code: transient. Anything else (a data error, a rule that throws) is the event's. Callers also
 * treat a connection that cannot roll back as transient, whatever the error said.
 */
export function isEventFailure(err: unknown): boolean {
  const state = sqlState(err);
  if (state) return !TRANSIENT_CLASSES.has(state.slice(0, 2));
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return !(typeof code === 'string' && /^E[A-Z]+$/.test(code));
}

export function failureReason(err: unknown): string {
  const state = sqlState(err);
  const message = err instanceof Error ? err.message : String(err);
  return storableText(`central could not store this event: ${message}${state ? ` (SQLSTATE ${state})` : ''}`);
}

export interface StoredPart {
  inserted: EventEnvelope[];
  postings: number;
  /** Events not inserted whose id central holds at another seq (quarantined), and true duplicates. */
  quarantined: QuarantineEntry[];
  duplicates: number;
}

/**
 * Store `events` one by one inside the caller's transaction: `store` runs for each under a SAVEPOINT; an event
 * it fails for is rolled back alone and returned as a quarantine entry. A transient failure is rethrown (the
 * whole batch is then refused and sent again).
 */
export async function storeEventByEvent(
  client: pg.PoolClient,
  events: readonly EventEnvelope[],
  store: (events: EventEnvelope[]) => Promise<StoredPart>,
): Promise<StoredPart & { failed: QuarantineEntry[] }> {
  const inserted: EventEnvelope[] = [];
  const quarantined: QuarantineEntry[] = [];
  const failed: QuarantineEntry[] = [];
  let postings = 0;
  let duplicates = 0;
  for (const ev of events) {
    await client.query('SAVEPOINT ingest_event');
    try {
      const part = await store([ev]);
      await client.query('RELEASE SAVEPOINT ingest_event');
      inserted.push(...part.inserted);
      quarantined.push(...part.quarantined);
      postings += part.postings;
      duplicates += part.duplicates;
    } catch (err) {
      if (!isEventFailure(err)) throw err;
      await client.query('ROLLBACK TO SAVEPOINT ingest_event');
      failed.push({ seq: ev.seq, eventId: ev.eventId.toLowerCase(), raw: JSON.stringify(ev), error: failureReason(err) });
    }
  }
  return { inserted, postings, quarantined, duplicates, failed };
}
