import type pg from 'pg';
import { toNumber, withTransaction } from '../../platform/index.js';
import type { ErpConnector, ErpPosting, PostOutcome } from '../connector.js';
import { journalOf, journalProblem } from '../journal.js';

// The built-in ERP (`--erp ledger`, the zero set-up default): a double-entry journal and stock moves in central's
// own database. The posting id is unique in erp_ledger_entries, so a retried or replayed posting finds its entry
// and books nothing twice.

export const ledgerRef = (entryId: number | string): string => `LEDGER-${entryId}`;

export function createLedgerConnector(pool: pg.Pool): ErpConnector {
  async function find(postingId: string): Promise<string | null> {
    const r = await pool.query<{ id: string }>('SELECT id FROM erp_ledger_entries WHERE posting_id = $1', [postingId]);
    return r.rows[0] ? ledgerRef(r.rows[0].id) : null;
  }

  return {
    name: 'ledger',
    async post(p: ErpPosting): Promise<PostOutcome> {
      // Look-up-before-create is the unique posting_id below (INSERT ... ON CONFLICT DO NOTHING, then read the
      // existing entry): atomic, and one round trip less than a separate look-up.
      const entry = journalOf(p.storeId, p.document);
      const problem = journalProblem(entry);
      if (problem) return { ok: false, retryable: false, error: `ledger refused the document: ${problem}`, details: { lines: entry.lines } };
      return withTransaction(pool, async (tx) => {
        const ins = await tx.query<{ id: string }>(
          `INSERT INTO erp_ledger_entries (posting_id, store_id, business_date, kind, currency, correlation_id, description)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (store_id, posting_id) DO NOTHING RETURNING id`,
          [p.postingId, p.storeId, p.document.businessDate, p.document.kind, entry.currency, p.correlationId, entry.description],
        );
        const id = ins.rows[0]?.id;
        if (id === undefined) {
          // Booked already (a retry, a replay, or another worker after a lease ran out): that booking stands.
          const again = await tx.query<{ id: string }>('SELECT id FROM erp_ledger_entries WHERE store_id = $1 AND posting_id = $2', [p.storeId, p.postingId]);
          return { ok: true as const, erpRef: ledgerRef(again.rows[0]!.id), alreadyPosted: true };
        }
        if (entry.lines.length > 0) {
          await tx.query(
            `INSERT INTO erp_ledger_lines (store_id, entry_id, line_no, account, debit, credit, memo)
             SELECT $7, $1, n, a, d, c, m FROM unnest($2::int[], $3::text[], $4::int8[], $5::int8[], $6::text[]) AS u(n, a, d, c, m)`,
            [id, entry.lines.map((_, i) => i + 1), entry.lines.map((l) => l.account), entry.lines.map((l) => l.debit), entry.lines.map((l) => l.credit), entry.lines.map((l) => l.memo ?? null), p.storeId],
          );
        }
        if (entry.moves.length > 0) {
          await tx.query(
            `INSERT INTO erp_ledger_stock_moves (entry_id, line_no, store_id, sku, qty, from_location, to_location)
             SELECT $1, n, $2, s, q, f, t FROM unnest($3::int[], $4::text[], $5::int8[], $6::text[], $7::text[]) AS u(n, s, q, f, t)`,
            [id, p.storeId, entry.moves.map((_, i) => i + 1), entry.moves.map((m) => m.sku), entry.moves.map((m) => m.qty), entry.moves.map((m) => m.from), entry.moves.map((m) => m.to)],
          );
        }
        // The books and the posting's status commit together: the ledger lives in central's own database, so the
        // booking and "posted" can be one fact (the worker's own mark then finds it done and writes nothing).
        await tx.query(
          `UPDATE erp_postings SET status = 'posted', erp_ref = $2, connector = 'ledger', attempts = attempts + 1, posted_at = now(), updated_at = now(),
             last_error = NULL, error_details = NULL
           WHERE posting_id = $1 AND status IN ('pending', 'retrying')`,
          [p.postingId, ledgerRef(id)],
        );
        return { ok: true as const, erpRef: ledgerRef(id), alreadyPosted: false };
      });
    },
    lookup: (postingId) => find(postingId),
    async lookupMany(postingIds) {
      const r = await pool.query<{ id: string; posting_id: string }>('SELECT id, posting_id FROM erp_ledger_entries WHERE posting_id = ANY($1::uuid[])', [postingIds]);
      return new Map(r.rows.map((x) => [x.posting_id, ledgerRef(x.id)]));
    },
    async documentsFor(storeId, businessDate) {
      const r = await pool.query<{ id: string; posting_id: string }>(
        'SELECT id, posting_id FROM erp_ledger_entries WHERE store_id = $1 AND business_date = $2 ORDER BY id',
        [storeId, businessDate],
      );
      return r.rows.map((x) => ({ postingId: x.posting_id, erpRef: ledgerRef(toNumber(x.id)) }));
    },
    async close() {
      // The pool is central's own; nothing of the connector's to close.
    },
  };
}
