import { formatMoney, type DayClosed } from '@outpost/shared';

// Reconciliation of one store and business day (docs/erp.md), as a plain function: the store's day.closed control
// totals against what central holds, and central's documents against what the ERP confirmed. Every difference
// names the transactions (POS ids) and postings involved, so finance can chase each one.

export interface CentralDoc {
  eventId: string;
  type: 'sale' | 'return';
  /** transactionId of a sale, returnId of a return. */
  docId: string;
  currency: string;
  amount: number;
  tenders: { method: string; amount: number }[];
  /** Captured after the store's day close (a later hlc than the day.closed event): not in the store's totals. */
  afterClose: boolean;
}

export interface QuarantinedDoc {
  quarantineId: string;
  type: string;
  docId: string | null;
  error: string;
}

export interface DayPosting {
  postingId: string;
  kind: string;
  status: 'pending' | 'posted' | 'retrying' | 'dead';
  lastError: string | null;
  /** POS ids the posting covers (sales, returns, or the count id). */
  docIds: string[];
  /** Posted and found in the ERP under our reference: true; posted but absent: false; not asked: null. */
  inErp: boolean | null;
  erpRef: string | null;
}

export interface ReconcileInput {
  storeId: string;
  businessDate: string;
  close: DayClosed | null;
  docs: CentralDoc[];
  quarantined: QuarantinedDoc[];
  /** Central documents by event id → the posting that covers them (absent: queued for a day summary). */
  coverage: ReadonlyMap<string, string>;
  /** Central documents queued for a day summary not cut yet. */
  queued: ReadonlySet<string>;
  postings: DayPosting[];
  /** ERP documents for the day under one of our references that central holds no posting of this day for. */
  erpExtras: { postingId: string; erpRef: string }[];
  /** Null when the ERP answered; otherwise why it could not be asked. */
  erpError: string | null;
  /** What the store counted at its closes against what they say was tendered (countedVsExpected). */
  counted: readonly CountedRow[];
}

/** One tender method the store counted at the close. */
export interface CountedRow {
  method: string;
  /** Tendered by that method, by the closes that carry a count of it. */
  expected: number;
  counted: number;
  /** counted − expected: negative when the drawer is short. */
  difference: number;
}

/**
 * Counted against expected per tender method, over the closes of one store-day (one per device). Only a close that
 * counted a method adds its tendered amount of that method to "expected": a till closed without a count would
 * otherwise show as money missing from the drawers that were counted. Returns carry no tender method, so cash
 * refunds are not taken off "expected" (a drawer that paid refunds in cash shows short by them).
 */
export function countedVsExpected(closes: readonly DayClosed[]): CountedRow[] {
  const rows = new Map<string, { expected: number; counted: number }>();
  for (const c of closes) {
    for (const x of c.countedCash ?? []) {
      const row = rows.get(x.method) ?? { expected: 0, counted: 0 };
      row.counted += x.amount;
      row.expected += c.tenders.filter((t) => t.method === x.method).reduce((s, t) => s + t.amount, 0);
      rows.set(x.method, row);
    }
  }
  return [...rows]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([method, r]) => ({ method, expected: r.expected, counted: r.counted, difference: r.counted - r.expected }));
}

export interface Totals {
  transactionCount: number;
  returnCount: number;
  salesTotal: number;
  returnsTotal: number;
  tenders: { method: string; amount: number }[];
}

export interface Difference {
  kind: 'store_vs_central' | 'counted_cash' | 'not_posted' | 'missing_in_erp' | 'extra_in_erp' | 'erp_unreachable';
  message: string;
  fields?: { field: string; store: number; central: number }[];
  transactionIds: string[];
  returnIds: string[];
  postingIds: string[];
  details?: unknown;
}

export interface DayReconciliation {
  storeId: string;
  businessDate: string;
  /** matched: closed and no difference; differences: at least one; open: no day.closed yet (differences listed). */
  status: 'matched' | 'differences' | 'open';
  currency: string | null;
  store: Totals | null;
  central: Totals;
  erp: Totals;
  /** Per tender method the store counted at the close: counted, expected (tendered), difference. Empty: not counted. */
  countedCash: CountedRow[];
  differences: Difference[];
}

