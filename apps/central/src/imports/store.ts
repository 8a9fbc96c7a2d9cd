import { storableText, type ImportRejection } from '@outpost/shared';
import type { Queryable } from '../platform/index.js';

// Till files rejected at the stores, as their agents reported them (issue 16).

export interface ImportRejectionRow {
  deviceId: string;
  file: string;
  line: number | null;
  reason: string;
  rejectedAt: string;
  receivedAt: string;
  clearedAt: string | null;
}

/** Stores a device's reports; a report sent twice (its ack was lost) is kept once. Answers how many were new. */
export async function recordImportRejections(q: Queryable, storeId: string, deviceId: string, reports: readonly ImportRejection[]): Promise<number> {
  const r = await q.query(
    `INSERT INTO import_rejections (store_id, device_id, file, line, reason, rejected_at)
     SELECT $1, $2, f, l, r, a FROM unnest($3::text[], $4::int4[], $5::text[], $6::timestamptz[]) AS u(f, l, r, a)
     ON CONFLICT DO NOTHING`,
    // A reason may quote what the till wrote (a NUL, a lone surrogate): shown replaced, never refused for it, or
    // the agent would send the same report for ever.
    [storeId, deviceId, reports.map((x) => storableText(x.file)), reports.map((x) => x.line), reports.map((x) => storableText(x.reason)), reports.map((x) => x.rejectedAt)],
  );
  return r.rowCount ?? 0;
}

export async function listImportRejections(q: Queryable, storeId: string, limit: number): Promise<ImportRejectionRow[]> {
  const r = await q.query<{ device_id: string; file: string; line: number | null; reason: string; rejected_at: Date; received_at: Date; cleared_at: Date | null }>(
    `SELECT device_id, file, line, reason, rejected_at, received_at, cleared_at FROM import_rejections WHERE store_id = $1 ORDER BY rejected_at DESC LIMIT $2`,
    [storeId, limit],
  );
  return r.rows.map((x) => ({
    deviceId: x.device_id,
    file: x.file,
    line: x.line,
    reason: x.reason,
    rejectedAt: x.rejected_at.toISOString(),
    receivedAt: x.received_at.toISOString(),
    clearedAt: x.cleared_at ? x.cleared_at.toISOString() : null,
  }));
}

/** An operator has seen to the store's rejected files: they stop raising import_rejected. */
export async function clearImportRejections(q: Queryable, storeId: string): Promise<number> {
  const r = await q.query(`UPDATE import_rejections SET cleared_at = now() WHERE store_id = $1 AND cleared_at IS NULL`, [storeId]);
  return r.rowCount ?? 0;
}

/** Open (not cleared) rejections per store, oldest first: what the alert rules read. */
export async function openImportRejections(q: Queryable): Promise<Map<string, { file: string; line: number | null; reason: string; at: Date }[]>> {
  const r = await q.query<{ store_id: string; file: string; line: number | null; reason: string; rejected_at: Date }>(
    `SELECT store_id, file, line, reason, rejected_at FROM import_rejections WHERE cleared_at IS NULL ORDER BY store_id, rejected_at`,
  );
  const out = new Map<string, { file: string; line: number | null; reason: string; at: Date }[]>();
  for (const x of r.rows) {
    const item = { file: x.file, line: x.line, reason: x.reason, at: x.rejected_at };
    const list = out.get(x.store_id);
    if (list) list.push(item);
    else out.set(x.store_id, [item]);
  }
  return out;
}
