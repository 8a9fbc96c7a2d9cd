import { decodeHlc, DEFAULT_MAX_DRIFT_MS, encodeHlc, hlcReceive, HybridClock } from '@outpost/shared';
import type { Queryable } from './db/database.js';

/** Central's node id in HLC stamps of what it books itself (receipts). */
export const CENTRAL_HLC_NODE = 'central';

/**
 * Central's hybrid clock, one per app instance (never module state). Seeded from the latest stamp central issued,
 * so a restart on a machine whose wall clock went back still stamps after every earlier receipt.
 */
export async function createCentralClock(db: Queryable, now: () => number = Date.now): Promise<HybridClock> {
  // Receipts stamped after a store's clock (stampAfterStore) may lie in the future: they must not seed this clock.
  const bound = `${String(now() + DEFAULT_MAX_DRIFT_MS).padStart(15, '0')}:99999:~`;
  const r = await db.query<{ hlc: string | null }>(`SELECT max(hlc) AS hlc FROM receipts WHERE hlc <= $1`, [bound]);
  return new HybridClock(CENTRAL_HLC_NODE, now, r.rows[0]?.hlc ?? null);
}

/**
 * How far ahead of central's wall clock a store's stamps are still followed. Beyond it the store's clock is taken
 * as broken (a year ahead, say): following it would date central's own bookings for that store into that future.
 */
export const MAX_FOLLOW_AHEAD_MS = 7 * 24 * 3600_000;

/**
 * The stamp of something central books for one store (a receipt): after central's own clock AND after the latest
 * stamp central has seen from that store, so it is ordered after the store's counts it follows in real time, also
 * when the store's clock runs ahead. It is an HLC receive of the store's stamp, kept per store rather than merged
 * into central's one clock: merging would carry one store's skew into every other store's receipts (and would not
 * be seen by the other central nodes). `seen` is null when the store has no stamp yet.
 */
export function stampAfterStore(clock: HybridClock, seen: string | null, now: number): string {
  const own = clock.tick();
  if (seen === null || seen <= own) return own;
  try {
    return encodeHlc(hlcReceive(decodeHlc(own), decodeHlc(seen), now, MAX_FOLLOW_AHEAD_MS));
  } catch {
    return own; // beyond the bound: central's own time is the better guess
  }
}
