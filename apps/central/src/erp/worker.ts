import type pg from 'pg';
import { uuidv7 } from '@outpost/shared';
import { retryDelayMs, startPollLoop, withTransaction } from '../platform/index.js';
import { CircuitBreaker, type CircuitSnapshot } from './circuit-breaker.js';
import { claimStores, markDead, markPosted, markRetry, openPostings, releaseLease, renewLease, renewLeases, type OpenPosting } from './claims.js';
import type { ErpConnector, PostOutcome } from './connector.js';
import { cutDaySummary, dueSummaryDays } from './outbox.js';
import type { ErpWorkerSettings } from './settings.js';

export interface ErpWorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ErpWorkerDeps {
  pool: pg.Pool;
  connector: ErpConnector;
  settings: ErpWorkerSettings;
  /** Default summary cut-off ("HH:MM" UTC, next day) for stores without their own. */
  summaryCutoff: string;
  log: ErpWorkerLog;
  /** This node's name in store leases (default: a fresh id per worker). */
  owner?: string;
  /** Told about every outcome (metrics). */
  onOutcome?: (o: { storeId: string; kind: string; outcome: 'posted' | 'already_posted' | 'retry' | 'dead'; seconds: number }) => void;
}

export interface ErpWorker {
  wake(): void;
  stop(): Promise<void>;
  circuit(): CircuitSnapshot;
}

/** Postings a store hands its worker per read; the lease is renewed after each. */
const PAGE = 50;

/**
 * Posts the outbox: claims stores whose oldest open posting is due, posts each store's postings in order through
 * the connector, backs off exponentially (with jitter) on transient failures, dead-letters what the ERP refuses,
 * and stops calling an ERP that is down (circuit breaker) until a probe gets through.
 */
