import type { AgentHandle } from './procs.js';

/** A realistic sale body for the agent's POST /sales. */
export function saleBody(transactionId: string, i = 0) {
  const qty = 1 + (i % 3);
  const unitPrice = 199 + (i % 7) * 100;
  return {
    transactionId,
    lines: [{ sku: `SKU-${i % 50}`, qty, unitPrice }],
    tenders: [{ method: i % 2 ? 'card' : 'cash', amount: qty * unitPrice }],
    currency: 'EUR',
  };
}

/** The i-th of a varied stream of store documents: mostly sales, some returns, counts and adjustments. */
export function documentFor(i: number): { path: string; body: unknown; key: string } {
  switch (i % 10) {
    case 7:
      return {
        path: '/returns',
        key: `R-${i}`,
        body: { returnId: `R-${i}`, originalTransactionId: `T-${i - 1}`, currency: 'EUR', lines: [{ sku: `SKU-${i % 50}`, qty: 1, refundAmount: 199, reasonCode: 'changed-mind', disposition: i % 20 === 7 ? 'restock' : 'damaged' }] },
      };
    case 8:
      return { path: '/counts', key: `C-${i}`, body: { countId: `C-${i}`, kind: 'cycle', lines: [{ sku: `SKU-${i % 50}`, countedQty: 10 + (i % 5) }] } };
    case 9:
      return { path: '/adjustments', key: `A-${i}`, body: { adjustmentId: `A-${i}`, reasonCode: 'breakage', lines: [{ sku: `SKU-${i % 50}`, qtyDelta: -1 }] } };
    default:
      return { path: '/sales', key: `T-${i}`, body: saleBody(`T-${i}`, i) };
  }
}

export interface Captured {
  key: string;
  eventId: string;
  seq: number;
}

/**
 * Capture documents 0..n-1 through the agent's HTTP API with a few requests in flight (as several till lanes
 * would). Every `repeatEvery`-th document is sent a second time; the repeat must answer 200 with the first event.
 */
export async function captureMany(agent: AgentHandle, n: number, opts: { start?: number; repeatEvery?: number; concurrency?: number } = {}) {
  const start = opts.start ?? 0;
  const captured: Captured[] = [];
  const repeats: { key: string; first: string; again: string; status: number }[] = [];
  let next = start;
  const worker = async () => {
    while (next < start + n) {
      const i = next++;
      const doc = documentFor(i);
      const r = await agent.api.post<{ eventId: string; seq: number; duplicate: boolean }>(doc.path, doc.body);
      if (r.status !== 201) throw new Error(`capture ${doc.key}: ${r.status} ${JSON.stringify(r.body)}`);
      captured.push({ key: doc.key, eventId: r.body.eventId, seq: r.body.seq });
      if (opts.repeatEvery && i % opts.repeatEvery === 0) {
        const again = await agent.api.post<{ eventId: string }>(doc.path, doc.body);
        repeats.push({ key: doc.key, first: r.body.eventId, again: again.body.eventId, status: again.status });
      }
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 6 }, worker));
  return { captured, repeats };
}
