import { request } from '../support/http.js';
import type { Cluster, Till } from './cluster.js';
import type { Prng } from './options.js';

/** One capture the agent answered 200/201: from then on the store owns it and it must reach central once. */
export interface Answer {
  eventId: string;
  till: string;
  key: string;
  /** Deliberately out of range or unstorable: central may quarantine it (with a reason), never drop it. */
  poison: boolean;
}

/** Everything the round's clients were told, to hold the system to it at the end. */
export class Ledger {
  readonly answered = new Map<string, Answer>();
  /** `till|life|key` → the event id the first answer named; a repeat must name the same one. */
  private readonly keys = new Map<string, string>();
  readonly keyMismatches: string[] = [];
  readonly receipts = new Set<string>();
  readonly reservations = new Set<string>();
  readonly serverErrors: string[] = [];
  attempts = 0;

  record(t: Till, key: string, body: { eventId?: unknown }, poison = false): void {
    const eventId = String(body.eventId);
    const k = `${t.tag}|${t.life}|${key}`;
    const first = this.keys.get(k);
    if (first === undefined) this.keys.set(k, eventId);
    else if (first !== eventId) this.keyMismatches.push(`${t.tag} ${key}: first answered ${first}, repeat answered ${eventId}`);
    if (!this.answered.has(eventId)) this.answered.set(eventId, { eventId, till: t.tag, key, poison });
  }

