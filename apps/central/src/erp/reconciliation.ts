import type { DayClosed, ReturnReceived, SaleCompleted } from '@outpost/shared';
import { notFound, type Queryable } from '../platform/index.js';
import type { ErpConnector, ErpDocument } from './connector.js';
import { coveredIds } from './documents.js';
import { countedVsExpected, reconcileDay, type CentralDoc, type DayPosting, type DayReconciliation, type QuarantinedDoc } from './reconcile-rules.js';

// Gathers what reconciliation compares for one store and business day: the stores' day closes (one per device,
// the first of each), central's sales and returns of that day, quarantined documents of that day, the postings
// that cover them and what the ERP answers when asked for each posting's reference.

/** The store's control totals: the first day.closed of every device for the date, added up. */
async function storeClose(q: Queryable, storeId: string, date: string): Promise<{ close: DayClosed | null; closes: DayClosed[]; closeHlc: Map<string, string> }> {
  const r = await q.query<{ device_id: string; hlc: string; payload: DayClosed }>(
    `SELECT DISTINCT ON (device_id) device_id, hlc, payload FROM events
     WHERE store_id = $1 AND type = 'day.closed' AND payload->>'businessDate' = $2 ORDER BY device_id, seq`,
    [storeId, date],
  );
  if (r.rows.length === 0) return { close: null, closes: [], closeHlc: new Map() };
  const tenders = new Map<string, number>();
  const close: DayClosed = { businessDate: date, currency: r.rows[0]!.payload.currency, transactionCount: 0, returnCount: 0, salesTotal: 0, returnsTotal: 0, tenders: [] };
  for (const row of r.rows) {
    close.transactionCount += row.payload.transactionCount;
    close.returnCount += row.payload.returnCount;
    close.salesTotal += row.payload.salesTotal;
    close.returnsTotal += row.payload.returnsTotal;
    for (const t of row.payload.tenders) tenders.set(t.method, (tenders.get(t.method) ?? 0) + t.amount);
  }
  close.tenders = [...tenders].map(([method, amount]) => ({ method, amount }));
  return { close, closes: r.rows.map((x) => x.payload), closeHlc: new Map(r.rows.map((x) => [x.device_id, x.hlc])) };
}

async function centralDocs(q: Queryable, storeId: string, date: string, closeHlc: ReadonlyMap<string, string>): Promise<CentralDoc[]> {
  const r = await q.query<{ event_id: string; device_id: string; type: string; hlc: string; payload: SaleCompleted | ReturnReceived }>(
    `SELECT event_id, device_id, type, hlc, payload FROM events
     WHERE store_id = $1 AND type IN ('sale.completed', 'return.received') AND payload->>'businessDate' = $2 ORDER BY position`,
    [storeId, date],
  );
  return r.rows.map((x) => {
    const closedAt = closeHlc.get(x.device_id);
    const afterClose = closedAt !== undefined && x.hlc > closedAt;
    if (x.type === 'sale.completed') {
      const p = x.payload as SaleCompleted;
      return { eventId: x.event_id, type: 'sale', docId: p.transactionId, currency: p.currency, amount: p.lines.reduce((s, l) => s + l.qty * l.unitPrice, 0), tenders: p.tenders, afterClose };
    }
    const p = x.payload as ReturnReceived;
    return { eventId: x.event_id, type: 'return', docId: p.returnId, currency: p.currency, amount: p.lines.reduce((s, l) => s + l.refundAmount, 0), tenders: [], afterClose };
  });
}

/** Open quarantine items of the store whose document claims this business day. */
async function quarantinedDocs(q: Queryable, storeId: string, date: string): Promise<QuarantinedDoc[]> {
  const r = await q.query<{ id: string; raw: string; error: string }>(`SELECT id, raw, error FROM quarantine WHERE store_id = $1 AND status = 'open' ORDER BY id`, [storeId]);
  const out: QuarantinedDoc[] = [];
  for (const row of r.rows) {
    type Raw = { type?: unknown; payload?: { businessDate?: unknown; transactionId?: unknown; returnId?: unknown } } | null;
    let env: Raw;
    try {
      env = JSON.parse(row.raw) as Raw;
    } catch {
      continue; // not even JSON: it cannot claim a day
    }
    if (!env?.payload || env.payload.businessDate !== date) continue;
    const docId = env.payload.transactionId ?? env.payload.returnId;
    out.push({ quarantineId: String(row.id), type: typeof env.type === 'string' ? env.type : 'unknown', docId: typeof docId === 'string' ? docId : null, error: row.error });
  }
  return out;
}

