import type { Statement } from 'better-sqlite3';
import type { AgentDb } from './db/open.js';
import type { SyncStateStore } from './state.js';
import type { Logger } from './log.js';

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

  /** Central stored everything up to storedSeq. Never moves backwards (acks may arrive late). */
  markAcked(storedSeq: number): void {
    const last = this.state.get().lastSeq;
    this.state.advanceAcked(Math.min(storedSeq, last), new Date(this.now()).toISOString());
  }

  /**
   * Adopt what central says it holds (hello, seq_gap): central is the truth about what it has stored.
   * Lower than our acked mark: central lost data, so move the mark back and resend. Higher than anything we
   * captured: this PC was restored from an older copy, so continue numbering after central's seq.
   */
  resync(storedSeq: number): ResyncResult {
    return this.adb.sqlite
      .transaction((): ResyncResult => {
        const s = this.state.get();
        const at = new Date(this.now()).toISOString();
        if (storedSeq > s.lastSeq) {
          this.log.warn('central holds more events than this device captured; continuing after them', {
            storedSeq,
            localLastSeq: s.lastSeq,
          });
          this.state.setCursors(storedSeq, storedSeq, at);
          return { ackedSeq: storedSeq, lastSeq: storedSeq, rewound: 0, raisedTo: storedSeq };
        }
        const rewound = Math.max(0, s.ackedSeq - storedSeq);
        if (rewound > 0) this.log.warn('central holds fewer events than it acked; resending', { storedSeq, ackedSeq: s.ackedSeq });
        this.state.setCursors(storedSeq, s.lastSeq, at);
        return { ackedSeq: storedSeq, lastSeq: s.lastSeq, rewound, raisedTo: null };
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

  /** Highest seq in the outbox table (0 when empty). */
  highestSeq(): number {
    return this.maxSeq.get()?.m ?? 0;
  }
}
