import type pg from 'pg';
import { storableText, type Unsent } from '@outpost/shared';

export interface AgentStatusReport {
  pendingUp: number;
  lastError: string | null;
  clockSkewMs?: number | null | undefined;
  diskFreeBytes?: number | null | undefined;
  /** The offline budget (protocol v3 on): what waits on the till, per kind. */
  unsent?: Unsent | undefined;
}

export interface StatusWriter {
  /** The agent's latest status (sent after every acked batch); a newer one replaces one not yet written. */
  status(deviceId: string, report: AgentStatusReport): void;
  /** The device was seen (it disconnected): last_seen_at only. */
  seen(deviceId: string): void;
  /** Resolves when everything recorded so far is written (tests, shutdown). */
  flushed(): Promise<void>;
}

/**
 * Writes what agents report about themselves, coalesced: every agent sends a status after each acked batch, so a
 * fleet of 2,000 stores selling once a second would cost 2,000 single-row UPDATEs a second beside the ingest
 * itself. Here the latest report per device waits while a write is running, and the next write takes them all in
 * one statement. Quiet, a report is written at once (one flush per event-loop turn). Only the latest report of a
 * device is ever written, and writes run one at a time, so an older backlog can never land after a newer one.
 */
export function createStatusWriter(pool: pg.Pool, onError: (err: unknown) => void): StatusWriter {
  let reports = new Map<string, AgentStatusReport>();
  let seen = new Set<string>();
  let running: Promise<void> | null = null;
  let queued = false;

  async function write(rs: Map<string, AgentStatusReport>, ss: Set<string>): Promise<void> {
    if (rs.size > 0) {
      const rows = [...rs];
      // An agent of protocol v1 does not report its clock or disk (nor v1, v2 their unsent events): keep what is
      // known rather than erase it.
      await pool.query(
        `UPDATE devices d SET pending_up = u.pending_up, last_error = u.last_error, last_seen_at = now(),
           clock_skew_ms = CASE WHEN u.has_skew THEN u.skew ELSE d.clock_skew_ms END,
           disk_free_bytes = CASE WHEN u.has_disk THEN u.disk ELSE d.disk_free_bytes END,
           unsent_oldest_at = CASE WHEN u.has_unsent THEN u.oldest_at ELSE d.unsent_oldest_at END,
           unsent_sales = CASE WHEN u.has_unsent THEN u.sales ELSE d.unsent_sales END,
           unsent_returns = CASE WHEN u.has_unsent THEN u.returns ELSE d.unsent_returns END,
           unsent_counts = CASE WHEN u.has_unsent THEN u.counts ELSE d.unsent_counts END,
           unsent_other = CASE WHEN u.has_unsent THEN u.other ELSE d.unsent_other END
         FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::boolean[], $5::bigint[], $6::boolean[], $7::bigint[],
                     $8::boolean[], $9::timestamptz[], $10::int[], $11::int[], $12::int[], $13::int[])
           AS u(device_id, pending_up, last_error, has_skew, skew, has_disk, disk,
                has_unsent, oldest_at, sales, returns, counts, other)
         WHERE d.device_id = u.device_id`,
        [
          rows.map(([id]) => id),
          rows.map(([, r]) => r.pendingUp),
          // An agent's error may quote what it was sent (an sku with a lone surrogate): shown, never refused for it.
          rows.map(([, r]) => (r.lastError === null ? null : storableText(r.lastError))),
          rows.map(([, r]) => r.clockSkewMs !== undefined),
          rows.map(([, r]) => r.clockSkewMs ?? null),
          rows.map(([, r]) => r.diskFreeBytes !== undefined),
          rows.map(([, r]) => r.diskFreeBytes ?? null),
          rows.map(([, r]) => r.unsent !== undefined),
          rows.map(([, r]) => r.unsent?.oldestAt ?? null),
          rows.map(([, r]) => r.unsent?.sales ?? null),
          rows.map(([, r]) => r.unsent?.returns ?? null),
          rows.map(([, r]) => r.unsent?.counts ?? null),
          rows.map(([, r]) => r.unsent?.other ?? null),
        ],
      );
    }
    if (ss.size > 0) await pool.query('UPDATE devices SET last_seen_at = now() WHERE device_id = ANY($1::uuid[])', [[...ss]]);
  }

  function schedule(): void {
    if (queued || running) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      const rs = reports;
      const ss = seen;
      reports = new Map();
      seen = new Set();
      running = write(rs, ss)
        .catch(onError)
        .finally(() => {
          running = null;
          if (reports.size > 0 || seen.size > 0) schedule();
        });
    });
  }

  return {
    status(deviceId, report) {
      reports.set(deviceId, report);
      seen.delete(deviceId);
      schedule();
    },
    seen(deviceId) {
      if (!reports.has(deviceId)) seen.add(deviceId);
      schedule();
    },
    async flushed() {
      while (queued || running || reports.size > 0 || seen.size > 0) {
        if (running) await running;
        else await new Promise((r) => setImmediate(r));
      }
    },
  };
}
