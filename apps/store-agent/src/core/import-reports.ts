import type { Socket } from 'socket.io-client';
import { importRejectedAckSchema, type ImportRejection } from '@outpost/shared';
import type { AgentDb } from './db/open.js';
import type { Logger } from './log.js';

/**
 * Till files the POS inbox rejected, reported to central (`import.rejected`) so head office sees them. A report is
 * a row here until central acknowledges it: one made offline goes out after the next hello, and a report lost with
 * a connection is sent again (central keeps each file and time once).
 */
export class ImportReports {
  private readonly q;
  private sending = false;
  constructor(adb: AgentDb, private readonly log: Logger) {
    const db = adb.sqlite;
    this.q = {
      add: db.prepare('INSERT INTO import_reports (file, line, reason, rejected_at) VALUES (?, ?, ?, ?)'),
      pending: db.prepare('SELECT id, file, line, reason, rejected_at AS rejectedAt FROM import_reports WHERE reported_at IS NULL ORDER BY id LIMIT 100'),
      done: db.prepare('UPDATE import_reports SET reported_at = ? WHERE id = ?'),
    };
  }

  record(r: ImportRejection): void {
    // Bounded to what the message carries: a report central refuses would be resent for ever.
    this.q.add.run(r.file.slice(0, 512), r.line, r.reason.slice(0, 2000) || 'rejected', r.rejectedAt);
  }

  pending(): (ImportRejection & { id: number })[] {
    return this.q.pending.all() as (ImportRejection & { id: number })[];
  }

  /** Send what central has not acknowledged yet (one message of up to 100 at a time); quiet when offline. */
  async flush(socket: Socket | null, timeoutMs: number): Promise<void> {
    if (this.sending || !socket?.connected) return;
    this.sending = true;
    try {
      for (;;) {
        const rows = this.pending();
        if (rows.length === 0) return;
        const answer: unknown = await socket.timeout(timeoutMs).emitWithAck('import.rejected', { reports: rows.map(({ id: _id, ...r }) => r) });
        const ack = importRejectedAckSchema.safeParse(answer);
        if (!ack.success || !ack.data.ok) {
          this.log.warn('central did not take the import reports; they are kept and sent again after the next hello', { answer: JSON.stringify(answer).slice(0, 300) });
          return;
        }
        const now = new Date().toISOString();
        for (const r of rows) this.q.done.run(now, r.id);
      }
    } catch (e) {
      this.log.warn('import reports not sent; they are kept and sent again after the next hello', { error: String(e) });
    } finally {
      this.sending = false;
    }
  }
}
