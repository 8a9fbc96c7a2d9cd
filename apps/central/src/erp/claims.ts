import { type Queryable, toNumber } from '../platform/index.js';
import type { ErpDocument } from './connector.js';

// The worker's side of the outbox: a store is claimed with a lease (SKIP LOCKED, so nodes never wait on each
// other), its open postings are posted in order, and each outcome is written back. The lease is short and its
// holder renews it while it works (a heartbeat), so a node that dies holding stores leaves them to whoever claims
// them a few seconds later; the connector's look-up-before-create makes that retry harmless.

/**
 * Claim up to `limit` stores whose oldest open posting is due, for `leaseMs`. A store is held by one worker
 * at a time, so its postings reach the ERP in order.
 */
export async function claimStores(q: Queryable, owner: string, leaseMs: number, limit: number): Promise<string[]> {
  const r = await q.query<{ store_id: string }>(
    `UPDATE erp_store_leases l SET owner = $1, leased_until = now() + ($2::int * interval '1 millisecond')
     WHERE l.store_id IN (
       SELECT s.store_id FROM erp_store_leases s
       WHERE s.leased_until < now()
         AND (SELECT p.next_attempt_at FROM erp_postings p
              WHERE p.store_id = s.store_id AND p.status IN ('pending', 'retrying') ORDER BY p.seq LIMIT 1) <= now()
       ORDER BY s.leased_until LIMIT $3 FOR UPDATE SKIP LOCKED)
     RETURNING l.store_id`,
    [owner, leaseMs, limit],
  );
  return r.rows.map((x) => x.store_id);
}

/** Extend the lease; false when it was lost (expired and taken by another worker): stop working the store. */
export async function renewLease(q: Queryable, storeId: string, owner: string, leaseMs: number): Promise<boolean> {
  const r = await q.query(
    `UPDATE erp_store_leases SET leased_until = now() + ($3::int * interval '1 millisecond') WHERE store_id = $1 AND owner = $2`,
    [storeId, owner, leaseMs],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The heartbeat: extend every lease this worker still holds; answers the stores whose lease it still holds. */
export async function renewLeases(q: Queryable, owner: string, storeIds: readonly string[], leaseMs: number): Promise<Set<string>> {
  if (storeIds.length === 0) return new Set();
  const r = await q.query<{ store_id: string }>(
    `UPDATE erp_store_leases SET leased_until = now() + ($3::int * interval '1 millisecond')
     WHERE store_id = ANY($2::text[]) AND owner = $1 AND leased_until > now()
     RETURNING store_id`,
    [owner, storeIds, leaseMs],
  );
  return new Set(r.rows.map((x) => x.store_id));
}

export async function releaseLease(q: Queryable, storeId: string, owner: string): Promise<void> {
  await q.query(`UPDATE erp_store_leases SET owner = NULL, leased_until = 'epoch' WHERE store_id = $1 AND owner = $2`, [storeId, owner]);
}

export interface OpenPosting {
  postingId: string;
  storeId: string;
  correlationId: string;
  document: ErpDocument;
  attempts: number;
  due: boolean;
}

/** A store's open postings from the oldest, with whether each is due now. */
export async function openPostings(q: Queryable, storeId: string, limit: number): Promise<OpenPosting[]> {
  const r = await q.query<{ posting_id: string; store_id: string; correlation_id: string; document: ErpDocument; attempts: number; due: boolean; seq: string }>(
    `SELECT posting_id, store_id, correlation_id, document, attempts, next_attempt_at <= now() AS due, seq FROM erp_postings
     WHERE store_id = $1 AND status IN ('pending', 'retrying') ORDER BY seq LIMIT $2`,
    [storeId, limit],
  );
  return r.rows
    .sort((a, b) => toNumber(a.seq) - toNumber(b.seq))
    .map((x) => ({ postingId: x.posting_id, storeId: x.store_id, correlationId: x.correlation_id, document: x.document, attempts: x.attempts, due: x.due }));
}

export interface Lease {
  storeId: string;
  owner: string;
  leaseMs: number;
}

/**
 * Posted: recorded, and the store's lease renewed in the same statement once half of it has run (so a posting
 * costs one commit here, and none when the connector already recorded it in its own transaction, as the ledger
 * does). Answers whether the lease is still this worker's.
 */
export async function markPosted(q: Queryable, postingId: string, erpRef: string, connector: string, lease: Lease, warnings: readonly string[] = []): Promise<boolean> {
  const r = await q.query<{ held: boolean }>(
    `WITH posted AS (
       UPDATE erp_postings SET status = 'posted', erp_ref = $2, connector = $3, attempts = attempts + 1, posted_at = now(), updated_at = now(),
         last_error = NULL, error_details = NULL, warnings = $7::jsonb
       WHERE posting_id = $1 AND status IN ('pending', 'retrying')),
     renewed AS (
       UPDATE erp_store_leases SET leased_until = now() + ($6::int * interval '1 millisecond')
       WHERE store_id = $4 AND owner = $5 AND leased_until < now() + ($6::int / 2 * interval '1 millisecond'))
     SELECT EXISTS (SELECT 1 FROM erp_store_leases WHERE store_id = $4 AND owner = $5 AND leased_until > now()) AS held`,
    [postingId, erpRef, connector, lease.storeId, lease.owner, lease.leaseMs, warnings.length ? JSON.stringify(warnings) : null],
  );
  return r.rows[0]?.held === true;
}

/** A transient failure: try again after `delayMs` (the store's later postings wait behind it). */
export async function markRetry(q: Queryable, postingId: string, error: string, delayMs: number): Promise<void> {
  await q.query(
    `UPDATE erp_postings SET status = 'retrying', attempts = attempts + 1, last_error = $2, updated_at = now(),
       next_attempt_at = now() + ($3::int * interval '1 millisecond')
     WHERE posting_id = $1 AND status IN ('pending', 'retrying')`,
    [postingId, error.slice(0, 2000), delayMs],
  );
}

/** The ERP refused the document itself: a dead letter with the ERP's own message, replayable after a fix. */
export async function markDead(q: Queryable, postingId: string, error: string, details: unknown, connector: string): Promise<void> {
  await q.query(
    `UPDATE erp_postings SET status = 'dead', attempts = attempts + 1, last_error = $2, error_details = $3::jsonb, connector = $4, updated_at = now()
     WHERE posting_id = $1 AND status IN ('pending', 'retrying')`,
    [postingId, error.slice(0, 4000), details === undefined ? null : JSON.stringify(details), connector],
  );
}
