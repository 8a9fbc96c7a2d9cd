import type { EventEnvelope } from '@outpost/shared';
import type { ConflictRecord } from './conflict-log.js';
import type { Queryable } from '../platform/index.js';

// R7: a return may name a sale central has not seen yet (offline till, another device). It is stored anyway and
// flagged; when the sale arrives, the return is linked and the conflict log says so.

/** Link returns waiting for the sales just stored; then record the new returns, linked or flagged. */
export async function linkReturns(tx: Queryable, storeId: string, stored: readonly EventEnvelope[]): Promise<ConflictRecord[]> {
  const out: ConflictRecord[] = [];
  const sales = stored.filter((e): e is EventEnvelope<'sale.completed'> => e.type === 'sale.completed');
  // Returns waiting for their sale are rare: one cheap probe spares every sales batch the join below.
  const waiting =
    sales.length > 0 &&
    (await tx.query<{ w: boolean }>('SELECT EXISTS (SELECT 1 FROM return_links WHERE store_id = $1 AND sale_event_id IS NULL) AS w', [storeId])).rows[0]!.w;
  if (waiting) {
    const linked = await tx.query<{ return_event_id: string; original_transaction_id: string; sale_event_id: string }>(
      `UPDATE return_links r SET sale_event_id = s.e, linked_at = now()
       FROM unnest($2::text[], $3::uuid[]) AS s(t, e)
       WHERE r.store_id = $1 AND r.original_transaction_id = s.t AND r.sale_event_id IS NULL
       RETURNING r.return_event_id, r.original_transaction_id, r.sale_event_id`,
      [storeId, sales.map((s) => s.payload.transactionId), sales.map((s) => s.eventId)],
    );
    const corr = new Map(sales.map((s) => [s.eventId, s.correlationId]));
    for (const l of linked.rows) {
      out.push({
        kind: 'return_linked',
        storeId,
        sku: null,
        inputs: { returnEventId: l.return_event_id, originalTransactionId: l.original_transaction_id, saleEventId: l.sale_event_id },
        resolution: `return ${l.return_event_id} linked to sale ${l.sale_event_id}, which arrived after it`,
        correlationId: corr.get(l.sale_event_id) ?? null,
      });
    }
  }
  const returns = stored.filter(
    (e): e is EventEnvelope<'return.received'> => e.type === 'return.received' && e.payload.originalTransactionId !== undefined,
  );
  if (returns.length === 0) return out;
  // The events of this batch are already inserted, so a sale in the same batch is found here too.
  const r = await tx.query<{ return_event_id: string; original_transaction_id: string; sale_event_id: string | null }>(
    `INSERT INTO return_links (store_id, return_event_id, original_transaction_id, sale_event_id, linked_at)
     SELECT $1, u.r, u.t, s.event_id, CASE WHEN s.event_id IS NULL THEN NULL ELSE now() END
     FROM unnest($2::uuid[], $3::text[]) AS u(r, t)
     LEFT JOIN LATERAL (
       SELECT event_id FROM events
       WHERE store_id = $1 AND type = 'sale.completed' AND payload->>'transactionId' = u.t
       ORDER BY position LIMIT 1
     ) s ON true
     ON CONFLICT DO NOTHING
     RETURNING return_event_id, original_transaction_id, sale_event_id`,
    [storeId, returns.map((e) => e.eventId), returns.map((e) => e.payload.originalTransactionId)],
  );
  const corr = new Map(returns.map((e) => [e.eventId, e.correlationId]));
  for (const l of r.rows) {
    if (l.sale_event_id !== null) continue;
    out.push({
      kind: 'return_unlinked',
      storeId,
      sku: null,
      inputs: { returnEventId: l.return_event_id, originalTransactionId: l.original_transaction_id },
      resolution: 'return stored and its stock applied; central has not seen this sale for the store yet, it will be linked when it arrives',
      correlationId: corr.get(l.return_event_id) ?? null,
    });
  }
  return out;
}
