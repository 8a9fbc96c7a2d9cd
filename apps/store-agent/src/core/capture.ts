import { and, eq, inArray } from 'drizzle-orm';
import {
  CURRENT_EVENT_VERSION,
  countsOf,
  HybridClock,
  movementsOf,
  parseEvent,
  uuidv7,
  type agentApi,
  type CountedCash,
  type DayClosed,
  type EventPayloadMap,
  type EventType,
  type ReturnReceived,
  type SaleCompleted,
} from '@outpost/shared';
import type { AgentDb } from './db/open.js';
import type { Statement } from 'better-sqlite3';
import { outbox } from './db/schema.js';
import type { LocalStock } from './stock.js';
import type { SyncStateStore } from './state.js';

export interface CaptureResult {
  eventId: string;
  seq: number;
  duplicate: boolean;
}

/** A capture that produced an event failing the shared schema: a bug in the agent, kept out of the outbox. */
export class InvalidEventError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(message);
  }
}

/**
 * The database could not grow (disk or volume full): nothing of this capture was kept, everything before it is.
 * The till must be told plainly, since this document is NOT saved.
 */
export class StorageFullError extends Error {
  constructor(cause: Error) {
    super(`this PC's disk is full: the document was NOT saved (earlier ones are safe). Free disk space, then enter it again (${cause.message})`);
  }
}

/** SQLite's "database or disk is full" (SQLITE_FULL), also when the WAL or a temp file could not grow. */
export function isStorageFull(e: unknown): e is Error {
  const code = (e as { code?: unknown } | null)?.code;
  return e instanceof Error && typeof code === 'string' && (code === 'SQLITE_FULL' || code.startsWith('SQLITE_FULL_'));
}

export interface CaptureDeps {
  adb: AgentDb;
  clock: HybridClock;
  /** Writes the capture cursor (seq and stamp) in the capture's transaction. */
  state: SyncStateStore;
  now: () => number;
  storeId: string;
  deviceId: string;
  currency: string;
  /** The local stock picture, updated in the capture's own transaction. */
  stock: LocalStock;
  /** Called after a new event committed: wakes the sync pump. */
  onCaptured?: () => void;
  /** Told when a capture failed for want of disk space (the message) and when one succeeded again (null). */
  onStorageError?: (message: string | null) => void;
}

type Kind = 'sale' | 'return' | 'count' | 'adjustment' | 'day' | 'pick' | 'pickup';

/** The store's calendar date now (local time zone: a business day is the store's day, not UTC's). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Turns store documents into §2 events. Each capture is ONE synchronous SQLite transaction (key check, seq,
 * outbox row, key row, cursor, local stock), so a crash leaves either the whole event or nothing, and seq stays gap-free.
 */
export class Capture {
  // The capture path is the till's wait: plain prepared statements, built once, rather than a query builder per
  // call (the bench showed ~0.3 ms of CPU per capture spent building SQL).
  private readonly q: {
    findKey: Statement<[string, string], { eventId: string; seq: number }>;
    lastSeq: Statement<[], { lastSeq: number }>;
    insertOutbox: Statement<[number, string, string, string, string | null, string]>;
    insertKey: Statement<[string, string, string, number]>;
    knownSkus: Statement<[string], { sku: string }>;
  };