function totalsOf(docs: readonly CentralDoc[]): Totals {
  const tenders = new Map<string, number>();
  let salesTotal = 0;
  let returnsTotal = 0;
  let transactionCount = 0;
  let returnCount = 0;
  for (const d of docs) {
    if (d.type === 'sale') {
      transactionCount++;
      salesTotal += d.amount;
      for (const t of d.tenders) tenders.set(t.method, (tenders.get(t.method) ?? 0) + t.amount);
    } else {
      returnCount++;
      returnsTotal += d.amount;
    }
  }
  return { transactionCount, returnCount, salesTotal, returnsTotal, tenders: [...tenders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([method, amount]) => ({ method, amount })) };
}

function fieldDiffs(store: Totals, central: Totals): { field: string; store: number; central: number }[] {
  const out: { field: string; store: number; central: number }[] = [];
  for (const f of ['transactionCount', 'returnCount', 'salesTotal', 'returnsTotal'] as const) {
    if (store[f] !== central[f]) out.push({ field: f, store: store[f], central: central[f] });
  }
  const methods = new Set([...store.tenders.map((t) => t.method), ...central.tenders.map((t) => t.method)]);
  for (const m of [...methods].sort()) {
    const a = store.tenders.find((t) => t.method === m)?.amount ?? 0;
    const b = central.tenders.find((t) => t.method === m)?.amount ?? 0;
    if (a !== b) out.push({ field: `tender:${m}`, store: a, central: b });
  }
  return out;
}

const idsOf = (docs: readonly CentralDoc[], type: 'sale' | 'return') => docs.filter((d) => d.type === type).map((d) => d.docId);

