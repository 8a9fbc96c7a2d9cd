import { countsOf, movementsOf, type EventEnvelope } from '@outpost/shared';
import { applyCounts, applyMovements, type ConflictRecord, linkReturns, lockInventory, type StoredMovement, writeConflicts } from '../inventory/index.js';
import type { Queryable } from '../platform/index.js';
import { applyReservationEvents, checkOversold, isReservationEvent, planReservationEvents, type ReservationSettings, reservationSkus } from '../reservations/index.js';
import { writePostings } from '../erp/index.js';
import type { CommandNotices } from '../commands/index.js';

// The one place that says what storing events does (ingest and quarantine replay both call storeEvents): insert
// them, then, for those actually inserted, the inventory merge and conflict rules (R3, R4, R5, R7, unknown
// skus), the reservation effects, and the ERP postings, all inside the caller's transaction. Only events actually
// inserted take effect, so a resent batch or a replayed event already stored changes nothing (R1).

export interface EffectSettings {
  /** Inventory, conflict and reservation rules (false only to measure ingest alone). */
  inventory: boolean;
  /** ERP postings (false only to measure ingest alone). */
  erp: boolean;
  reservations: ReservationSettings;
}

// One statement per batch. The events go as ONE JSON text that PostgreSQL reads with json_to_recordset: arrays
// of JSON texts would be escaped element by element by the driver and unescaped again by the server. Duplicates
// by event id or by (device, seq) are skipped by ON CONFLICT DO NOTHING; RETURNING names the rows actually
// inserted, so only those take effect (R1). event_month, the partition key, is a function of the id, so a resend
// meets its first copy in the same partition (docs/sync-identity.md). Named: parsed and planned once per connection.
const INSERT_EVENTS = `
  INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
  SELECT $1, x."eventId", outpost_event_month(x."eventId"), $2, x.seq, x.type, x."schemaVersion", x.hlc, x."occurredAt", x."correlationId", x.payload
  FROM json_to_recordset($3::json)
    AS x("eventId" uuid, seq int8, type text, "schemaVersion" int4, hlc text, "occurredAt" timestamptz, "correlationId" text, payload jsonb)
  ON CONFLICT DO NOTHING
  RETURNING event_id, seq`;

/** Insert events of one store and device; answers those actually inserted (duplicates left out), in the order given. */
async function insertEvents(tx: Queryable, storeId: string, deviceId: string, events: readonly EventEnvelope[]): Promise<EventEnvelope[]> {
  if (events.length === 0) return [];
  const r = await tx.query<{ event_id: string; seq: string }>({ name: 'outpost-insert-events-json', text: INSERT_EVENTS, values: [storeId, deviceId, JSON.stringify(events)] });
  if (r.rows.length === events.length) return [...events];
  // An id twice in one batch is inserted once; (id, seq) names which occurrence it was.
  const keys = new Set(r.rows.map((row) => `${row.event_id}@${row.seq}`));
  return events.filter((ev) => keys.has(`${ev.eventId.toLowerCase()}@${ev.seq}`));
}

/**
 * Store events of one device (already validated, storable, and claiming that store and device) with every
 * effect, inside the caller's transaction. Answers the events actually inserted and how many ERP postings they
 * made. The ERP postings come after the merge, so a count's posting carries the variance the merge just recorded.
 */
export async function storeEvents(
  tx: Queryable,
  storeId: string,
  deviceId: string,
  events: readonly EventEnvelope[],
  settings: EffectSettings,
  /** Commands the rules append (R5 restock) are announced by the caller after its transaction commits. */
  notices: CommandNotices,
): Promise<{ inserted: EventEnvelope[]; postings: number }> {
  const inserted = await insertEvents(tx, storeId, deviceId, events);
  if (inserted.length === 0 || (!settings.inventory && !settings.erp)) return { inserted, postings: 0 };
  if (settings.inventory) await applyEventEffects(tx, storeId, inserted, settings.reservations, notices);
  const postings = settings.erp ? await writePostings(tx, storeId, inserted) : 0;
  return { inserted, postings };
}

