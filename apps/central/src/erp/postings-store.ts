import { AppError, notFound, type Queryable, toNumber } from '../platform/index.js';
import type { ErpDocument } from './connector.js';

// The postings as central IT sees them: a list by status and store, one posting, and replay.

export const POSTING_STATUSES = ['pending', 'posted', 'retrying', 'dead'] as const;
export type PostingStatus = (typeof POSTING_STATUSES)[number];

export interface PostingView {
  id: string;
  storeId: string;
  kind: ErpDocument['kind'];
  businessDate: string;
  status: PostingStatus;
  correlationId: string;
  sourceEventId: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  errorDetails: unknown;
  /** ERP warnings acknowledged by configuration when it was posted (e.g. Tryton's stock-quantity warning). */
  warnings: string[];
  erpRef: string | null;
  connector: string | null;
  createdAt: string;
  updatedAt: string;
  postedAt: string | null;
  document: ErpDocument;
}

interface Row {
  posting_id: string;
  seq: string;
  store_id: string;
  kind: ErpDocument['kind'];
  business_date: string;
  status: PostingStatus;
  correlation_id: string;
  source_event_id: string | null;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  error_details: unknown;
  warnings: string[] | null;
  erp_ref: string | null;
  connector: string | null;
  created_at: Date;
  updated_at: Date;
  posted_at: Date | null;
  document: ErpDocument;
}

const COLS = `posting_id, seq, store_id, kind, business_date, status, correlation_id, source_event_id, attempts, next_attempt_at, last_error,
  error_details, warnings, erp_ref, connector, created_at, updated_at, posted_at, document`;

function toView(r: Row): PostingView {
  const open = r.status === 'pending' || r.status === 'retrying';
  return {
    id: r.posting_id,
    storeId: r.store_id,
    kind: r.kind,
    businessDate: r.business_date,
    status: r.status,
    correlationId: r.correlation_id,
    sourceEventId: r.source_event_id,
    attempts: r.attempts,
    nextAttemptAt: open ? r.next_attempt_at.toISOString() : null,
    lastError: r.last_error,
    errorDetails: r.error_details ?? null,
    warnings: r.warnings ?? [],
    erpRef: r.erp_ref,
    connector: r.connector,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    postedAt: r.posted_at?.toISOString() ?? null,
    document: r.document,
  };
}

export interface PostingFilter {
  status?: PostingStatus | undefined;
  storeId?: string | undefined;
  kind?: ErpDocument['kind'] | undefined;
  businessDate?: string | undefined;
  after?: string | undefined;
  limit: number;
}

/** Postings in creation order; `next` is the last row's seq (pass it as `after`). */
export async function listPostings(q: Queryable, f: PostingFilter): Promise<{ items: PostingView[]; next: string | null }> {
  const r = await q.query<Row>(
    `SELECT ${COLS} FROM erp_postings
     WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR store_id = $2) AND ($3::text IS NULL OR kind = $3)
       AND ($4::text IS NULL OR business_date = $4) AND seq > $5::int8
     ORDER BY seq LIMIT $6`,
    [f.status ?? null, f.storeId ?? null, f.kind ?? null, f.businessDate ?? null, f.after ?? '0', f.limit],
  );
  const rows = r.rows.sort((a, b) => toNumber(a.seq) - toNumber(b.seq));
  return { items: rows.map(toView), next: rows.length === f.limit ? String(rows.at(-1)!.seq) : null };
}

export async function getPosting(q: Queryable, id: string): Promise<PostingView> {
  const r = await q.query<Row>(`SELECT ${COLS} FROM erp_postings WHERE posting_id = $1`, [id]);
  if (!r.rows[0]) throw notFound(`ERP posting ${id}`, { id });
  return toView(r.rows[0]);
}

/**
 * Send a posting again, now: a dead letter after its cause was fixed (a mapping added), a posted one to prove the
 * ERP holds it (the connector finds it under our reference and creates nothing), a waiting one without waiting.
 */
export async function replayPosting(q: Queryable, id: string): Promise<PostingView> {
  const r = await q.query<Row>(
    `UPDATE erp_postings SET status = 'pending', next_attempt_at = now(), updated_at = now(),
       attempts = CASE WHEN status = 'dead' THEN 0 ELSE attempts END
     WHERE posting_id = $1 RETURNING ${COLS}`,
    [id],
  );
  if (!r.rows[0]) throw notFound(`ERP posting ${id}`, { id });
  return toView(r.rows[0]);
}

/** Postings per status (the ERP status card and gauges). */
export async function countByStatus(q: Queryable): Promise<Record<PostingStatus, number>> {
  const r = await q.query<{ status: PostingStatus; n: string }>('SELECT status, count(*) AS n FROM erp_postings GROUP BY status');
  const out: Record<PostingStatus, number> = { pending: 0, posted: 0, retrying: 0, dead: 0 };
  for (const x of r.rows) out[x.status] = toNumber(x.n);
  return out;
}

export function checkPostingId(id: string): void {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    throw new AppError(400, 'validation_failed', `posting id must be a UUID, got "${id.slice(0, 80)}"`, [{ in: 'params', path: 'id', message: 'not a UUID' }]);
  }
}
