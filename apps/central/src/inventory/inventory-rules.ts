import { compareHlcStrings, type Bucket, type CountObservation, type Movement } from '@outpost/shared';

/**
 * Central's incremental form of the shared reference model `replaySku` (R3), as plain functions over rows.
 * Facts of one sku are ordered by (hlc, kind, sourceId) with a movement before a count at the same hlc, so:
 *  - a movement is after a count iff its hlc is strictly greater than the count's;
 *  - counts are ordered by (hlc, sourceId).
 * inventory-store.ts reads the rows, asks these functions what to do, and writes the answer.
 */

export interface CountKey {
  hlc: string;
  sourceId: string;
}

export interface StoredMovement extends Movement {
  lineNo: number;
}

export function compareCountKeys(a: CountKey, b: CountKey): number {
  return compareHlcStrings(a.hlc, b.hlc) || compareHlcStrings(a.sourceId, b.sourceId);
}

/** On-hand moves with a sellable movement only when it happened after the base count (or there is none). */
export function isAfterBase(hlc: string, baseHlc: string | null): boolean {
  return baseHlc === null || compareHlcStrings(hlc, baseHlc) > 0;
}

export interface BucketDelta {
  sellable: number;
  damaged: number;
  quarantine: number;
}

export interface MovementPlan {
  /** What to add to each sku's inventory row now. */
  deltas: Map<string, BucketDelta>;
  /** Sellable movements at or before the base count: they change a count's expected, not on-hand. */
  early: StoredMovement[];
}

const bucketKey: Record<Bucket, keyof BucketDelta> = { sellable: 'sellable', damaged: 'damaged', quarantine: 'quarantine' };

/** Sort newly stored movements into on-hand deltas and "early" ones, against each sku's base count hlc. */
export function planMovements(movements: readonly StoredMovement[], baseBySku: ReadonlyMap<string, string | null>): MovementPlan {
  const deltas = new Map<string, BucketDelta>();
  const early: StoredMovement[] = [];
  for (const m of movements) {
    // Counts only observe sellable stock: damaged and quarantined stock always adds up (R7 dispositions).
    if (m.bucket === 'sellable' && !isAfterBase(m.hlc, baseBySku.get(m.sku) ?? null)) {
      early.push(m);
      continue;
    }
    let d = deltas.get(m.sku);
    if (!d) deltas.set(m.sku, (d = { sellable: 0, damaged: 0, quarantine: 0 }));
    d[bucketKey[m.bucket]] += m.qty;
  }
  return { deltas, early };
}

/**
 * The count whose expected a movement feeds: the first count after it, i.e. the first with hlc >= the
 * movement's (a movement precedes a count at the same hlc). `counts` must be sorted by compareCountKeys.
 */
export function countAfter(hlc: string, counts: readonly CountKey[]): CountKey | null {
  for (const c of counts) if (compareHlcStrings(c.hlc, hlc) >= 0) return c;
  return null;
}

/**
 * Per count (by sourceId) of one sku, the qty to add to its expected (and take from its variance) for early
 * movements. `countsBySku` lists each sku's counts sorted by compareCountKeys.
 */
export function expectedAdjustments(
  early: readonly StoredMovement[],
  countsBySku: ReadonlyMap<string, readonly CountKey[]>,
): { sku: string; sourceId: string; qty: number }[] {
  const acc = new Map<string, { sku: string; sourceId: string; qty: number }>();
  for (const m of early) {
    const target = countAfter(m.hlc, countsBySku.get(m.sku) ?? []);
    // No count after it would mean the base count vanished: nothing to adjust (on-hand already moved).
    if (!target) continue;
    const key = `${m.sku}\u0000${target.sourceId}`;
    const a = acc.get(key);
    if (a) a.qty += m.qty;
    else acc.set(key, { sku: m.sku, sourceId: target.sourceId, qty: m.qty });
  }
  return [...acc.values()];
}

export interface CountPlacement<C extends CountKey> {
  /** The count right before the new one (its counted qty is the new count's starting point), or null. */
  prev: C | null;
  /** The count right after it: when present the new count is superseded on arrival and `next` is recomputed. */
  next: C | null;
}

export function placeCount<C extends CountKey>(count: CountKey, existing: readonly C[]): CountPlacement<C> {
  let prev: C | null = null;
  let next: C | null = null;
  for (const c of existing) {
    const cmp = compareCountKeys(c, count);
    if (cmp < 0 && (prev === null || compareCountKeys(c, prev) > 0)) prev = c;
    if (cmp > 0 && (next === null || compareCountKeys(c, next) < 0)) next = c;
  }
  return { prev, next };
}

/** One observation per (count event, sku): a sku listed twice in one count keeps its last line, as replay ends. */
export function distinctCounts(counts: readonly CountObservation[]): CountObservation[] {
  const byKey = new Map<string, CountObservation>();
  for (const c of counts) byKey.set(`${c.sourceId}\u0000${c.sku}`, c);
  return [...byKey.values()].sort((a, b) => compareCountKeys(a, b));
}

export function sortCountKeys<C extends CountKey>(counts: readonly C[]): C[] {
  return [...counts].sort(compareCountKeys);
}
