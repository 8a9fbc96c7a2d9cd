import type pg from 'pg';
import { withTransaction } from '../platform/index.js';
import { addMonths, monthStart } from './event-month.js';

// The events table is partitioned by month (migration event_partitions): one partition per UTC month of the event ids'
// timestamps, plus events_default, which takes whatever has no partition (ids without a timestamp, a month
// nobody created yet), so an insert never fails for want of a partition. This module keeps partitions ahead of
// time and, with a retention, drops months that are fully posted to the ERP. One node at a time (advisory lock).

const PARTITIONS_LOCK = 0x6f75_7470; // 'outp'

export interface PartitionSettings {
  /** Partitions are kept this many months ahead of the current one. */
  monthsAhead: number;
  /** Months kept after the current one ends (OUTPOST_CENTRAL_RETENTION_MONTHS); null keeps everything. */
  retentionMonths: number | null;
}

export interface EventPartition {
  name: string;
  /** First day of the month ('YYYY-MM-01'), inclusive. */
  from: string;
  /** First day of the next month, exclusive. */
  to: string;
}

/** Why a month past the retention is still kept: it is not yet (fully) posted to the ERP. */
export interface KeptPartition extends EventPartition {
  unposted: number;
  waitingForDaySummary: number;
}

export interface MaintenanceResult {
  created: string[];
  dropped: string[];
  kept: KeptPartition[];
}

/** The month partitions whose whole range lies before the retention's cutoff (a plain rule over the list). */
export function expiredPartitions(parts: readonly EventPartition[], now: Date, retentionMonths: number | null): EventPartition[] {
  if (retentionMonths === null) return [];
  const cutoff = addMonths(monthStart(now), -retentionMonths);
  return parts.filter((p) => p.to <= cutoff).sort((a, b) => (a.from < b.from ? -1 : 1));
}

/** The months that must exist now: the current one and `ahead` after it. */
export function monthsToEnsure(now: Date, ahead: number): string[] {
  const first = monthStart(now);
  return Array.from({ length: ahead + 1 }, (_, i) => addMonths(first, i));
}

/** The month partitions of events (the default partition left out), oldest first. */
export async function listEventPartitions(q: pg.Pool | pg.PoolClient): Promise<EventPartition[]> {
  const r = await q.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'events'::regclass`,
  );
  const out: EventPartition[] = [];
  for (const row of r.rows) {
    const m = /FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)/.exec(row.bound);
    if (m) out.push({ name: row.name, from: m[1]!, to: m[2]! });
  }
  return out.sort((a, b) => (a.from < b.from ? -1 : 1));
}

/**
 * One maintenance pass: create the coming months' partitions, then (with a retention) drop each expired month
 * whose events are all posted to the ERP. A month still holding an unposted posting, or a sale waiting for its day
 * summary, is kept and reported (it is dropped by a later pass once the ERP has it).
 */
export async function maintainEventPartitions(pool: pg.Pool, settings: PartitionSettings, now = new Date()): Promise<MaintenanceResult | null> {
  const created = await withTransaction(pool, async (tx) => {
    if (!(await takeLock(tx))) return null; // another node is at it
    const made: string[] = [];
    // The coming months, and any month whose events landed in the default partition meanwhile (a store offline
    // since a month nobody made a partition for, or one whose partition the retention dropped).
    const strays = await tx.query<{ m: string }>(`SELECT DISTINCT to_char(event_month, 'YYYY-MM-DD') AS m FROM events_default WHERE event_month <> DATE '1970-01-01'`);
    const months = [...new Set([...monthsToEnsure(now, settings.monthsAhead), ...strays.rows.map((r) => r.m)])].sort();
    for (const m of months) {
      const r = await tx.query<{ made: boolean }>('SELECT outpost_ensure_event_partition($1::date) AS made', [m]);
      if (r.rows[0]?.made) made.push(m);
    }
    return made;
  });
  if (created === null) return null;
  const dropped: string[] = [];
  const kept: KeptPartition[] = [];
  // One transaction per month: detaching locks the whole table, which must not last through the next month's check.
  for (const p of expiredPartitions(await listEventPartitions(pool), now, settings.retentionMonths)) {
    const state = await withTransaction(pool, async (tx) => ((await takeLock(tx)) ? dropIfPosted(tx, p) : null));
    if (state === 'dropped') dropped.push(p.name);
    else if (state) kept.push(state);
  }
  return { created, dropped, kept };
}

async function takeLock(tx: pg.PoolClient): Promise<boolean> {
  const lock = await tx.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS ok', [PARTITIONS_LOCK]);
  return lock.rows[0]?.ok === true;
}

/**
 * Drop one month if every posting covering its events is posted. The partition is locked first (SHARE: no event
 * can be added to it meanwhile), so what was checked is what is dropped. "Posted and reconciled" here means: every
 * ERP posting that covers an event of the month (per document, or in a day summary) has status `posted` (the ERP
 * confirmed it and returned its reference), none is pending, retrying or dead, and no sale or return of the month
 * still waits in erp_day_pending for its day summary. Store, central and ERP figures of those days can no longer
 * be compared once the month is gone, so a retention is set longer than the reconciliation window (3 days).
 */
async function dropIfPosted(tx: pg.PoolClient, p: EventPartition): Promise<KeptPartition | 'dropped' | null> {
  const exists = await tx.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [p.name]);
  if (!exists.rows[0]?.t) return null; // another node dropped it since the list was read
  const part = `"${p.name.replaceAll('"', '""')}"`;
  await tx.query(`LOCK TABLE ${part} IN SHARE MODE`);
  const r = await tx.query<{ unposted: string; waiting: string }>(
    `SELECT
       (SELECT count(DISTINCT p.posting_id) FROM ${part} e
          JOIN erp_posting_events pe ON pe.store_id = e.store_id AND pe.event_id = e.event_id
          JOIN erp_postings p ON p.store_id = pe.store_id AND p.posting_id = pe.posting_id
         WHERE p.status <> 'posted')
     + (SELECT count(*) FROM ${part} e JOIN erp_postings p ON p.store_id = e.store_id AND p.source_event_id = e.event_id
         WHERE p.status <> 'posted'
           AND NOT EXISTS (SELECT 1 FROM erp_posting_events pe WHERE pe.store_id = p.store_id AND pe.posting_id = p.posting_id)) AS unposted,
       (SELECT count(*) FROM ${part} e JOIN erp_day_pending d ON d.store_id = e.store_id AND d.event_id = e.event_id) AS waiting`,
  );
  const unposted = Number(r.rows[0]?.unposted ?? 0);
  const waiting = Number(r.rows[0]?.waiting ?? 0);
  if (unposted > 0 || waiting > 0) return { ...p, unposted, waitingForDaySummary: waiting };
  await tx.query(`ALTER TABLE events DETACH PARTITION ${part}`);
  await tx.query(`DROP TABLE ${part}`);
  return 'dropped';
}
