import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { type Queryable, toNumber } from '../platform/index.js';
import { openImportRejections } from '../imports/index.js';
import type { AlertCondition, FleetSnapshot, OpenAlert, StoreSnapshot } from './rules.js';

// SQL of the alerts capability: the fleet snapshot the rules read (a handful of set-based queries, whatever the
// fleet's size), and the alert rows they keep.

export interface AlertRow {
  alertId: string;
  kind: string;
  storeId: string | null;
  severity: 'warning' | 'critical';
  since: string;
  detail: string;
  closedAt: string | null;
}

export async function readFleetSnapshot(
  q: Queryable,
  online: ReadonlySet<string>,
): Promise<Omit<FleetSnapshot, 'erpFailing'> & { erpFailingAttempts: number }> {
  const stores = new Map<string, StoreSnapshot>();
  const s = await q.query<{ store_id: string; command_seq: string; min_applied: string | null }>(
    `SELECT s.store_id, s.command_seq, min(d.applied_command_seq) AS min_applied
     FROM stores s LEFT JOIN devices d ON d.store_id = s.store_id AND d.revoked_at IS NULL GROUP BY s.store_id`,
  );
  for (const r of s.rows) {
    const backlog = r.min_applied === null ? 0 : Math.max(0, toNumber(r.command_seq) - toNumber(r.min_applied));
    stores.set(r.store_id, { storeId: r.store_id, devices: [], commandBacklog: backlog, latestEvent: null, quarantineOpen: 0, erpDead: 0 });
  }
  const d = await q.query<{ store_id: string; device_id: string; last_seen_at: Date | null; pending_up: number | null; clock_skew_ms: string | null; disk_free_bytes: string | null }>(
    `SELECT store_id, device_id, last_seen_at, pending_up, clock_skew_ms, disk_free_bytes FROM devices WHERE revoked_at IS NULL`,
  );
  for (const r of d.rows) {
    stores.get(r.store_id)?.devices.push({
      deviceId: r.device_id,
      online: online.has(r.device_id),
      lastSeenAt: r.last_seen_at,
      pendingUp: r.pending_up,
      clockSkewMs: r.clock_skew_ms === null ? null : toNumber(r.clock_skew_ms),
      diskFreeBytes: r.disk_free_bytes === null ? null : toNumber(r.disk_free_bytes),
    });
  }
  // The latest stored event per store that has events waiting (the only stores sync_lag can concern): one index
  // probe each on (store_id, position).
  const waiting = [...stores.values()].filter((st) => st.devices.some((dv) => (dv.pendingUp ?? 0) > 0)).map((st) => st.storeId);
  if (waiting.length > 0) {
    const e = await q.query<{ store_id: string; occurred_at: Date; received_at: Date }>(
      `SELECT w.store_id, l.occurred_at, l.received_at FROM unnest($1::text[]) AS w(store_id)
       CROSS JOIN LATERAL (SELECT occurred_at, received_at FROM events e WHERE e.store_id = w.store_id ORDER BY position DESC LIMIT 1) l`,
      [waiting],
    );
    for (const r of e.rows) stores.get(r.store_id)!.latestEvent = { occurredAt: r.occurred_at, receivedAt: r.received_at };
  }
  const qn = await q.query<{ store_id: string; n: string }>(`SELECT store_id, count(*) AS n FROM quarantine WHERE status = 'open' GROUP BY store_id`);
  for (const r of qn.rows) {
    const st = stores.get(r.store_id);
    if (st) st.quarantineOpen = toNumber(r.n);
  }
  const dead = await q.query<{ store_id: string; n: string }>(`SELECT store_id, count(*) AS n FROM erp_postings WHERE status = 'dead' GROUP BY store_id`);
  for (const r of dead.rows) {
    const st = stores.get(r.store_id);
    if (st) st.erpDead = toNumber(r.n);
  }
  for (const [storeId, rejected] of await openImportRejections(q)) {
    const st = stores.get(storeId);
    if (st) st.importRejected = rejected;
  }
  const failing = await q.query<{ attempts: number | null }>(`SELECT max(attempts) AS attempts FROM erp_postings WHERE status = 'retrying'`);
  return { stores: [...stores.values()], erpFailingAttempts: failing.rows[0]?.attempts ?? 0 };
}

