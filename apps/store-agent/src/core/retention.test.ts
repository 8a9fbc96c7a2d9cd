import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createAgent } from './engine.js';
import { silentLogger } from './log.js';
import { Retention } from './retention.js';
import { agentTestContext, enrolledDir, itemCommand, sale } from './testing/fixtures.js';
import type { Agent } from './engine.js';

const { dirs, open } = agentTestContext();
const DAY = 86_400_000;

function retentionOf(a: Agent, now: () => number, days: number, batchRows = 500): Retention {
  return new Retention({ adb: a.db, now, log: silentLogger, settings: { days, batchRows, intervalMs: 60_000 } });
}
const outboxSeqs = (a: Agent) => a.db.sqlite.prepare('SELECT seq FROM outbox ORDER BY seq').pluck().all() as number[];
const keySeqs = (a: Agent) => a.db.sqlite.prepare('SELECT seq FROM capture_keys ORDER BY seq').pluck().all() as number[];
const journalSeqs = (a: Agent) => a.db.sqlite.prepare('SELECT seq FROM applied_commands ORDER BY seq').pluck().all() as number[];

describe('agent retention', () => {
  it('deletes acknowledged events older than the retention with their capture keys, never an unacknowledged one', () => {
    let t = Date.parse('2026-01-01T10:00:00Z');
    const now = () => t;
    const a = open(enrolledDir(dirs), now);
    for (let i = 1; i <= 6; i++) a.capture.sale(sale(`OLD-${i}`)); // seq 1..6, captured on Jan 1
    t += 40 * DAY;
    for (let i = 1; i <= 3; i++) a.capture.sale(sale(`NEW-${i}`)); // seq 7..9, captured on Feb 10
    a.outbox.markAcked(4); // central holds 1..4; 5..9 are still only here
    const r = retentionOf(a, now, 30);

    expect(r.step()).toMatchObject({ events: 4 });
    expect(outboxSeqs(a)).toEqual([5, 6, 7, 8, 9]); // 5 and 6 are old but unacknowledged: kept
    expect(keySeqs(a)).toEqual([5, 6, 7, 8, 9]);
    expect(a.status()).toMatchObject({ pendingUp: 5, lastAckedSeq: 4 });
    expect(r.step()).toMatchObject({ events: 0 });

    a.outbox.markAcked(9);
    expect(r.step()).toMatchObject({ events: 2 }); // 5, 6 now acknowledged; 7..9 are younger than 30 days
    expect(outboxSeqs(a)).toEqual([7, 8, 9]);

    // What is still pending goes out whole: the outbox reads from the acked mark, not from the deleted rows.
    a.capture.sale(sale('NEW-4'));
    expect(a.outbox.readBatch(9, 100, 1 << 20)).toMatchObject({ firstSeq: 10, count: 1 });
    // A repeat of a kept document is still recognised; the seq counter never goes back.
    expect(a.capture.sale(sale('NEW-1'))).toMatchObject({ seq: 7, duplicate: true });
    expect(a.capture.sale(sale('NEW-5'))).toMatchObject({ seq: 11, duplicate: false });
  });

  it('works in bounded steps, and OUTPOST_RETENTION_DAYS=0 deletes everything acknowledged', () => {
    let t = Date.parse('2026-03-01T10:00:00Z');
    const now = () => t;
    const a = open(enrolledDir(dirs), now);
    for (let i = 1; i <= 10; i++) a.capture.sale(sale(`T-${i}`));
    a.outbox.markAcked(10);
    t += 1;
    const r = retentionOf(a, now, 0, 4);
    expect([r.step().events, r.step().events, r.step().events, r.step().events]).toEqual([4, 4, 2, 0]);
    expect(outboxSeqs(a)).toEqual([]);
    expect(a.status()).toMatchObject({ pendingUp: 0, lastAckedSeq: 10 });
    expect(a.capture.sale(sale('T-11'))).toMatchObject({ seq: 11, duplicate: false });
  });

  it('deletes applied-command journal rows, and a command redelivered after that is still applied only once', () => {
    let t = Date.parse('2026-01-01T10:00:00Z');
    const now = () => t;
    const a = open(enrolledDir(dirs), now);
    expect(a.applier.apply([itemCommand(1, 'A', 1), itemCommand(2, 'B', 1)])).toBe(2);
    t += 31 * DAY;
    expect(a.applier.apply([itemCommand(3, 'C', 1)])).toBe(3);
    const r = retentionOf(a, now, 30);
    expect(r.step()).toMatchObject({ commands: 2 });
    expect(journalSeqs(a)).toEqual([3]);

    // Central resends 1..4 (its ack was lost): 1 and 2 left the journal, but the applied cursor skips them.
    const upsertsBefore = a.db.sqlite.prepare("SELECT count(*) FROM items WHERE sku IN ('A','B')").pluck().get();
    expect(a.applier.apply([itemCommand(1, 'A', 7), itemCommand(2, 'B', 7), itemCommand(3, 'C', 7), itemCommand(4, 'D', 1)])).toBe(4);
    expect(journalSeqs(a)).toEqual([3, 4]);
    expect(a.db.sqlite.prepare("SELECT sku, version FROM items WHERE sku IN ('A','B','C') ORDER BY sku").all()).toEqual([
      { sku: 'A', version: 1 },
      { sku: 'B', version: 1 },
      { sku: 'C', version: 1 },
    ]);
    expect(upsertsBefore).toBe(2);
  });

  it('gives the freed pages back to the file system', () => {
    let t = Date.parse('2026-03-01T10:00:00Z');
    const now = () => t;
    // synchronous=NORMAL: 2,000 fsyncs would only make the test slow; the file's layout is the same.
    const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: { OUTPOST_SQLITE_SYNC: 'normal' }, now });
    onTestFinished(() => a.stop());
    const pages = () => a.db.sqlite.pragma('page_count', { simple: true }) as number;
    const empty = pages();
    for (let i = 1; i <= 2000; i++) a.capture.sale(sale(`T-${i}`, { lines: [{ sku: `SKU-${i}`, qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] }));
    const full = pages();
    expect(full).toBeGreaterThan(empty + 100);
    a.outbox.markAcked(2000);
    t += 1;
    const r = retentionOf(a, now, 0, 500);
    while (r.step().events > 0);
    expect(a.db.sqlite.pragma('freelist_count', { simple: true })).toBe(0);
    expect(pages()).toBeLessThan(empty + 40); // the stock rows of 2,000 skus stay; the events are gone
  }, 60_000);
});

