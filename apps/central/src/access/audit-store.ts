import type pg from 'pg';
import type { Principal } from './roles.js';

export interface AuditEntry {
  seq: number;
  at: string;
  tokenId: string;
  tokenName: string;
  role: string;
  action: string;
  target: string | null;
  storeId: string | null;
  correlationId: string;
  sourceAddress: string;
  status: number;
}

export interface AuditRecord {
  actor: Principal;
  action: string;
  target: string | null;
  storeId: string | null;
  correlationId: string;
  sourceAddress: string;
  status: number;
}

/** Append one row (the table refuses UPDATE and DELETE). */
export async function appendAudit(pool: pg.Pool, rec: AuditRecord): Promise<void> {
  await pool.query(
    `INSERT INTO audit_log (token_id, token_name, role, action, target, store_id, correlation_id, source_address, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [rec.actor.tokenId, rec.actor.name, rec.actor.role, rec.action, rec.target, rec.storeId, rec.correlationId, rec.sourceAddress, rec.status],
  );
}

export interface AuditQuery {
  after?: number | undefined;
  limit: number;
  action?: string | undefined;
  storeId?: string | undefined;
}

/** Oldest first from `after` (a seq), so a reader pages forward with the last seq it saw. */
export async function listAudit(pool: pg.Pool, q: AuditQuery): Promise<{ entries: AuditEntry[]; nextAfter: number | null }> {
  const r = await pool.query<{
    seq: string;
    at: Date;
    token_id: string;
    token_name: string;
    role: string;
    action: string;
    target: string | null;
    store_id: string | null;
    correlation_id: string;
    source_address: string;
    status: number;
  }>(
    `SELECT * FROM audit_log
     WHERE seq > $1 AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR store_id = $3)
     ORDER BY seq LIMIT $4`,
    [q.after ?? 0, q.action ?? null, q.storeId ?? null, q.limit],
  );
  const entries = r.rows.map((x) => ({
    seq: Number(x.seq),
    at: x.at.toISOString(),
    tokenId: x.token_id,
    tokenName: x.token_name,
    role: x.role,
    action: x.action,
    target: x.target,
    storeId: x.store_id,
    correlationId: x.correlation_id,
    sourceAddress: x.source_address,
    status: x.status,
  }));
  return { entries, nextAfter: entries.length === q.limit ? entries[entries.length - 1]!.seq : null };
}