export async function openAlerts(q: Queryable): Promise<OpenAlert[]> {
  const r = await q.query<{ alert_id: string; key: string; detail: string }>(`SELECT alert_id, key, detail FROM alerts WHERE closed_at IS NULL`);
  return r.rows.map((row) => ({ alertId: row.alert_id, key: row.key, detail: row.detail }));
}

export interface AlertNotice {
  type: 'alert.opened' | 'alert.closed';
  alertId: string;
  kind: string;
  storeId: string | null;
  severity: string;
  since: string;
  closedAt: string | null;
  detail: string;
}

/** Opens, closes and updates alerts in the caller's transaction; answers the notices to deliver. */
export async function applyAlertChanges(
  tx: pg.PoolClient,
  change: { opened: AlertCondition[]; closed: OpenAlert[]; changed: { alertId: string; detail: string }[] },
  now: Date,
  withNotices: boolean,
): Promise<number> {
  const notices: AlertNotice[] = [];
  for (const c of change.opened) {
    const alertId = randomUUID();
    const since = c.since && c.since < now ? c.since : now;
    await tx.query(`INSERT INTO alerts (alert_id, key, kind, store_id, severity, since, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      alertId,
      c.key,
      c.kind,
      c.storeId,
      c.severity,
      since,
      c.detail,
    ]);
    notices.push({ type: 'alert.opened', alertId, kind: c.kind, storeId: c.storeId, severity: c.severity, since: since.toISOString(), closedAt: null, detail: c.detail });
  }
  for (const a of change.closed) {
    const r = await tx.query<{ kind: string; store_id: string | null; severity: string; since: Date; detail: string }>(
      `UPDATE alerts SET closed_at = $2 WHERE alert_id = $1 AND closed_at IS NULL RETURNING kind, store_id, severity, since, detail`,
      [a.alertId, now],
    );
    const row = r.rows[0];
    if (row) notices.push({ type: 'alert.closed', alertId: a.alertId, kind: row.kind, storeId: row.store_id, severity: row.severity, since: row.since.toISOString(), closedAt: now.toISOString(), detail: row.detail });
  }
  for (const c of change.changed) await tx.query(`UPDATE alerts SET detail = $2 WHERE alert_id = $1`, [c.alertId, c.detail]);
  if (withNotices && notices.length > 0) {
    await tx.query(`INSERT INTO alert_notices (alert_id, body) SELECT a, b::jsonb FROM unnest($1::uuid[], $2::text[]) AS u(a, b)`, [
      notices.map((n) => n.alertId),
      notices.map((n) => JSON.stringify(n)),
    ]);
  }
  return notices.length;
}

export async function listAlerts(q: Queryable, f: { state: 'open' | 'closed'; storeId?: string | undefined; kind?: string | undefined; limit: number }): Promise<AlertRow[]> {
  const r = await q.query<{ alert_id: string; kind: string; store_id: string | null; severity: 'warning' | 'critical'; since: Date; detail: string; closed_at: Date | null }>(
    `SELECT alert_id, kind, store_id, severity, since, detail, closed_at FROM alerts
     WHERE (closed_at IS NULL) = ($1 = 'open') AND ($2::text IS NULL OR store_id = $2) AND ($3::text IS NULL OR kind = $3)
     ORDER BY CASE severity WHEN 'critical' THEN 0 ELSE 1 END, since, alert_id LIMIT $4`,
    [f.state, f.storeId ?? null, f.kind ?? null, f.limit],
  );
  return r.rows.map((row) => ({
    alertId: row.alert_id,
    kind: row.kind,
    storeId: row.store_id,
    severity: row.severity,
    since: row.since.toISOString(),
    detail: row.detail,
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
  }));
}
