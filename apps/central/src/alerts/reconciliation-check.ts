import type { Queryable } from '../platform/index.js';
import { type ErpConnector, reconcileStoreDay } from '../erp/index.js';

/**
 * The reconciliation_difference alert's input: the store-days closed in the last few days whose store, central and
 * ERP figures disagree. Reconciling asks the ERP about each posting, so it runs every `everyMs` (not every alert
 * pass) and only over recently closed days. Differences that are only "not posted yet" or "ERP unreachable" are
 * left out: those are the ERP alerts' business and clear by themselves; so is a drawer counted over or short
 * (`counted_cash`), which is finance's to chase in the reconciliation, not an operator's.
 */
const LASTING = new Set(['store_vs_central', 'missing_in_erp', 'extra_in_erp']);

export interface ReconciliationCheck {
  /** Store id → business days with lasting differences; recomputed when older than `everyMs`. */
  differences(q: Queryable): Promise<Map<string, string[]>>;
}

export function createReconciliationCheck(deps: { connector: ErpConnector; everyMs: number; days: number; now?: () => number }): ReconciliationCheck {
  let last: { at: number; result: Map<string, string[]> } | null = null;
  const now = deps.now ?? Date.now;
  return {
    async differences(q) {
      if (last && now() - last.at < deps.everyMs) return last.result;
      const closed = await q.query<{ store_id: string; business_date: string }>(
        `SELECT DISTINCT store_id, payload->>'businessDate' AS business_date FROM events
         WHERE type = 'day.closed' AND received_at > now() - ($1::int * interval '1 day') ORDER BY 1, 2`,
        [deps.days],
      );
      const result = new Map<string, string[]>();
      for (const r of closed.rows) {
        // One day that cannot be reconciled now (the ERP away) keeps what was known of it; the rest go on.
        const day = await reconcileStoreDay(q, deps.connector, r.store_id, r.business_date).catch(() => null);
        const lasting = day ? day.differences.some((d) => LASTING.has(d.kind)) : (last?.result.get(r.store_id) ?? []).includes(r.business_date);
        if (lasting) result.set(r.store_id, [...(result.get(r.store_id) ?? []), r.business_date]);
      }
      last = { at: now(), result };
      return result;
    },
  };
}