async function dayPostings(q: Queryable, storeId: string, date: string): Promise<Omit<DayPosting, 'inErp'>[]> {
  const r = await q.query<{ posting_id: string; kind: string; status: DayPosting['status']; last_error: string | null; document: ErpDocument; erp_ref: string | null }>(
    `SELECT posting_id, kind, status, last_error, document, erp_ref FROM erp_postings WHERE store_id = $1 AND business_date = $2 ORDER BY seq`,
    [storeId, date],
  );
  return r.rows.map((x) => {
    const ids = coveredIds(x.document);
    const docIds = x.document.kind === 'count' ? [x.document.countId] : [...ids.transactionIds, ...ids.returnIds];
    return { postingId: x.posting_id, kind: x.kind, status: x.status, lastError: x.last_error, docIds, erpRef: x.erp_ref };
  });
}

async function coverageOf(q: Queryable, storeId: string, eventIds: string[]): Promise<Map<string, string>> {
  if (eventIds.length === 0) return new Map();
  const r = await q.query<{ event_id: string; posting_id: string }>(
    'SELECT event_id, posting_id FROM erp_posting_events WHERE store_id = $1 AND event_id = ANY($2::uuid[])',
    [storeId, eventIds],
  );
  return new Map(r.rows.map((x) => [x.event_id, x.posting_id]));
}

/** Ask the ERP for every posted posting's reference (in one call where the connector can). */
async function erpHolds(connector: ErpConnector, postings: readonly Omit<DayPosting, 'inErp'>[]): Promise<Map<string, string>> {
  const posted = postings.filter((p) => p.status === 'posted');
  if (posted.length === 0) return new Map();
  if (connector.lookupMany) return connector.lookupMany(posted.map((p) => p.postingId));
  const found = new Map<string, string>();
  // A few at a time: an ERP like Tryton answers each look-up in milliseconds but should not get hundreds at once.
  for (let i = 0; i < posted.length; i += 4) {
    const slice = posted.slice(i, i + 4);
    const refs = await Promise.all(slice.map((p) => connector.lookup(p.postingId, p.kind as ErpDocument['kind'])));
    slice.forEach((p, j) => {
      const ref = refs[j];
      if (ref) found.set(p.postingId, ref);
    });
  }
  return found;
}

export async function reconcileStoreDay(q: Queryable, connector: ErpConnector, storeId: string, date: string): Promise<DayReconciliation> {
  const { close, closes, closeHlc } = await storeClose(q, storeId, date);
  const docs = await centralDocs(q, storeId, date, closeHlc);
  const quarantined = await quarantinedDocs(q, storeId, date);
  const postings = await dayPostings(q, storeId, date);
  const coverage = await coverageOf(q, storeId, docs.map((d) => d.eventId));
  const queued = await q.query<{ event_id: string }>('SELECT event_id FROM erp_day_pending WHERE store_id = $1 AND business_date = $2', [storeId, date]);
  let erpError: string | null = null;
  let held = new Map<string, string>();
  let extras: { postingId: string; erpRef: string }[] = [];
  try {
    held = await erpHolds(connector, postings);
    if (connector.documentsFor) {
      const mine = new Set(postings.map((p) => p.postingId));
      extras = (await connector.documentsFor(storeId, date)).filter((d) => !mine.has(d.postingId));
    }
  } catch (err) {
    erpError = err instanceof Error ? err.message : String(err);
  }
  return reconcileDay({
    storeId,
    businessDate: date,
    close,
    docs,
    quarantined,
    coverage,
    queued: new Set(queued.rows.map((x) => x.event_id)),
    postings: postings.map((p) => ({ ...p, inErp: p.status !== 'posted' || erpError ? null : held.has(p.postingId) })),
    erpExtras: extras,
    erpError,
    counted: countedVsExpected(closes),
  });
}

/**
 * Reconciliation of a business day: one store (404 if unknown), or every store with anything that day, paged by
 * store id.
 */
export async function reconcile(
  q: Queryable,
  connector: ErpConnector,
  f: { date: string; storeId?: string | undefined; after?: string | undefined; limit: number },
): Promise<{ items: DayReconciliation[]; next: string | null }> {
  if (f.storeId) {
    const s = await q.query('SELECT 1 FROM stores WHERE store_id = $1', [f.storeId]);
    if (s.rows.length === 0) throw notFound(`store ${f.storeId}`, { storeId: f.storeId });
    return { items: [await reconcileStoreDay(q, connector, f.storeId, f.date)], next: null };
  }
  const stores = await q.query<{ store_id: string }>('SELECT store_id FROM stores WHERE store_id > $1 ORDER BY store_id LIMIT $2', [f.after ?? '', f.limit]);
  const items: DayReconciliation[] = [];
  for (const { store_id } of stores.rows) {
    const day = await reconcileStoreDay(q, connector, store_id, f.date);
    // A store that did nothing that day (no close, no document, no posting) is not a line of the report.
    const quiet = !day.store && day.central.transactionCount + day.central.returnCount === 0 && day.differences.length === 0;
    if (!quiet) items.push(day);
  }
  return { items, next: stores.rows.length === f.limit ? stores.rows.at(-1)!.store_id : null };
}
