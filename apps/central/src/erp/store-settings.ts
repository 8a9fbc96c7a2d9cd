import type { Queryable } from '../platform/index.js';
import type { PostingMode } from './documents.js';

// A store's posting settings (admin API): one document per sale, or one summary per business day.

export interface StorePostingSettings {
  storeId: string;
  postingMode: PostingMode;
  /** "HH:MM" UTC on the next day; null = central's default (OUTPOST_ERP_SUMMARY_CUTOFF). */
  summaryCutoff: string | null;
  /** The cut-off in force (the store's or the default). */
  effectiveCutoff: string;
}

export async function getStoreSettings(q: Queryable, storeId: string, defaultCutoff: string): Promise<StorePostingSettings> {
  const r = await q.query<{ posting_mode: PostingMode; summary_cutoff: string | null }>('SELECT posting_mode, summary_cutoff FROM erp_store_settings WHERE store_id = $1', [storeId]);
  const row = r.rows[0];
  const cutoff = row?.summary_cutoff ?? null;
  return { storeId, postingMode: row?.posting_mode ?? 'per_sale', summaryCutoff: cutoff, effectiveCutoff: cutoff ?? defaultCutoff };
}

/**
 * Change a store's mode. Sales already queued for a summary stay queued and are cut as usual; sales already
 * posted one by one stay posted: the change applies to what arrives from now on.
 */
export async function putStoreSettings(
  q: Queryable,
  storeId: string,
  s: { postingMode: PostingMode; summaryCutoff?: string | null | undefined },
  defaultCutoff: string,
): Promise<StorePostingSettings> {
  await q.query(
    `INSERT INTO erp_store_settings (store_id, posting_mode, summary_cutoff, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (store_id) DO UPDATE SET posting_mode = EXCLUDED.posting_mode, summary_cutoff = EXCLUDED.summary_cutoff, updated_at = now()`,
    [storeId, s.postingMode, s.summaryCutoff ?? null],
  );
  return getStoreSettings(q, storeId, defaultCutoff);
}