export function reconcileDay(i: ReconcileInput): DayReconciliation {
  const currency = i.close?.currency ?? i.docs[0]?.currency ?? null;
  // The store's totals are in its currency; documents in another one are not in them (as the agent counts).
  const inCurrency = i.docs.filter((d) => currency === null || d.currency === currency);
  const central = totalsOf(inCurrency);
  const differences: Difference[] = [];

  let store: Totals | null = null;
  if (i.close) {
    store = { ...i.close, tenders: [...i.close.tenders].sort((a, b) => (a.method < b.method ? -1 : 1)) };
    const fields = fieldDiffs(store, central);
    if (fields.length > 0) {
      const after = inCurrency.filter((d) => d.afterClose);
      const q = i.quarantined;
      const parts = [
        q.length ? `quarantined at central, so not in its books: ${q.map((x) => x.docId ?? `quarantine #${x.quarantineId}`).join(', ')}` : '',
        after.length ? `captured after the day close: ${after.map((d) => d.docId).join(', ')}` : '',
      ].filter(Boolean);
      differences.push({
        kind: 'store_vs_central',
        message: `the store's day close and central differ (${fields.map((f) => `${f.field} ${f.store} vs ${f.central}`).join('; ')})${parts.length ? `; ${parts.join('; ')}` : '; no quarantined document explains it (not synced yet?)'}`,
        fields,
        transactionIds: [...q.filter((x) => x.type === 'sale.completed').map((x) => x.docId ?? ''), ...idsOf(after, 'sale')].filter(Boolean),
        returnIds: [...q.filter((x) => x.type === 'return.received').map((x) => x.docId ?? ''), ...idsOf(after, 'return')].filter(Boolean),
        postingIds: [],
        details: { quarantined: q, afterClose: after.map((d) => ({ eventId: d.eventId, type: d.type, docId: d.docId })) },
      });
    }
  } else if (i.quarantined.length > 0) {
    const q = i.quarantined;
    differences.push({
      kind: 'store_vs_central',
      message: `documents of this day are quarantined at central: ${q.map((x) => x.docId ?? `#${x.quarantineId}`).join(', ')}`,
      transactionIds: q.filter((x) => x.type === 'sale.completed' && x.docId).map((x) => x.docId!),
      returnIds: q.filter((x) => x.type === 'return.received' && x.docId).map((x) => x.docId!),
      postingIds: [],
      details: { quarantined: q },
    });
  }

  // The drawer: what the associate counted against what the close says was tendered.
  const off = i.counted.filter((c) => c.difference !== 0);
  if (off.length > 0) {
    const m = (n: number) => formatMoney({ amount: n, currency: currency ?? 'XXX' });
    differences.push({
      kind: 'counted_cash',
      message: `counted at the day close differs from what was tendered: ${off
        .map((c) => `${c.method} counted ${m(c.counted)}, tendered ${m(c.expected)} (${c.difference > 0 ? 'over' : 'short'} by ${m(Math.abs(c.difference))})`)
        .join('; ')}`,
      transactionIds: [],
      returnIds: [],
      postingIds: [],
      details: { counted: off },
    });
  }

  // Central → ERP: every central document's posting must be posted and held by the ERP.
  const byPosting = new Map(i.postings.map((p) => [p.postingId, p]));
  const unposted = i.docs.filter((d) => {
    const p = byPosting.get(i.coverage.get(d.eventId) ?? '');
    return !p || p.status !== 'posted';
  });
  const unpostedPostings = i.postings.filter((p) => p.status !== 'posted');
  if (unposted.length > 0 || unpostedPostings.length > 0) {
    const queued = unposted.filter((d) => !i.coverage.has(d.eventId) && i.queued.has(d.eventId));
    const orphans = unposted.filter((d) => !i.coverage.has(d.eventId) && !i.queued.has(d.eventId));
    differences.push({
      kind: 'not_posted',
      message: `not in the ERP yet: ${[
        ...unpostedPostings.map((p) => `${p.kind} ${p.docIds.join(', ')} is ${p.status}${p.lastError ? ` (${p.lastError})` : ''}`),
        ...(queued.length ? [`${queued.map((d) => d.docId).join(', ')} waiting for the day summary`] : []),
        ...(orphans.length ? [`${orphans.map((d) => d.docId).join(', ')} stored without an ERP posting`] : []),
      ].join('; ')}`,
      transactionIds: idsOf(unposted, 'sale'),
      returnIds: idsOf(unposted, 'return'),
      postingIds: unpostedPostings.map((p) => p.postingId),
      details: { postings: unpostedPostings.map((p) => ({ postingId: p.postingId, kind: p.kind, status: p.status, lastError: p.lastError, docIds: p.docIds })) },
    });
  }
  const missing = i.postings.filter((p) => p.status === 'posted' && p.inErp === false);
  if (missing.length > 0) {
    const missingIds = new Set(missing.map((p) => p.postingId));
    const docs = i.docs.filter((d) => missingIds.has(i.coverage.get(d.eventId) ?? ''));
    differences.push({
      kind: 'missing_in_erp',
      message: `posted, but the ERP holds no document under our reference: ${missing.map((p) => `${p.kind} ${p.docIds.join(', ')} (posting ${p.postingId})`).join('; ')}`,
      transactionIds: idsOf(docs, 'sale'),
      returnIds: idsOf(docs, 'return'),
      postingIds: missing.map((p) => p.postingId),
    });
  }
  if (i.erpExtras.length > 0) {
    differences.push({
      kind: 'extra_in_erp',
      message: `the ERP holds documents for this day that central did not post for it: ${i.erpExtras.map((x) => `${x.erpRef} (reference ${x.postingId})`).join(', ')}`,
      transactionIds: [],
      returnIds: [],
      postingIds: i.erpExtras.map((x) => x.postingId),
      details: { documents: i.erpExtras },
    });
  }
  if (i.erpError) {
    differences.push({ kind: 'erp_unreachable', message: `the ERP could not be asked: ${i.erpError}`, transactionIds: [], returnIds: [], postingIds: [] });
  }

  const confirmed = new Set(i.postings.filter((p) => p.status === 'posted' && p.inErp !== false && !(i.erpError && p.inErp === null)).map((p) => p.postingId));
  const erp = totalsOf(inCurrency.filter((d) => confirmed.has(i.coverage.get(d.eventId) ?? '')));
  return {
    storeId: i.storeId,
    businessDate: i.businessDate,
    status: !i.close ? 'open' : differences.length > 0 ? 'differences' : 'matched',
    currency,
    store,
    central,
    erp,
    countedCash: [...i.counted],
    differences,
  };
}
