import { HybridClock } from '@outpost/shared';
import type { Queryable } from './db/database.js';

/** Central's node id in HLC stamps of what it books itself (receipts). */
export const CENTRAL_HLC_NODE = 'central';

/**
 * Central's hybrid clock, one per app instance (never module state). Seeded from the latest stamp central issued,
 * so a restart on a machine whose wall clock went back still stamps after every earlier receipt.
 */
export async function createCentralClock(db: Queryable, now: () => number = Date.now): Promise<HybridClock> {
  const r = await db.query<{ hlc: string | null }>(`SELECT max(hlc) AS hlc FROM receipts`);
  return new HybridClock(CENTRAL_HLC_NODE, now, r.rows[0]?.hlc ?? null);
}