  serverError(what: string, status: number, body: unknown): void {
    if (this.serverErrors.length < 50) this.serverErrors.push(`${what}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
  }
}

const SKUS = Array.from({ length: 12 }, (_, i) => `SKU-${i}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A capture request through a till's local API; network errors (the agent is down) are "not answered". */
async function post(t: Till, path: string, body: unknown): Promise<{ status: number; body: { eventId?: string; seq?: number; duplicate?: boolean } } | null> {
  if (!t.agent || t.busy) return null;
  try {
    return await request(
      'POST',
      `${t.agent.url}/api/v1${path}`,
      { body },
    ) as { status: number; body: { eventId?: string; seq?: number; duplicate?: boolean } };
  } catch {
    return null;
  }
}

interface Doc {
  path: string;
  key: string;
  body: unknown;
}

/**
 * The store traffic of a round: one lane per till capturing sales (some sent twice: a till retrying with the
 * same transaction id), returns, counts and adjustments at a paced rate; central booking receipts and taking
 * reservations; the first till of each store picking and handing over what is reserved.
 */
export class Traffic {
  private n = 0;
  private stopped = false;
  constructor(
    private readonly cluster: Cluster,
    private readonly prng: Prng,
    readonly ledger: Ledger,
    private readonly opts: { events: number; deadline: number },
  ) {}

  done(): boolean {
    return this.stopped || this.ledger.attempts >= this.opts.events || Date.now() >= this.opts.deadline;
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<void> {
    const tills = this.cluster.tills;
    const seconds = Math.max(1, (this.opts.deadline - Date.now()) / 1000);
    // Paced so the captures spread over the round (faults land among them), each lane jittered.
    const laneGapMs = Math.max(5, (tills.length * seconds * 1000) / this.opts.events);
    const lanes = tills.map((t) => this.lane(t, laneGapMs));
    const pickers = this.cluster.stores().map((s) => this.picker(tills.find((t) => t.storeId === s)!));
    await Promise.all([...lanes, ...pickers, this.centralOps()]);
  }

  private doc(t: Till): Doc {
    const i = this.n++;
    const sku = this.prng.pick(SKUS);
    const r = this.prng.next();
    if (r < 0.72) {
      const qty = this.prng.int(1, 3);
      const unitPrice = this.prng.int(1, 50) * 100;
      const id = `${t.tag}-T-${i}`;
      return { path: '/sales', key: id, body: { transactionId: id, currency: 'EUR', lines: [{ sku, qty, unitPrice }], tenders: [{ method: r < 0.4 ? 'cash' : 'card', amount: qty * unitPrice }] } };
    }
    if (r < 0.8) {
      const id = `${t.tag}-R-${i}`;
      const disposition = this.prng.pick(['restock', 'damaged', 'quarantine'] as const);
      return {
        path: '/returns',
        key: id,
        body: { returnId: id, originalTransactionId: `${t.tag}-T-${Math.max(0, i - 1)}`, currency: 'EUR', lines: [{ sku, qty: 1, refundAmount: 100, reasonCode: 'changed-mind', disposition }] },
      };
    }
    if (r < 0.9) {
      const id = `${t.tag}-C-${i}`;
      return { path: '/counts', key: id, body: { countId: id, kind: 'cycle', lines: [{ sku, countedQty: this.prng.int(0, 60) }] } };
    }
    const id = `${t.tag}-A-${i}`;
    return { path: '/adjustments', key: id, body: { adjustmentId: id, reasonCode: 'breakage', lines: [{ sku, qtyDelta: -this.prng.int(1, 2) }] } };
  }

  private async capture(t: Till, d: Doc, poison = false): Promise<void> {
    this.ledger.attempts++;
    const r = await post(t, d.path, d.body);
    if (!r) return;
    if (r.status === 200 || r.status === 201) this.ledger.record(t, d.key, r.body, poison);
    else if (r.status >= 500) this.ledger.serverError(`${t.tag} POST ${d.path}`, r.status, r.body);
  }

  private async lane(t: Till, gapMs: number): Promise<void> {
    while (!this.done()) {
      await sleep(gapMs * (0.5 + this.prng.next()));
      if (!t.agent || t.busy) continue;
      const d = this.doc(t);
      await this.capture(t, d);
      // A till retrying the same transaction (lost answer, double click): must answer the same event.
      if (this.prng.chance(0.1)) await this.capture(t, d);
    }
  }

  /** Out-of-range and unstorable values through the API: refused (4xx), or answered and then stored or quarantined. */
  async poison(t: Till): Promise<void> {
    const i = this.n++;
    const kinds: Doc[] = [
      { path: '/sales', key: `${t.tag}-PT-${i}`, body: { transactionId: `${t.tag}-PT-${i}`, currency: 'EUR', lines: [{ sku: 'SKU-0', qty: 3_000_000_000, unitPrice: 1 }], tenders: [{ method: 'cash', amount: 3_000_000_000 }] } },
      { path: '/counts', key: `${t.tag}-PC-${i}`, body: { countId: `${t.tag}-PC-${i}`, kind: 'cycle', lines: [{ sku: 'SKU-1', countedQty: 3_000_000_000 }] } },
      { path: '/sales', key: `${t.tag}-PN-${i}`, body: { transactionId: `${t.tag}-PN-${i}`, currency: 'EUR', lines: [{ sku: 'SKU-\u0000', qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] } },
      { path: '/adjustments', key: `${t.tag}-PS-${i}`, body: { adjustmentId: `${t.tag}-PS-${i}\ud800`, reasonCode: 'breakage', lines: [{ sku: 'SKU-2', qtyDelta: -1 }] } },
    ];
    await this.capture(t, this.prng.pick(kinds), true);
    try {
      const r = await this.cluster.central.api.post(`/stores/${t.storeId}/receipts`, { receiptId: `P-RC-${i}`, lines: [{ sku: 'SKU-3', qty: 2 ** 40 }] });
      if (r.status === 200 || r.status === 201) this.ledger.receipts.add(`${t.storeId}|P-RC-${i}`);
      if (r.status >= 500 && r.status !== 503) this.ledger.serverError('central POST receipts (poison)', r.status, r.body);
    } catch {
      // central down: not answered
    }
  }

  /** Central's own traffic: receipts into stores and reservations for orders. */
  private async centralOps(): Promise<void> {
    let i = 0;
    const stores = this.cluster.stores();
    while (!this.done()) {
      await sleep(500 + this.prng.int(0, 1500));
      const storeId = this.prng.pick(stores);
      try {
        if (this.prng.chance(0.4)) {
          const receiptId = `RC-${i++}`;
          const r = await this.cluster.central.api.post(`/stores/${storeId}/receipts`, { receiptId, lines: [{ sku: this.prng.pick(SKUS), qty: this.prng.int(10, 40) }] });
          if (r.status === 200 || r.status === 201) this.ledger.receipts.add(`${storeId}|${receiptId}`);
          else if (r.status >= 500 && r.status !== 503) this.ledger.serverError('central POST receipts', r.status, r.body);
        } else {
          const orderId = `O-${i++}`;
          const r = await this.cluster.central.api.post<{ reservationId?: string }>('/reservations', { orderId, storeId, lines: [{ sku: this.prng.pick(SKUS), qty: this.prng.int(1, 2) }] });
          if ((r.status === 200 || r.status === 201) && r.body.reservationId) this.ledger.reservations.add(r.body.reservationId);
          else if (r.status >= 500 && r.status !== 503) this.ledger.serverError('central POST reservations', r.status, r.body);
        }
      } catch {
        // central down (killed by the round): not answered
      }
    }
  }

  /** A store associate working the pick list on the store's first till. */
  private async picker(t: Till): Promise<void> {
    while (!this.done()) {
      await sleep(1000 + this.prng.int(0, 1000));
      if (!t.agent || t.busy) continue;
      try {
        const list = await request<{ items: { reservationId: string; status: string; lines: { sku: string; qty: number }[] }[] }>(
          'GET',
          `${t.agent.url}/api/v1/picks?status=delivered&limit=5`,
        );
        if (list.status !== 200) continue;
        for (const p of list.body.items) {
          const short = this.prng.chance(0.2);
          const lines = p.lines.map((l) => ({ sku: l.sku, pickedQty: short ? Math.max(0, l.qty - 1) : l.qty }));
          const c = await post(t, `/picks/${encodeURIComponent(p.reservationId)}/confirm`, { lines });
          if (c && (c.status === 200 || c.status === 201)) this.ledger.record(t, `pick:${p.reservationId}`, c.body);
          else if (c && c.status >= 500) this.ledger.serverError(`${t.tag} confirm pick`, c.status, c.body);
          if (!c || c.status >= 300 || lines.every((l) => l.pickedQty === 0)) continue;
          const h = await post(t, `/picks/${encodeURIComponent(p.reservationId)}/handover`, {});
          if (h && (h.status === 200 || h.status === 201)) this.ledger.record(t, `handover:${p.reservationId}`, h.body);
          else if (h && h.status >= 500) this.ledger.serverError(`${t.tag} handover`, h.status, h.body);
        }
      } catch {
        // the agent went down meanwhile
      }
    }
  }
}
