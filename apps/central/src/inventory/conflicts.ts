import type pg from 'pg';
import type { z } from 'zod';
import type { centralApi } from '@outpost/shared';
import { cursorParam } from '../platform/index.js';

type Conflict = z.infer<typeof centralApi.conflictSchema>;

/** GET /conflicts: the conflict log in the order rules fired; `next` is the last id when the page is full. */
export async function listConflicts(
  pool: pg.Pool,
  q: { storeId?: string | undefined; kind?: string | undefined; sku?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: Conflict[]; next: string | null }> {
  const after = cursorParam(q.after);
  if (after === null) return { items: [], next: null };
  const r = await pool.query<{
    id: string;
    store_id: string;
    sku: string | null;
    kind: string;
    inputs: unknown;
    resolution: string;
    correlation_id: string | null;
    created_at: Date;
  }>(
    `SELECT id, store_id, sku, kind, inputs, resolution, correlation_id, created_at FROM conflicts
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR kind = $2) AND ($3::text IS NULL OR sku = $3) AND id > $4::int8
     ORDER BY id LIMIT $5`,
    [q.storeId ?? null, q.kind ?? null, q.sku ?? null, after, q.limit],
  );
  const items = r.rows.map((c) => ({
    id: String(c.id),
    storeId: c.store_id,
    sku: c.sku,
    kind: c.kind,
    inputs: c.inputs,
    resolution: c.resolution,
    correlationId: c.correlation_id,
    createdAt: c.created_at.toISOString(),
  }));
  return { items, next: r.rows.length === q.limit ? String(r.rows.at(-1)!.id) : null };
}
