import type { Statement } from 'better-sqlite3';
import type { AgentDb } from './db/open.js';
import type { SyncStateStore } from './state.js';
import type { Logger } from './log.js';
import { planRenumber, type RenumberPlan } from './renumber.js';

export interface OutboxBatch {
  firstSeq: number;
  count: number;
  /** UTF-8 JSON array of the stored envelopes, exactly as captured. */
  buffer: Buffer;
}

export interface ResyncResult {
  ackedSeq: number;
  lastSeq: number;
  /** Central holds less than we thought (it lost data): these events will be sent again. */
  rewound: number;
  /** Central holds more than we captured (e.g. restored PC): new events continue after central's seq. */
  raisedTo: number | null;
}

export interface RenumberResult extends RenumberPlan {
  /** How many outbox rows got a new seq. */
  moved: number;
}

/**
 * The pending outbox is every row above sync_state.acked_seq. Reads stream a bounded window through a LIMIT
 * query, so a backlog of a million events never sits in memory.
 */
export class Outbox {
  private readonly window: Statement<[number, number], { seq: number; body: string }>;
  private readonly maxSeq: Statement<[], { m: number | null }>;

  constructor(
    private readonly adb: AgentDb,
    private readonly state: SyncStateStore,
    private readonly now: () => number,
    private readonly log: Logger,
  ) {
    this.window = adb.sqlite.prepare('SELECT seq, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
    this.maxSeq = adb.sqlite.prepare('SELECT max(seq) AS m FROM outbox');
  }

  /**
   * Contiguous events after `afterSeq`, at most maxEvents and maxBytes (but always at least one event, or a
   * single event larger than the bound could never leave). Null when nothing is pending after afterSeq.
   */
  readBatch(afterSeq: number, maxEvents: number, maxBytes: number): OutboxBatch | null {
    const parts: Buffer[] = [];
    let bytes = 2; // the brackets
    let firstSeq = 0;
    let expected = afterSeq + 1;
    for (const row of this.window.iterate(afterSeq, Math.max(1, maxEvents))) {
      // A hole would make central refuse the batch; stop before it (capture never leaves one).
      if (row.seq !== expected) break;
      const b = Buffer.from(row.body, 'utf8');
      const add = b.length + (parts.length > 0 ? 1 : 0);
      if (parts.length > 0 && bytes + add > maxBytes) break;
      if (parts.length === 0) firstSeq = row.seq;
      parts.push(b);
      bytes += add;
      expected++;
    }
    if (parts.length === 0) return null;
    const chunks: Buffer[] = [Buffer.from('[')];
    parts.forEach((p, i) => {
      if (i > 0) chunks.push(Buffer.from(','));
      chunks.push(p);
    });
    chunks.push(Buffer.from(']'));
    return { firstSeq, count: parts.length, buffer: Buffer.concat(chunks, bytes) };
  }

  /**
   * The ack of a batch that ended at `sentUpTo`: central holds everything up to storedSeq, and it checked the
   * event ids of what we sent. Our events above the batch were not checked, so the mark stops at the batch's end
   * even when central holds more. Never moves backwards (acks may arrive late). When the batch reached our last
   * event and central holds more, numbering continues after central's seq (a restored copy, all verified).
   */
  markAcked(storedSeq: number, sentUpTo = storedSeq): void {
    this.adb.sqlite
      .transaction(() => {
        const s = this.state.get();
        const at = new Date(this.now()).toISOString();
        this.state.advanceAcked(Math.min(storedSeq, sentUpTo, s.lastSeq), at);
        if (storedSeq > s.lastSeq && sentUpTo >= s.lastSeq) this.raise(storedSeq, s.lastSeq, at);
      })
      .immediate();
  }

  /**
   * Adopt what central says it holds (hello, seq_gap). Lower than our acked mark: central lost data, so move the
   * mark back and resend. Higher than our acked mark: central holds seqs we have not seen acked; we do NOT mark
   * our own events there as forwarded, because a device restored from an older copy (or a clone) numbers new
   * events with seqs central already holds. They are resent and central compares event ids: a true resend is a
   * duplicate, another event is refused with seq_conflict and renumbered (renumber). Only when nothing of ours
   * is unacked does numbering simply continue after central's seq.
   */
  resync(storedSeq: number): ResyncResult {
    return this.adb.sqlite
      .transaction((): ResyncResult => {
        const s = this.state.get();
        const at = new Date(this.now()).toISOString();
        if (storedSeq > s.lastSeq && s.ackedSeq >= s.lastSeq) {
          this.raise(storedSeq, s.lastSeq, at);
          return { ackedSeq: storedSeq, lastSeq: storedSeq, rewound: 0, raisedTo: storedSeq };
        }
        const rewound = Math.max(0, s.ackedSeq - storedSeq);
        if (rewound > 0) {
          this.log.warn('central holds fewer events than it acked; resending', { storedSeq, ackedSeq: s.ackedSeq });
          this.state.setCursors(storedSeq, s.lastSeq, at);
          return { ackedSeq: storedSeq, lastSeq: s.lastSeq, rewound, raisedTo: null };
        }
        return { ackedSeq: s.ackedSeq, lastSeq: s.lastSeq, rewound: 0, raisedTo: null };
      })
      .immediate();
  }

  private raise(storedSeq: number, lastSeq: number, at: string): void {
    this.log.warn('central holds more events than this device captured (restored from an older copy?); numbering continues after them', {
      storedSeq,
      localLastSeq: lastSeq,
    });
    this.state.setCursors(storedSeq, storedSeq, at);
  }

  /**
   * Central holds seq `conflictSeq` with another event id (seq_conflict): give our events there new seqs after
   * central's (planRenumber), keeping their event ids, in ONE transaction: the envelope's seq, the capture keys
   * (a till's retry answers the new seq) and both cursors. Null when the numbers make no sense (then the caller
   * resends from the acked mark and central answers again).
   */
  renumber(conflictSeq: number, storedSeq: number, highestSent: number): RenumberResult | null {
    return this.adb.sqlite
      .transaction((): RenumberResult | null => {
        const s = this.state.get();
        const plan = planRenumber({ conflictSeq, storedSeq, lastSeq: s.lastSeq, highestSent });
        if (!plan) return null;
        const sq = this.adb.sqlite;
        const rows = sq.prepare('SELECT seq, body FROM outbox WHERE seq BETWEEN ? AND ? ORDER BY seq DESC').all(plan.from, plan.to) as { seq: number; body: string }[];
        const move = sq.prepare('UPDATE outbox SET seq = ?, body = ? WHERE seq = ?');
        // Highest first: every new seq is above every old one still in place, so the primary key never collides.
        for (const row of rows) {
          const env = JSON.parse(row.body) as Record<string, unknown>;
          env.seq = row.seq + plan.shift;
          move.run(row.seq + plan.shift, JSON.stringify(env), row.seq);
        }
        sq.prepare('UPDATE capture_keys SET seq = seq + ? WHERE seq BETWEEN ? AND ?').run(plan.shift, plan.from, plan.to);
        this.state.setCursors(plan.ackedSeq, plan.lastSeq, new Date(this.now()).toISOString());
        return { ...plan, moved: rows.length };
      })
      .immediate();
  }

  pendingCount(): number {
    const s = this.state.get();
    return Math.max(0, s.lastSeq - s.ackedSeq);
  }

  ackedSeq(): number {
    return this.state.get().ackedSeq;
  }

  /**
   * Central asks for events after `afterSeq` that retention already deleted here (it lost them after acknowledging,
   * e.g. restored from a backup older than OUTPOST_RETENTION_DAYS): the missing range, or null when nothing is.
   */
  deletedAfter(afterSeq: number): { from: number; to: number } | null {
    const s = this.state.get();
    if (s.lastSeq <= afterSeq) return null;
    const next = this.adb.sqlite.prepare('SELECT min(seq) AS m FROM outbox WHERE seq > ?').get(afterSeq) as { m: number | null };
    const first = next.m ?? s.lastSeq + 1;
    return first > afterSeq + 1 ? { from: afterSeq + 1, to: first - 1 } : null;
  }

  /** Highest seq in the outbox table (0 when empty). */
  highestSeq(): number {
    return this.maxSeq.get()?.m ?? 0;
  }
}
