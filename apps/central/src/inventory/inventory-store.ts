import type { CountObservation } from '@outpost/shared';
import type { ConflictRecord } from './conflict-log.js';
import { type Queryable, toNumber } from '../platform/index.js';
import {
  compareCountKeys,
  distinctCounts,
  expectedAdjustments,
  placeCount,
  planMovements,
  sortCountKeys,
  type CountKey,
  type StoredMovement,
} from './inventory-rules.js';

// The SQL edge of central inventory (R3): reads rows, asks inventory-rules-central.ts, writes the answer.
// Everything runs inside the caller's transaction, after lockInventory has locked the touched skus.

// Bounds for "no bound" in hlc ranges: every stamp starts with a digit, and '~' sorts after digits byte-wise.
// Plain strings keep the range predicates sargable (an `IS NULL OR` would defeat the index).
const HLC_MIN = '';
const HLC_MAX = '~';

export interface LockedSkus {
  /** Each sku's base count hlc (null: no count yet). */
  base: Map<string, string | null>;
  /** Skus central's item master holds (read in the same statement to save a round trip). */
  known: Set<string>;
}

/**
 * Make sure every sku has an inventory row and lock them all, in one fixed (byte-wise) order so two devices of a
 * store, or a device and a central receipt, cannot deadlock or interleave a count recompute.
 */
export async function lockInventory(tx: Queryable, storeId: string, skus: readonly string[]): Promise<LockedSkus> {
  const base = new Map<string, string | null>();
  const known = new Set<string>();
  const lock = async (which: readonly string[]) => {
    const r = await tx.query<{ sku: string; base_count_hlc: string | null; known: boolean }>({
      name: 'outpost-lock-inventory',
      text: `SELECT i.sku, i.base_count_hlc, EXISTS (SELECT 1 FROM items it WHERE it.sku = i.sku) AS known
       FROM inventory i WHERE i.store_id = $1 AND i.sku = ANY($2::text[]) ORDER BY i.sku COLLATE "C" FOR UPDATE OF i`,
      values: [storeId, which],
    });
    for (const row of r.rows) {
      base.set(row.sku, row.base_count_hlc);
      if (row.known) known.add(row.sku);
    }
  };
  // Steady state: every sku has its row, one statement. New skus get theirs, then are locked the same way.
  await lock(skus);
  const missing = skus.filter((k) => !base.has(k));
  if (missing.length > 0) {
    await tx.query(
      `INSERT INTO inventory (store_id, sku) SELECT $1, k FROM unnest($2::text[]) AS u(k) ORDER BY k COLLATE "C" ON CONFLICT DO NOTHING`,
      [storeId, missing],
    );
    await lock(missing);
  }
  return { base, known };
}

// Plain INSERT, no ON CONFLICT: callers pass only facts never stored before (events just inserted, a receipt just
// claimed), so a duplicate here is a bug, and failing the transaction loudly beats counting stock twice (R1).
const INSERT_MOVEMENTS = `INSERT INTO inventory_movements (store_id, sku, hlc, source_id, line_no, qty, bucket)
  SELECT $1, k, h, s, l, q, b FROM unnest($2::text[], $3::text[], $4::text[], $5::int4[], $6::int4[], $7::text[]) AS u(k, h, s, l, q, b)`;

const movementParams = (storeId: string, ms: readonly StoredMovement[]) => [
  storeId,
  ms.map((m) => m.sku),
  ms.map((m) => m.hlc),
  ms.map((m) => m.sourceId),
  ms.map((m) => m.lineNo),
  ms.map((m) => m.qty),
  ms.map((m) => m.bucket),
];

interface CountRow extends CountKey {
  sku: string;
  countedQty: number;
  status: 'active' | 'superseded';
}

async function countsOfSkus(tx: Queryable, storeId: string, skus: readonly string[]): Promise<CountRow[]> {
  const r = await tx.query<{ sku: string; hlc: string; source_id: string; counted_qty: number; status: 'active' | 'superseded' }>(
    'SELECT sku, hlc, source_id, counted_qty, status FROM inventory_counts WHERE store_id = $1 AND sku = ANY($2::text[])',
    [storeId, skus],
  );
  return r.rows.map((c) => ({ sku: c.sku, hlc: c.hlc, sourceId: c.source_id, countedQty: c.counted_qty, status: c.status }));
}

/**
 * Apply new movements of skus already locked: one statement stores them and adds, per sku, those after its base
 * count to on-hand; sellable movements at or before it move no on-hand but feed the expected of the count right
 * after them (as replaySku computes it).
 */
export async function applyMovements(tx: Queryable, storeId: string, ms: readonly StoredMovement[], baseBySku: ReadonlyMap<string, string | null>): Promise<void> {
  if (ms.length === 0) return;
  const plan = planMovements(ms, baseBySku);
  const rows = [...plan.deltas.entries()];
  // One round trip for the common case: the movements and the aggregated on-hand update in one statement.
  // Named: prepared once per connection, so every batch skips parse and plan (PERF.md: re-planning is the cost).
  await tx.query({
    name: 'outpost-apply-movements',
    text: `WITH ins AS (${INSERT_MOVEMENTS})
     UPDATE inventory i SET on_hand = i.on_hand + d.s, damaged = i.damaged + d.dm, quarantine = i.quarantine + d.qu, updated_at = now()
     FROM unnest($8::text[], $9::int8[], $10::int8[], $11::int8[]) AS d(k, s, dm, qu)
     WHERE i.store_id = $1 AND i.sku = d.k`,
    values: [...movementParams(storeId, ms), rows.map(([k]) => k), rows.map(([, d]) => d.sellable), rows.map(([, d]) => d.damaged), rows.map(([, d]) => d.quarantine)],
  });
  if (plan.early.length > 0) {
    const skus = [...new Set(plan.early.map((m) => m.sku))];
    const bySku = new Map<string, CountRow[]>();
    for (const c of await countsOfSkus(tx, storeId, skus)) bySku.set(c.sku, [...(bySku.get(c.sku) ?? []), c]);
    for (const [k, v] of bySku) bySku.set(k, sortCountKeys(v));
    const adj = expectedAdjustments(plan.early, bySku);
    await tx.query(
      `UPDATE inventory_counts c SET expected = c.expected + d.q, variance = c.variance - d.q
       FROM unnest($2::text[], $3::text[], $4::int8[]) AS d(k, s, q)
       WHERE c.store_id = $1 AND c.sku = d.k AND c.source_id = d.s`,
      [storeId, adj.map((a) => a.sku), adj.map((a) => a.sourceId), adj.map((a) => a.qty)],
    );
  }
}