export function startErpWorker(d: ErpWorkerDeps): ErpWorker {
  const s = d.settings;
  const owner = d.owner ?? `erp-${uuidv7()}`;
  const circuit = new CircuitBreaker({ threshold: s.circuitThreshold, cooldownMs: s.circuitCooldownMs, maxCooldownMs: s.circuitMaxCooldownMs });
  let lastCut = 0;
  // Stores this worker works right now, and those whose lease the heartbeat found taken: stop after the call
  // in flight (a lease runs out only when renewals failed, e.g. while the database was away).
  const working = new Set<string>();
  const lost = new Set<string>();
  const heartbeat = setInterval(() => {
    if (working.size === 0) return;
    const ids = [...working];
    renewLeases(d.pool, owner, ids, s.leaseMs).then(
      (held) => {
        for (const id of ids) if (!held.has(id) && working.has(id)) lost.add(id);
      },
      (err: unknown) => d.log.warn({ err, stores: ids }, 'could not renew the ERP store leases; retrying at the next beat'),
    );
  }, Math.max(Math.floor(s.leaseMs / 3), 50));
  heartbeat.unref();
  // Stopping aborts calls in flight (they are retried by whoever works the store next), so a slow ERP cannot hold
  // central's shutdown for a whole call timeout.
  const stopping = new AbortController();

  async function call(p: OpenPosting): Promise<PostOutcome> {
    try {
      return await d.connector.post(
        { postingId: p.postingId, storeId: p.storeId, correlationId: p.correlationId, document: p.document },
        AbortSignal.any([AbortSignal.timeout(s.timeoutMs), stopping.signal]),
      );
    } catch (err) {
      // A connector that throws did not get an answer from the ERP: transient by definition.
      const e = err as Error;
      return { ok: false, retryable: true, error: `${e.name}: ${e.message}` };
    }
  }

  /** Post one; answers whether the store's next posting may follow now (and the lease is still ours). */
  async function postOne(p: OpenPosting): Promise<boolean> {
    const started = process.hrtime.bigint();
    const o = await call(p);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const ctx = { postingId: p.postingId, storeId: p.storeId, kind: p.document.kind, correlationId: p.correlationId, attempt: p.attempts + 1, connector: d.connector.name };
    if (o.ok) {
      circuit.success();
      const held = await markPosted(d.pool, p.postingId, o.erpRef, d.connector.name, { storeId: p.storeId, owner, leaseMs: s.leaseMs }, o.warnings);
      d.log.info({ ...ctx, erpRef: o.erpRef, alreadyPosted: o.alreadyPosted, seconds, ...(o.warnings ? { warnings: o.warnings } : {}) }, o.alreadyPosted ? 'ERP already holds the posting' : 'posted to the ERP');
      d.onOutcome?.({ storeId: p.storeId, kind: p.document.kind, outcome: o.alreadyPosted ? 'already_posted' : 'posted', seconds });
      return held;
    }
    if (o.retryable) {
      circuit.failure(o.error);
      const delay = retryDelayMs(p.attempts + 1, s.retryBaseMs, s.retryMaxMs);
      await markRetry(d.pool, p.postingId, o.error, delay);
      d.log.warn({ ...ctx, error: o.error, retryInMs: delay, circuit: circuit.state }, 'ERP posting failed; will retry');
      d.onOutcome?.({ storeId: p.storeId, kind: p.document.kind, outcome: 'retry', seconds });
      return false;
    }
    // The ERP answered and refused this document: it is up; the posting is a dead letter, the next may go.
    circuit.success();
    await markDead(d.pool, p.postingId, o.error, o.details, d.connector.name);
    d.log.error({ ...ctx, error: o.error, details: o.details }, 'ERP refused the posting; dead letter');
    d.onOutcome?.({ storeId: p.storeId, kind: p.document.kind, outcome: 'dead', seconds });
    return renewLease(d.pool, p.storeId, owner, s.leaseMs);
  }

  async function workStore(storeId: string): Promise<void> {
    working.add(storeId);
    try {
      for (;;) {
        const open = await openPostings(d.pool, storeId, PAGE);
        for (const p of open) {
          if (lost.has(storeId)) return;
          // In order: a posting waiting for its retry holds back the store's later ones.
          if (!p.due || !circuit.tryAcquire()) return;
          if (!(await postOne(p))) return;
        }
        if (open.length < PAGE) return;
      }
    } finally {
      working.delete(storeId);
      lost.delete(storeId);
      await releaseLease(d.pool, storeId, owner).catch((err: unknown) => d.log.warn({ err, storeId }, 'could not release the store lease; it runs out by itself'));
    }
  }

  /** Summary-mode days past their cut-off (or already summarised, for late sales) get their summary. */
  async function cutDue(): Promise<void> {
    const days = await dueSummaryDays(d.pool, d.summaryCutoff);
    for (const day of days) {
      const made = await withTransaction(d.pool, (tx) => cutDaySummary(tx, day.storeId, day.businessDate, null));
      if (made.length > 0) d.log.info({ storeId: day.storeId, businessDate: day.businessDate, postings: made.map((p) => p.postingId), correlationId: made[0]!.correlationId }, 'day summary cut at the cut-off');
    }
  }

  const loop = startPollLoop({
    intervalMs: s.pollMs,
    onError: (err) => d.log.warn({ err }, 'ERP posting pass failed; will retry'),
    pass: async () => {
      if (Date.now() - lastCut >= Math.max(s.pollMs, 1000)) {
        lastCut = Date.now();
        await cutDue();
      }
      if (circuit.state === 'open') return false;
      // Half-open: one store only, whose first posting is the probe.
      const want = circuit.state === 'half_open' ? 1 : s.concurrency;
      const stores = await claimStores(d.pool, owner, s.leaseMs, want);
      await Promise.all(stores.map((id) => workStore(id)));
      return stores.length === want && circuit.state === 'closed';
    },
  });

  return {
    wake: () => loop.wake(),
    stop: async () => {
      stopping.abort(new Error('central is stopping'));
      await loop.stop();
      clearInterval(heartbeat);
    },
    circuit: () => circuit.snapshot(),
  };
}
