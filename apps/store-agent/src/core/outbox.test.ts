import { describe, expect, it } from 'vitest';
import { parseEvent } from '@outpost/shared';
import { agentTestContext, enrolledDir, sale } from './testing/fixtures.js';

const { dirs, open } = agentTestContext();

function seqsOf(buf: Buffer): number[] {
  return (JSON.parse(buf.toString('utf8')) as unknown[]).map((e) => {
    const p = parseEvent(e);
    if (!p.ok) throw new Error(p.error);
    return p.value.seq;
  });
}

describe('outbox', () => {
  it('reads contiguous batches bounded by count and bytes, always at least one event', () => {
    const a = open(enrolledDir(dirs));
    for (let i = 0; i < 10; i++) a.capture.sale(sale(`T-${i}`));
    expect(a.outbox.readBatch(10, 5, 1 << 20)).toBeNull();

    const byCount = a.outbox.readBatch(0, 4, 1 << 20)!;
    expect(byCount).toMatchObject({ firstSeq: 1, count: 4 });
    expect(seqsOf(byCount.buffer)).toEqual([1, 2, 3, 4]);

    const one = a.outbox.readBatch(4, 100, 1 << 20)!;
    const eventBytes = one.buffer.length; // 6 events
    const perEvent = Math.ceil(eventBytes / 6);
    const byBytes = a.outbox.readBatch(4, 100, perEvent * 2 + 10)!;
    expect(byBytes.firstSeq).toBe(5);
    expect(byBytes.count).toBe(2);
    expect(byBytes.buffer.length).toBeLessThanOrEqual(perEvent * 2 + 10);
    expect(seqsOf(byBytes.buffer)).toEqual([5, 6]);

    const tiny = a.outbox.readBatch(7, 100, 10)!;
    expect(tiny.count).toBe(1);
    expect(seqsOf(tiny.buffer)).toEqual([8]);
  });

  it('markAcked only moves forward and sets lastSyncAt', () => {
    const a = open(enrolledDir(dirs));
    for (let i = 0; i < 5; i++) a.capture.sale(sale(`T-${i}`));
    expect(a.status().lastSyncAt).toBeNull();
    a.outbox.markAcked(3);
    expect(a.status()).toMatchObject({ lastAckedSeq: 3, pendingUp: 2 });
    expect(a.status().lastSyncAt).not.toBeNull();
    a.outbox.markAcked(1); // a late ack of an older batch
    expect(a.status()).toMatchObject({ lastAckedSeq: 3, pendingUp: 2 });
    a.outbox.markAcked(99, 4); // central holds more, but it checked our events only up to the batch's end
    expect(a.status()).toMatchObject({ lastAckedSeq: 4, pendingUp: 1 });
    a.outbox.markAcked(99, 5); // all of ours checked and central holds more: numbering continues after it
    expect(a.status()).toMatchObject({ lastAckedSeq: 99, pendingUp: 0 });
    expect(a.outbox.pendingCount()).toBe(0);
    expect(a.outbox.highestSeq()).toBe(5);
    expect(a.capture.sale(sale('T-next')).seq).toBe(100);
  });

  it('central holding less than acked moves the mark back so those events are sent again', () => {
    const a = open(enrolledDir(dirs));
    for (let i = 0; i < 6; i++) a.capture.sale(sale(`T-${i}`));
    a.outbox.markAcked(6);
    const r = a.outbox.resync(2);
    expect(r).toMatchObject({ ackedSeq: 2, lastSeq: 6, rewound: 4, raisedTo: null });
    expect(a.status().pendingUp).toBe(4);
    expect(a.outbox.readBatch(r.ackedSeq, 100, 1 << 20)).toMatchObject({ firstSeq: 3, count: 4 });
  });

  it('central holding seqs this device has not seen acked: its own events there are resent, not marked forwarded', () => {
    const a = open(enrolledDir(dirs));
    for (let i = 0; i < 3; i++) a.capture.sale(sale(`T-${i}`));
    a.outbox.markAcked(1);
    // A restored copy: central's 2..40 may be other events than our 2 and 3; only central's event-id check can tell.
    expect(a.outbox.resync(40)).toMatchObject({ ackedSeq: 1, lastSeq: 3, raisedTo: null });
    expect(a.outbox.readBatch(1, 100, 1 << 20)).toMatchObject({ firstSeq: 2, count: 2 });
  });

  it('central holding more than this device captured, everything here acked: numbering continues after it', () => {
    const a = open(enrolledDir(dirs));
    for (let i = 0; i < 3; i++) a.capture.sale(sale(`T-${i}`));
    a.outbox.markAcked(3);
    const r = a.outbox.resync(40);
    expect(r).toMatchObject({ ackedSeq: 40, lastSeq: 40, raisedTo: 40 });
    expect(a.status().pendingUp).toBe(0);
    expect(a.capture.sale(sale('T-new')).seq).toBe(41);
    expect(a.outbox.readBatch(40, 100, 1 << 20)).toMatchObject({ firstSeq: 41, count: 1 });
  });

  it('renumbers after a seq_conflict: event ids kept, seqs in the envelopes and capture keys follow, order kept', () => {
    const a = open(enrolledDir(dirs));
    const ids = Array.from({ length: 6 }, (_, i) => a.capture.sale(sale(`T-${i}`)).eventId);
    a.outbox.markAcked(2);
    // Central holds 1..4, its 3 and 4 being another copy's: our 3..6 move after 4, in one piece.
    const r = a.outbox.renumber(3, 4, 2);
    expect(r).toMatchObject({ from: 3, to: 6, shift: 2, ackedSeq: 4, lastSeq: 8, moved: 4 });
    expect(a.status()).toMatchObject({ lastAckedSeq: 4, pendingUp: 4 });
    const b = a.outbox.readBatch(4, 100, 1 << 20)!;
    expect(b).toMatchObject({ firstSeq: 5, count: 4 });
    expect(seqsOf(b.buffer)).toEqual([5, 6, 7, 8]);
    expect((JSON.parse(b.buffer.toString('utf8')) as { eventId: string }[]).map((e) => e.eventId)).toEqual(ids.slice(2));
    // A till retrying T-2 gets the same event under its new seq.
    expect(a.capture.sale(sale('T-2'))).toMatchObject({ eventId: ids[2], seq: 5, duplicate: true });
    expect(a.capture.sale(sale('T-new')).seq).toBe(9);
    expect(a.outbox.renumber(9, 4, 0)).toBeNull();
  });
});