/** Sum and number of sellable movements of one sku with lo < hlc <= hi (one indexed range scan). */
async function sellableBetween(tx: Queryable, storeId: string, sku: string, lo: string | null, hi: string | null): Promise<{ sum: number; n: number }> {
  const r = await tx.query<{ s: string; n: string }>(
    `SELECT COALESCE(SUM(qty), 0) AS s, COUNT(*) AS n FROM inventory_movements
     WHERE store_id = $1 AND sku = $2 AND hlc > $3 AND hlc <= $4 AND bucket = 'sellable'`,
    [storeId, sku, lo ?? HLC_MIN, hi ?? HLC_MAX],
  );
  return { sum: toNumber(r.rows[0]!.s), n: toNumber(r.rows[0]!.n) };
}

async function setCountExpected(tx: Queryable, storeId: string, c: CountRow, expected: number): Promise<void> {
  await tx.query('UPDATE inventory_counts SET expected = $4::int8, variance = counted_qty - $4::int8 WHERE store_id = $1 AND source_id = $2 AND sku = $3', [
    storeId,
    c.sourceId,
    c.sku,
    expected,
  ]);
}

const countInput = (c: { hlc: string; sourceId: string; countedQty: number }) => ({ hlc: c.hlc, sourceId: c.sourceId, countedQty: c.countedQty });

/**
 * Apply one count observation of a locked sku (R3), whatever order it arrives in. Its expected is the replay
 * value at its hlc; if a later count exists it is superseded on arrival (and the later count's expected now
 * starts from it); otherwise it becomes the base: on-hand = counted + every sellable movement after it.
 */
async function applyCount(tx: Queryable, storeId: string, c: CountObservation, correlationId: string | null): Promise<ConflictRecord[]> {
  const existing = await countsOfSkus(tx, storeId, [c.sku]);
  if (existing.some((e) => e.sourceId === c.sourceId)) return []; // already applied (R1)
  const { prev, next } = placeCount(c, existing);
  const before = await sellableBetween(tx, storeId, c.sku, prev?.hlc ?? null, c.hlc);
  const expected = (prev?.countedQty ?? 0) + before.sum;
  const status = next ? 'superseded' : 'active';
  await tx.query(
    `INSERT INTO inventory_counts (store_id, sku, hlc, source_id, counted_qty, expected, variance, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [storeId, c.sku, c.hlc, c.sourceId, c.countedQty, expected, c.countedQty - expected, status],
  );
  const base = { storeId, sku: c.sku, correlationId };
  if (next) {
    const between = await sellableBetween(tx, storeId, c.sku, c.hlc, next.hlc);
    await setCountExpected(tx, storeId, next, c.countedQty + between.sum);
    return [
      {
        ...base,
        kind: 'count_superseded',
        inputs: { count: countInput(c), supersededBy: countInput(next) },
        resolution: `count ${c.sourceId} arrived after a later count ${next.sourceId}: kept as superseded, on-hand unchanged`,
      },
    ];
  }
  const later = await sellableBetween(tx, storeId, c.sku, c.hlc, null);
  const onHand = c.countedQty + later.sum;
  await tx.query('UPDATE inventory SET on_hand = $3, base_count_hlc = $4, updated_at = now() WHERE store_id = $1 AND sku = $2', [storeId, c.sku, onHand, c.hlc]);
  const out: ConflictRecord[] = [];
  const active = existing.filter((e) => e.status === 'active');
  if (active.length > 0) {
    await tx.query(
      `UPDATE inventory_counts SET status = 'superseded' WHERE store_id = $1 AND sku = $2 AND status = 'active' AND source_id <> $3`,
      [storeId, c.sku, c.sourceId],
    );
    for (const a of active) {
      out.push({
        ...base,
        kind: 'count_superseded',
        inputs: { count: countInput(a), supersededBy: countInput(c) },
        resolution: `count ${a.sourceId} superseded by later count ${c.sourceId}`,
      });
    }
  }
  if (later.n > 0) {
    out.push({
      ...base,
      kind: 'count_recomputed',
      inputs: { count: countInput(c), laterMovements: later.n, laterSum: later.sum },
      resolution: `on-hand set to ${onHand} (counted ${c.countedQty} plus ${later.n} later movements)`,
    });
  }
  return out;
}

/** Apply count observations of locked skus, in count order so the conflict log reads as the story happened. */
export async function applyCounts(
  tx: Queryable,
  storeId: string,
  counts: readonly CountObservation[],
  correlationOf: (sourceId: string) => string | null,
): Promise<ConflictRecord[]> {
  const out: ConflictRecord[] = [];
  for (const c of distinctCounts(counts).sort(compareCountKeys)) out.push(...(await applyCount(tx, storeId, c, correlationOf(c.sourceId))));
  return out;
}
