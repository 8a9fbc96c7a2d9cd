import { type Queryable, toNumber } from '../../platform/index.js';
import { ledgerRef } from './ledger.js';

// Reading the `ledger` connector's books through the API: journal entries with their lines and stock moves, and
// a trial balance per account.

export interface LedgerEntryView {
  erpRef: string;
  postingId: string;
  storeId: string;
  businessDate: string;
  kind: string;
  currency: string | null;
  correlationId: string;
  description: string;
  createdAt: string;
  lines: { account: string; debit: number; credit: number; memo: string | null }[];
  moves: { sku: string; qty: number; from: string; to: string }[];
}

export async function listLedger(
  q: Queryable,
  f: { storeId?: string | undefined; date?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: LedgerEntryView[]; next: string | null }> {
  const r = await q.query<{
    id: string;
    posting_id: string;
    store_id: string;
    business_date: string;
    kind: string;
    currency: string | null;
    correlation_id: string;
    description: string;
    created_at: Date;
  }>(
    `SELECT id, posting_id, store_id, business_date, kind, currency, correlation_id, description, created_at FROM erp_ledger_entries
     WHERE ($1::text IS NULL OR store_id = $1) AND ($2::text IS NULL OR business_date = $2) AND id > $3::int8 ORDER BY id LIMIT $4`,
    [f.storeId ?? null, f.date ?? null, f.after ?? '0', f.limit],
  );
  const ids = r.rows.map((x) => x.id);
  const stores = [...new Set(r.rows.map((x) => x.store_id))];
  const lines = await q.query<{ entry_id: string; account: string; debit: string; credit: string; memo: string | null }>(
    'SELECT entry_id, account, debit, credit, memo FROM erp_ledger_lines WHERE store_id = ANY($2::text[]) AND entry_id = ANY($1::int8[]) ORDER BY entry_id, line_no',
    [ids, stores],
  );
  const moves = await q.query<{ entry_id: string; sku: string; qty: string; from_location: string; to_location: string }>(
    'SELECT entry_id, sku, qty, from_location, to_location FROM erp_ledger_stock_moves WHERE store_id = ANY($2::text[]) AND entry_id = ANY($1::int8[]) ORDER BY entry_id, line_no',
    [ids, stores],
  );
  const items = r.rows
    .sort((a, b) => toNumber(a.id) - toNumber(b.id))
    .map((x) => ({
      erpRef: ledgerRef(x.id),
      postingId: x.posting_id,
      storeId: x.store_id,
      businessDate: x.business_date,
      kind: x.kind,
      currency: x.currency,
      correlationId: x.correlation_id,
      description: x.description,
      createdAt: x.created_at.toISOString(),
      lines: lines.rows.filter((l) => l.entry_id === x.id).map((l) => ({ account: l.account, debit: toNumber(l.debit), credit: toNumber(l.credit), memo: l.memo })),
      moves: moves.rows.filter((m) => m.entry_id === x.id).map((m) => ({ sku: m.sku, qty: toNumber(m.qty), from: m.from_location, to: m.to_location })),
    }));
  return { items, next: r.rows.length === f.limit ? String(r.rows.at(-1)!.id) : null };
}

/** Debit and credit per account (optionally one store and day): the books balance when the sums agree. */
export async function trialBalance(
  q: Queryable,
  f: { storeId?: string | undefined; date?: string | undefined },
): Promise<{ items: { account: string; currency: string | null; debit: number; credit: number; balance: number }[]; next: null }> {
  const r = await q.query<{ account: string; currency: string | null; debit: string; credit: string }>(
    `SELECT l.account, e.currency, sum(l.debit) AS debit, sum(l.credit) AS credit
     FROM erp_ledger_lines l JOIN erp_ledger_entries e ON e.store_id = l.store_id AND e.id = l.entry_id
     WHERE ($1::text IS NULL OR e.store_id = $1) AND ($2::text IS NULL OR e.business_date = $2)
     GROUP BY l.account, e.currency ORDER BY l.account, e.currency`,
    [f.storeId ?? null, f.date ?? null],
  );
  return {
    items: r.rows.map((x) => ({ account: x.account, currency: x.currency, debit: toNumber(x.debit), credit: toNumber(x.credit), balance: toNumber(x.debit) - toNumber(x.credit) })),
    next: null,
  };
}
