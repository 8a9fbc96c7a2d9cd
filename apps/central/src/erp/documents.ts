import type { EventEnvelope, ReturnReceived, SaleCompleted } from '@outpost/shared';
import type { ErpDocument, ErpReturnLine, ErpSaleLine } from './connector.js';

// What the ERP is asked to record for a store's facts: plain functions from events to documents (docs/erp.md).

export type PostingMode = 'per_sale' | 'day_summary';
export const POSTING_MODES: readonly PostingMode[] = ['per_sale', 'day_summary'];

/** The business day of a count, which carries none: the device's local date of the moment it was counted. */
export function countBusinessDate(occurredAt: string): string {
  // occurredAt carries the device's own offset, so its date part is the store's calendar day.
  return occurredAt.slice(0, 10);
}

export function saleDocument(p: SaleCompleted): Extract<ErpDocument, { kind: 'sale' }> {
  return {
    kind: 'sale',
    transactionId: p.transactionId,
    businessDate: p.businessDate,
    currency: p.currency,
    lines: p.lines.map((l) => ({ sku: l.sku, qty: l.qty, unitPrice: l.unitPrice, ...(l.taxAmount === undefined ? {} : { taxAmount: l.taxAmount }) })),
    tenders: p.tenders.map((t) => ({ method: t.method, amount: t.amount })),
  };
}

export function returnDocument(p: ReturnReceived): Extract<ErpDocument, { kind: 'return' }> {
  return {
    kind: 'return',
    returnId: p.returnId,
    originalTransactionId: p.originalTransactionId ?? null,
    businessDate: p.businessDate,
    currency: p.currency,
    lines: p.lines.map((l) => ({ sku: l.sku, qty: l.qty, refundAmount: l.refundAmount, reasonCode: l.reasonCode, disposition: l.disposition })),
  };
}

/** A count's document; `variances` is central's counted − expected per sku (R3), 0 where central has none. */
export function countDocument(ev: EventEnvelope<'count.submitted'>, variances: ReadonlyMap<string, number>): Extract<ErpDocument, { kind: 'count' }> {
  return {
    kind: 'count',
    countId: ev.payload.countId,
    businessDate: countBusinessDate(ev.occurredAt),
    lines: ev.payload.lines.map((l) => ({ sku: l.sku, countedQty: l.countedQty, variance: variances.get(l.sku) ?? 0 })),
  };
}

/** The document one event posts on its own (per-sale mode, and counts always); null for events the ERP does not get. */
export function documentOf(ev: EventEnvelope, variances: ReadonlyMap<string, number> = new Map()): ErpDocument | null {
  switch (ev.type) {
    case 'sale.completed':
      return saleDocument(ev.payload);
    case 'return.received':
      return returnDocument(ev.payload);
    case 'count.submitted':
      return countDocument(ev, variances);
    default:
      return null;
  }
}

/** Sales and returns go into the day summary in summary mode; counts are always their own document. */
export function summarised(ev: EventEnvelope): ev is EventEnvelope<'sale.completed' | 'return.received'> {
  return ev.type === 'sale.completed' || ev.type === 'return.received';
}

type DaySummary = Extract<ErpDocument, { kind: 'day_summary' }>;

/**
 * Day summaries of a store's sales and returns of one business day: one per currency (amounts in different
 * currencies are never added). Sale lines are aggregated per (sku, unit price), returns per (sku, reason,
 * disposition), tenders per method; the documents covered are listed for reconciliation.
 */
export function daySummaries(businessDate: string, events: readonly EventEnvelope<'sale.completed' | 'return.received'>[]): DaySummary[] {
  const byCurrency = new Map<string, EventEnvelope<'sale.completed' | 'return.received'>[]>();
  for (const ev of events) {
    const list = byCurrency.get(ev.payload.currency) ?? [];
    list.push(ev);
    byCurrency.set(ev.payload.currency, list);
  }
  return [...byCurrency.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([currency, evs]) => {
      const lines = new Map<string, ErpSaleLine>();
      const returns = new Map<string, ErpReturnLine>();
      const tenders = new Map<string, number>();
      const transactionIds: string[] = [];
      const returnIds: string[] = [];
      for (const ev of evs) {
        if (ev.type === 'sale.completed') {
          transactionIds.push(ev.payload.transactionId);
          for (const l of ev.payload.lines) {
            const key = JSON.stringify([l.sku, l.unitPrice]);
            const cur = lines.get(key) ?? { sku: l.sku, qty: 0, unitPrice: l.unitPrice };
            cur.qty += l.qty;
            if (l.taxAmount !== undefined) cur.taxAmount = (cur.taxAmount ?? 0) + l.taxAmount;
            lines.set(key, cur);
          }
          for (const t of ev.payload.tenders) tenders.set(t.method, (tenders.get(t.method) ?? 0) + t.amount);
        } else {
          returnIds.push(ev.payload.returnId);
          for (const l of ev.payload.lines) {
            const key = JSON.stringify([l.sku, l.reasonCode, l.disposition]);
            const cur = returns.get(key) ?? { sku: l.sku, qty: 0, refundAmount: 0, reasonCode: l.reasonCode, disposition: l.disposition };
            cur.qty += l.qty;
            cur.refundAmount += l.refundAmount;
            returns.set(key, cur);
          }
        }
      }
      return {
        kind: 'day_summary' as const,
        businessDate,
        currency,
        lines: [...lines.values()],
        returns: [...returns.values()],
        tenders: [...tenders.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([method, amount]) => ({ method, amount })),
        transactionIds,
        returnIds,
      };
    });
}

/** The POS documents a posting covers (reconciliation lists them by these ids). */
export function coveredIds(doc: ErpDocument): { transactionIds: string[]; returnIds: string[] } {
  switch (doc.kind) {
    case 'sale':
      return { transactionIds: [doc.transactionId], returnIds: [] };
    case 'return':
      return { transactionIds: [], returnIds: [doc.returnId] };
    case 'day_summary':
      return { transactionIds: doc.transactionIds, returnIds: doc.returnIds };
    case 'count':
      return { transactionIds: [], returnIds: [] };
  }
}

/** Money totals of a document, as the store's day close counts them (sales: qty × unit price; returns: refunds). */
export function documentTotals(doc: ErpDocument): { salesTotal: number; returnsTotal: number } {
  const sales = (lines: readonly ErpSaleLine[]) => lines.reduce((s, l) => s + l.qty * l.unitPrice, 0);
  const refunds = (lines: readonly ErpReturnLine[]) => lines.reduce((s, l) => s + l.refundAmount, 0);
  switch (doc.kind) {
    case 'sale':
      return { salesTotal: sales(doc.lines), returnsTotal: 0 };
    case 'return':
      return { salesTotal: 0, returnsTotal: refunds(doc.lines) };
    case 'day_summary':
      return { salesTotal: sales(doc.lines), returnsTotal: refunds(doc.returns) };
    case 'count':
      return { salesTotal: 0, returnsTotal: 0 };
  }
}

/** A summary cut-off: "HH:MM" (UTC) on the day after the business day (the SQL of dueSummaryDays applies it). */
export const CUTOFF_RE = /^([01]\d|2[0-3]):[0-5]\d$/;