describe('switching an existing file to incremental vacuum', () => {
  it('a file from an older agent is switched once at open (VACUUM), keeping every row', async () => {
    const dir = enrolledDir(dirs);
    const first = createAgent({ dataDir: dir, log: silentLogger, env: {} });
    for (let i = 1; i <= 50; i++) first.capture.sale(sale(`T-${i}`));
    await first.stop();
    // What an agent before this change left behind: a file without auto-vacuum.
    const raw = new Database(join(dir, 'agent.db'));
    raw.pragma('auto_vacuum = NONE');
    raw.exec('VACUUM');
    expect(raw.pragma('auto_vacuum', { simple: true })).toBe(0);
    raw.close();

    const a = open(dir);
    expect(a.db.vacuum).toBe('incremental');
    expect(a.db.sqlite.pragma('auto_vacuum', { simple: true })).toBe(2);
    expect(outboxSeqs(a)).toHaveLength(50);
    expect(a.capture.sale(sale('T-50'))).toMatchObject({ seq: 50, duplicate: true });
  });
});

describe('a central that lost what the till already deleted', () => {
  it('is named with the missing seqs, instead of waiting silently', () => {
    let t = Date.parse('2026-03-01T10:00:00Z');
    const now = () => t;
    const a = open(enrolledDir(dirs), now);
    for (let i = 1; i <= 6; i++) a.capture.sale(sale(`T-${i}`));
    a.outbox.markAcked(4);
    t += 1;
    retentionOf(a, now, 0).step();
    expect(a.outbox.deletedAfter(4)).toBeNull(); // what central still lacks (5, 6) is all here
    // Central comes back from an older backup holding 2: seqs 3 and 4 are gone on both sides.
    expect(a.outbox.resync(2)).toMatchObject({ rewound: 2 });
    expect(a.outbox.deletedAfter(2)).toEqual({ from: 3, to: 4 });
  });
});