  constructor(private readonly d: CaptureDeps) {
    const db = d.adb.sqlite;
    this.q = {
      findKey: db.prepare('SELECT event_id AS eventId, seq FROM capture_keys WHERE kind = ? AND doc_id = ?'),
      lastSeq: db.prepare('SELECT last_seq AS lastSeq FROM sync_state WHERE id = 1'),
      insertOutbox: db.prepare('INSERT INTO outbox (seq, event_id, type, body, business_date, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
      insertKey: db.prepare('INSERT INTO capture_keys (kind, doc_id, event_id, seq) VALUES (?, ?, ?, ?)'),
      knownSkus: db.prepare('SELECT sku FROM items WHERE sku IN (SELECT value FROM json_each(?))'),
    };
  }

  sale(body: agentApi.SaleBody): CaptureResult {
    return this.record('sale', body.transactionId, 'sale.completed', () => {
      const known = this.knownSkus(body.lines.map((l) => l.sku));
      const payload: SaleCompleted = {
        transactionId: body.transactionId,
        businessDate: body.businessDate ?? localDate(this.d.now()),
        currency: body.currency ?? this.d.currency,
        // Never refuse a sale at the till: an sku missing from the local item master is sold and flagged.
        lines: body.lines.map((l) => (known.has(l.sku) ? { ...l } : { ...l, unknownSku: true })),
        tenders: body.tenders,
      };
      return payload;
    });
  }

  return(body: agentApi.ReturnBody): CaptureResult {
    return this.record('return', body.returnId, 'return.received', () => {
      const payload: ReturnReceived = {
        returnId: body.returnId,
        ...(body.originalTransactionId === undefined ? {} : { originalTransactionId: body.originalTransactionId }),
        businessDate: body.businessDate ?? localDate(this.d.now()),
        currency: body.currency ?? this.d.currency,
        lines: body.lines,
      };
      return payload;
    });
  }

  count(body: agentApi.CountBody): CaptureResult {
    return this.record('count', body.countId, 'count.submitted', () => ({ countId: body.countId, kind: body.kind, lines: body.lines }));
  }

  adjustment(body: agentApi.AdjustmentBody): CaptureResult {
    return this.record('adjustment', body.adjustmentId, 'stock.adjusted', () => ({
      adjustmentId: body.adjustmentId,
      reasonCode: body.reasonCode,
      lines: body.lines,
    }));
  }

  /**
   * Control totals of the day's captured sales and returns in the store currency, with what the associate counted
   * when given; the first close of a date wins (a second one, counted or not, answers the first).
   */
  closeDay(businessDate: string, countedCash?: CountedCash): CaptureResult {
    return this.record('day', businessDate, 'day.closed', () => ({ ...this.dayTotals(businessDate), ...(countedCash === undefined ? {} : { countedCash }) }));
  }

  /** What closing `businessDate` now would send, for the associate to check against the drawer first. */
  dayTotals(businessDate: string): DayClosed {
    const currency = this.d.currency;
    const rows = this.d.adb.db
      .select({ type: outbox.type, body: outbox.body })
      .from(outbox)
      .where(and(eq(outbox.businessDate, businessDate), inArray(outbox.type, ['sale.completed', 'return.received'])))
      .all();
    let transactionCount = 0;
    let returnCount = 0;
    let salesTotal = 0;
    let returnsTotal = 0;
    const tenders = new Map<string, number>();
    for (const r of rows) {
      const env = JSON.parse(r.body) as { payload: SaleCompleted | ReturnReceived };
      // Totals are per currency: a document in another currency cannot be added to these sums.
      if (env.payload.currency !== currency) continue;
      if (r.type === 'sale.completed') {
        const p = env.payload as SaleCompleted;
        transactionCount++;
        for (const l of p.lines) salesTotal += l.qty * l.unitPrice;
        for (const t of p.tenders) tenders.set(t.method, (tenders.get(t.method) ?? 0) + t.amount);
      } else {
        const p = env.payload as ReturnReceived;
        returnCount++;
        for (const l of p.lines) returnsTotal += l.refundAmount;
      }
    }
    return {
      businessDate,
      currency,
      transactionCount,
      returnCount,
      salesTotal,
      returnsTotal,
      tenders: [...tenders].sort(([a], [b]) => (a < b ? -1 : 1)).map(([method, amount]) => ({ method, amount })),
    };
  }

  /** The event a document id was captured as, if it was. */
  findDocument(kind: Kind, docId: string): { eventId: string; seq: number } | null {
    return this.q.findKey.get(kind, docId) ?? null;
  }

  /**
   * A pick or handover of a reservation (document id = reservation id): carries the reservation's correlation id,
   * and `apply` moves the local reservation in the same transaction as the event, so neither exists without the other.
   */
  reservationEvent<T extends 'pick.confirmed' | 'pickup.completed'>(
    kind: 'pick' | 'pickup',
    type: T,
    payload: EventPayloadMap[T],
    correlationId: string | null,
    apply: () => void,
  ): CaptureResult {
    return this.record(kind, payload.reservationId, type, () => payload, { correlationId, within: apply });
  }

  private knownSkus(skus: string[]): Set<string> {
    return new Set(this.q.knownSkus.all(JSON.stringify(skus)).map((r) => r.sku));
  }

  private record<T extends EventType>(
    kind: Kind,
    docId: string,
    type: T,
    build: () => EventPayloadMap[T],
    opts: { correlationId?: string | null; within?: () => void } = {},
  ): CaptureResult {
    let result: CaptureResult;
    try {
      result = this.transaction(kind, docId, type, build, opts);
    } catch (e) {
      if (!isStorageFull(e)) throw e;
      const err = new StorageFullError(e);
      this.d.onStorageError?.(err.message);
      throw err;
    }
    this.d.onStorageError?.(null);
    if (!result.duplicate) this.d.onCaptured?.();
    return result;
  }

  private transaction<T extends EventType>(
    kind: Kind,
    docId: string,
    type: T,
    build: () => EventPayloadMap[T],
    opts: { correlationId?: string | null; within?: () => void },
  ): CaptureResult {
    const { adb, clock, now, storeId, deviceId } = this.d;
    const { q } = this;
    return adb.sqlite
      .transaction((): CaptureResult => {
        const seen = q.findKey.get(kind, docId);
        if (seen) return { ...seen, duplicate: true };

        const last = q.lastSeq.get();
        if (!last) throw new Error('sync_state is not initialised');
        const seq = last.lastSeq + 1;
        const at = now();
        const eventId = uuidv7(at);
        const hlc = clock.tick();
        const payload = build();
        const envelope = {
          eventId,
          storeId,
          deviceId,
          seq,
          hlc,
          occurredAt: new Date(at).toISOString(),
          type,
          schemaVersion: CURRENT_EVENT_VERSION[type],
          correlationId: opts.correlationId ?? uuidv7(at),
          payload,
        };
        const parsed = parseEvent(envelope);
        if (!parsed.ok) throw new InvalidEventError(`capture built an invalid ${type} event: ${parsed.error}`, parsed.issues);
        const businessDate = (payload as { businessDate?: string }).businessDate ?? null;
        q.insertOutbox.run(seq, eventId, type, JSON.stringify(envelope), businessDate, envelope.occurredAt);
        q.insertKey.run(kind, docId, eventId, seq);
        this.d.state.setCapture(seq, hlc);
        // Stock moves with the event in one transaction, derived by the same shared rules central uses.
        this.d.stock.record(movementsOf(parsed.value), countsOf(parsed.value), { capturedHere: true });
        opts.within?.();
        return { eventId, seq, duplicate: false };
      })
      // IMMEDIATE: take the write lock before reading last_seq, so a second writer can never pick the same seq.
      .immediate();
  }
}
