import type { Statement } from 'better-sqlite3';
import type { AgentDb } from './db/open.js';
import type { Logger } from './log.js';

export interface RetentionSettings {
  /** Acknowledged events and applied-command journal rows older than this many days are deleted (0: at once). */
  days: number;
  /** Rows deleted per step: one step is one short write transaction, so a capture never waits long behind it. */
  batchRows: number;
  /** Pause between steps while there is nothing (more) to delete. */
  intervalMs: number;
}

export interface RetentionStep {
  events: number;
  commands: number;
  /** Free pages handed back to the file system by the incremental vacuum after the deletes. */
  vacuumedPages: number;
}

export interface RetentionDeps {
  adb: AgentDb;
  /** Wall clock (ms). */
  now: () => number;
  log: Logger;
  settings: RetentionSettings;
}

/** Pages released per step (4 KiB each): bounded like the deletes, so one step stays a short write. */
const VACUUM_PAGES_PER_STEP = 2048;

/** What a step deletes, as a plain rule: acknowledged AND older than the cutoff; never anything else. */
export function retentionCutoff(nowMs: number, days: number): string {
  return new Date(nowMs - days * 86_400_000).toISOString();
}

/**
 * Deletes what central already holds and the till no longer needs, a little at a time.
 *
 * - Outbox rows at or below `sync_state.acked_seq` (central stored or quarantined them) whose capture time is
 *   older than the cutoff, with their capture keys (a POS document id is recognised as a repeat for as long as its
 *   event is kept). Rows above the acked mark are never touched, whatever their age: the same statement reads the
 *   mark, inside the same write transaction, so a capture or an ack running beside it cannot race it.
 * - applied_commands journal rows at or below `sync_state.applied_command_seq` older than the cutoff. The journal
 *   is an audit trail; exactly-once rests on the cursor, which is never deleted (docs/sync-identity.md).
 *
 * Each step is one bounded transaction; a timer runs the next one (at once while a backlog remains), so a year of
 * history after an upgrade is worked off in small bites between captures.
 */
export class Retention {
  private readonly q: {
    events: Statement<[{ cutoff: string; limit: number }]>;
    key: Statement<[number]>;
    commands: Statement<[{ cutoff: string; limit: number }]>;
  };
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private lastRunAt: string | null = null;
  private deletedEvents = 0;

  constructor(private readonly d: RetentionDeps) {
    const db = d.adb.sqlite;
    this.q = {
      // The candidates are the oldest acknowledged rows by seq, at most one batch of them, then filtered by age: a
      // step reads a bounded number of rows even when a month of acknowledged but young rows sits in front.
      events: db.prepare(
        `DELETE FROM outbox WHERE seq IN (
           SELECT seq FROM (SELECT seq, created_at FROM outbox WHERE seq <= (SELECT acked_seq FROM sync_state WHERE id = 1) ORDER BY seq LIMIT $limit)
           WHERE created_at <= $cutoff)
         RETURNING seq`,
      ),
      // capture_keys_seq_idx makes this a look-up; the keys of deleted events go in the same transaction.
      key: db.prepare('DELETE FROM capture_keys WHERE seq = ?'),
      commands: db.prepare(
        `DELETE FROM applied_commands WHERE applied_order IN (
           SELECT applied_order FROM (SELECT applied_order, applied_at FROM applied_commands
             WHERE seq <= (SELECT applied_command_seq FROM sync_state WHERE id = 1) ORDER BY applied_order LIMIT $limit)
           WHERE applied_at <= $cutoff)`,
      ),
    };
  }

  /** One bounded step. Synchronous: better-sqlite3 runs it between two requests, never beside a capture. */
  step(): RetentionStep {
    const { adb, settings } = this.d;
    const cutoff = retentionCutoff(this.d.now(), settings.days);
    const sq = adb.sqlite;
    const { events, commands } = sq
      .transaction(() => {
        const seqs = this.q.events.all({ cutoff, limit: settings.batchRows }) as { seq: number }[];
        for (const r of seqs) this.q.key.run(r.seq);
        return { events: seqs.length, commands: this.q.commands.run({ cutoff, limit: settings.batchRows }).changes };
      })
      .immediate();
    // Hand freed pages back to the file system (the file was switched to incremental auto-vacuum at open).
    const vacuumedPages = events + commands > 0 || this.freePages() > 0 ? this.vacuum() : 0;
    this.lastRunAt = new Date(this.d.now()).toISOString();
    this.deletedEvents += events;
    return { events, commands, vacuumedPages };
  }

  /** What the status shows: when retention last ran and how many events it deleted since the agent started. */
  view(): { retentionDays: number; retentionRunAt: string | null; retentionDeletedEvents: number } {
    return { retentionDays: this.d.settings.days, retentionRunAt: this.lastRunAt, retentionDeletedEvents: this.deletedEvents };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(this.d.settings.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), ms);
    this.timer.unref();
  }

  private tick(): void {
    let more = false;
    try {
      const r = this.step();
      if (r.events > 0 || r.commands > 0) this.d.log.info('retention deleted acknowledged history', { ...r, days: this.d.settings.days });
      more = r.events === this.d.settings.batchRows || r.commands === this.d.settings.batchRows;
    } catch (e) {
      // A full disk or a busy database: nothing is lost by waiting for the next round.
      this.d.log.warn('retention step failed; trying again later', { error: String(e) });
    }
    // A backlog goes on at once (each step is still one short transaction); otherwise wait for the interval.
    this.schedule(more ? 0 : this.d.settings.intervalMs);
  }

  private freePages(): number {
    return this.d.adb.sqlite.pragma('freelist_count', { simple: true }) as number;
  }

  private vacuum(): number {
    const before = this.freePages();
    this.d.adb.sqlite.pragma(`incremental_vacuum(${VACUUM_PAGES_PER_STEP})`);
    return before - this.freePages();
  }
}