/** Each movement keeps its line number: with the source id, the idempotency key of the movement row. */
export function storedMovementsOf(events: readonly EventEnvelope[]): StoredMovement[] {
  const out: StoredMovement[] = [];
  for (const ev of events) movementsOf(ev).forEach((m, lineNo) => out.push({ ...m, lineNo }));
  return out;
}

/** A sale or return line whose sku the item master does not hold: captured and applied anyway, and flagged. */
// Flagged once per store and sku (the conflict log's unique index keeps the first): skus already flagged, and the
// repeats of a batch, are left out here rather than written and dropped by the index.
function unknownSkuConflicts(storeId: string, events: readonly EventEnvelope[], known: ReadonlySet<string>, flagged: ReadonlySet<string>): ConflictRecord[] {
  const seen = new Set<string>();
  const out: ConflictRecord[] = [];
  for (const ev of events) {
    if (ev.type !== 'sale.completed' && ev.type !== 'return.received') continue;
    for (const { sku } of ev.payload.lines) {
      if (known.has(sku) || flagged.has(sku) || seen.has(sku)) continue;
      seen.add(sku);
      out.push({
        kind: 'unknown_sku',
        storeId,
        sku,
        inputs: { eventId: ev.eventId, type: ev.type },
        resolution: 'captured and applied to inventory anyway; add the item to the item master',
        correlationId: ev.correlationId,
      });
    }
  }
  return out;
}

/** Apply the inventory effects and conflict rules (R3, R4, R5, R7) of events just inserted for one store. */
export async function applyEventEffects(
  tx: Queryable,
  storeId: string,
  events: readonly EventEnvelope[],
  reservations: ReservationSettings,
  /** Commands the rules append (R5 restock) are announced after the ingest transaction commits. */
  notices: CommandNotices,
): Promise<void> {
  if (events.length === 0) return;
  const counts = events.flatMap((ev) => countsOf(ev));
  const conflicts: ConflictRecord[] = [];
  const resSkus = await reservationSkus(tx, storeId, events);
  const skus = [...new Set([...storedMovementsOf(events).map((m) => m.sku), ...counts.map((c) => c.sku), ...resSkus])];
  if (skus.length > 0) {
    // Every sku this batch touches is locked once, in one order: inventory rows before reservation rows.
    const locked = await lockInventory(tx, storeId, skus);
    // A handover that repeats one already applied (a restored till did it again) is kept, not applied: no movement.
    const repeats = await planReservationEvents(tx, storeId, events);
    const movements = storedMovementsOf(repeats.size === 0 ? events : events.filter((ev) => !repeats.has(ev.eventId)));
    // Movements first: a count applied after them recomputes from the stored movements, so order within a batch
    // does not matter.
    await applyMovements(tx, storeId, movements, locked.base);
    if (counts.length > 0) {
      const corr = new Map(events.map((e) => [e.eventId, e.correlationId]));
      conflicts.push(...(await applyCounts(tx, storeId, counts, (id) => corr.get(id) ?? null)));
    }
    // Every sale and return line has a movement, so its sku was looked up while locking.
    conflicts.push(...unknownSkuConflicts(storeId, events, locked.known, locked.flagged));
    // Picks and handovers after their movements; then R4 over everything this batch moved.
    conflicts.push(...(await applyReservationEvents(tx, notices, reservations, storeId, events, repeats)));
    // Only picks and handovers change what is reserved, and the rows are locked: without them in the batch, an
    // sku that held no reservation when locked holds none now and cannot be oversold.
    const mayBeOversold = events.some(isReservationEvent) ? skus : skus.filter((k) => locked.reserved.has(k));
    conflicts.push(...(await checkOversold(tx, reservations, storeId, mayBeOversold)));
  }
  conflicts.push(...(await linkReturns(tx, storeId, events)));
  await writeConflicts(tx, conflicts);
}
