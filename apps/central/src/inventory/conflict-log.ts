import type { Queryable } from '../platform/index.js';

/**
 * The conflict log (docs/rules.md: every rule that fires writes a record the console shows). Kinds:
 *  - count_superseded: a count replaced as the base of on-hand by one with a later hlc (R3);
 *  - count_recomputed: a count arrived after movements later than it; on-hand = counted + those movements (R3);
 *  - unknown_sku: a sale or return line for an sku central's item master does not hold: kept, flagged (once per
 *    store and sku: a unique index drops the repeats);
 *  - return_unlinked: a return names a sale central has not seen for that store (R7);
 *  - return_linked: that sale arrived later and the return is now linked to it (R7);
 *  - oversold: late-synced sales left a store short of what its reservations hold; reservations put at risk (R4);
 *  - reroute_failed / rerouted: what R4 did about an at-risk reservation;
 *  - pick_after_cancel / pickup_after_cancel: the store picked or handed over a reservation that central had
 *    cancelled or expired meanwhile; the fact stands, a restock task goes to the store (R5);
 *  - pick_unexpected: a pick or handover for a reservation central does not know or that was already past it;
 *  - pick_repeated: a second pick or handover of a reservation whose first one central already applied (a till
 *    restored from an older copy of its data folder did it again): stored as the till's record, never applied twice;
 *  - device_restored: a device resent a seq central holds with another event id (restored from an older copy, or
 *    cloned); it renumbers its events after central's seq, nothing is skipped.
 */
export type ConflictKind =
  | 'count_superseded'
  | 'count_recomputed'
  | 'unknown_sku'
  | 'return_unlinked'
  | 'return_linked'
  | 'oversold'
  | 'rerouted'
  | 'reroute_failed'
  | 'pick_after_cancel'
  | 'pickup_after_cancel'
  | 'pick_unexpected'
  | 'pick_repeated'
  | 'device_restored';

export interface ConflictRecord {
  kind: ConflictKind;
  storeId: string;
  sku: string | null;
  inputs: Record<string, unknown>;
  resolution: string;
  correlationId: string | null;
}

/** Write conflicts in one statement, inside the caller's transaction (they commit with the facts that fired them). */
export async function writeConflicts(tx: Queryable, records: readonly ConflictRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query(
    `INSERT INTO conflicts (store_id, sku, kind, inputs, resolution, correlation_id)
     SELECT s, k, t, i::jsonb, r, c FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(s, k, t, i, r, c)
     ON CONFLICT DO NOTHING`,
    [
      records.map((r) => r.storeId),
      records.map((r) => r.sku),
      records.map((r) => r.kind),
      records.map((r) => JSON.stringify(r.inputs)),
      records.map((r) => r.resolution),
      records.map((r) => r.correlationId),
    ],
  );
}
