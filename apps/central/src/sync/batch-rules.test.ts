import { describe, expect, it } from 'vitest';
import { uuidv7 } from '@outpost/shared';
import { checkBatchBounds, checkSeq, classifyBatch, decodeBatchEvents, nextStoredSeq, storableText } from './batch-rules.js';

const conn = { storeId: 'store-1', deviceId: uuidv7() };
const limits = { maxBatchEvents: 10, maxBatchBytes: 1000, maxInFlight: 4 };

function sale(seq: number, over: Record<string, unknown> = {}) {
  return {
    eventId: uuidv7(),
    storeId: conn.storeId,
    deviceId: conn.deviceId,
    seq,
    hlc: '001763000000000:00000:dev',
    occurredAt: '2026-11-23T10:00:00.000Z',
    type: 'sale.completed',
    schemaVersion: 1,
    correlationId: 'c-1',
    payload: {
      transactionId: `T-${seq}`,
      businessDate: '2026-11-23',
      currency: 'EUR',
      lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 100 }],
      tenders: [{ method: 'cash', amount: 100 }],
    },
    ...over,
  };
}

describe('checkBatchBounds', () => {
  it('accepts a batch at the limits', () => {
    expect(checkBatchBounds(1000, 10, limits)).toBeNull();
  });
  it('refuses too many bytes or events, naming both limits', () => {
    const bytes = checkBatchBounds(1001, 1, limits);
    expect(bytes).toMatchObject({ ok: false, error: { code: 'batch_too_large', details: { maxBatchBytes: 1000, maxBatchEvents: 10 } } });
    expect(bytes?.error.message).toMatch(/bytes/);
    expect(checkBatchBounds(10, 11, limits)).toMatchObject({ ok: false, error: { code: 'batch_too_large' } });
  });
});

describe('decodeBatchEvents', () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  it('parses a JSON array of the announced length', () => {
    expect(decodeBatchEvents(enc('[1,{"a":2}]'), 2)).toEqual({ ok: true, elements: [1, { a: 2 }] });
  });
  it('refuses broken JSON, a non-array and a count mismatch as bad_request', () => {
    for (const [text, count] of [['[1,', 1], ['{"a":1}', 1], ['[1,2]', 3]] as const) {
      const r = decodeBatchEvents(enc(text), count);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.refusal.error.code).toBe('bad_request');
    }
  });
  it('reads a view into a larger buffer at its offset', () => {
    const whole = enc('xx[7]yy');
    expect(decodeBatchEvents(whole.subarray(2, 5), 1)).toEqual({ ok: true, elements: [7] });
  });
});

describe('checkSeq', () => {
  it('accepts the next seq with nothing to skip', () => {
    expect(checkSeq(1, 5, 0)).toEqual({ ok: true, skip: 0 });
    expect(checkSeq(11, 5, 10)).toEqual({ ok: true, skip: 0 });
  });
  it('refuses a gap with the expected seq', () => {
    expect(checkSeq(12, 5, 10)).toEqual({ ok: false, expectedSeq: 11 });
    expect(checkSeq(2, 1, 0)).toEqual({ ok: false, expectedSeq: 1 });
  });
  it('skips what is already held: an overlap partly, a full resend wholly', () => {
    expect(checkSeq(8, 5, 10)).toEqual({ ok: true, skip: 3 });
    expect(checkSeq(1, 5, 10)).toEqual({ ok: true, skip: 5 });
  });
  it('never lowers the stored seq', () => {
    expect(nextStoredSeq(1, 5, 10)).toBe(10);
    expect(nextStoredSeq(8, 5, 10)).toBe(12);
  });
});

describe('classifyBatch', () => {
  it('keeps valid events and quarantines an invalid one under its position seq, with a readable error', () => {
    const bad = sale(2);
    (bad.payload as { lines: { qty: number }[] }).lines[0]!.qty = -2;
    const r = classifyBatch([sale(1), bad, sale(3)], 1, 0, conn);
    expect(r.kind).toBe('ok');
    if (r.kind !== 'ok') return;
    expect(r.valid.map((e) => e.seq)).toEqual([1, 3]);
    expect(r.quarantined).toHaveLength(1);
    expect(r.quarantined[0]).toMatchObject({ seq: 2, eventId: bad.eventId });
    expect(r.quarantined[0]!.error).toMatch(/payload\.lines\.0\.qty: quantity must be positive/);
    expect(JSON.parse(r.quarantined[0]!.raw)).toEqual(bad);
  });
  it('quarantines an event whose seq disagrees with its position, and garbage without an event id', () => {
    const r = classifyBatch([sale(9), 'garbage'], 5, 0, conn);
    if (r.kind !== 'ok') throw new Error('expected ok');
    expect(r.valid).toHaveLength(0);
    expect(r.quarantined.map((q) => q.seq)).toEqual([5, 6]);
    expect(r.quarantined[0]!.error).toMatch(/seq: 9 does not match .*expected 5/);
    expect(r.quarantined[1]).toMatchObject({ eventId: null, raw: '"garbage"' });
  });
  it('condemns the whole batch when one event claims another store or device', () => {
    expect(classifyBatch([sale(1), sale(2, { storeId: 'store-2' })], 1, 0, conn)).toMatchObject({ kind: 'wrong_store', seq: 2 });
    expect(classifyBatch([sale(1, { deviceId: uuidv7() })], 1, 0, conn)).toMatchObject({ kind: 'wrong_store', seq: 1 });
  });
  it('looks only at elements after the skipped duplicates', () => {
    const r = classifyBatch([sale(1, { storeId: 'elsewhere' }), sale(2)], 1, 1, conn);
    expect(r).toMatchObject({ kind: 'ok', quarantined: [] });
    if (r.kind === 'ok') expect(r.valid.map((e) => e.seq)).toEqual([2]);
  });
});

describe('what PostgreSQL cannot store is quarantined, not retried forever', () => {
  it('quarantines NUL characters and unpaired surrogates in the payload or correlation id, and years out of range', () => {
    const nul = sale(1);
    (nul.payload as { transactionId: string }).transactionId = 'T\u0000';
    const lone = sale(2, { correlationId: 'c-\ud800' });
    const key = sale(3);
    (key.payload as Record<string, unknown>)['x\u0000'] = 1;
    const paired = sale(4, { correlationId: 'c-\ud83d\ude00' }); // a real emoji is fine
    const ancient = sale(5, { occurredAt: '0000-01-01T00:00:00Z' });
    const r = classifyBatch([nul, lone, key, paired, ancient], 1, 0, conn);
    if (r.kind !== 'ok') throw new Error('expected ok');
    // Unknown keys are not part of the schema: parsing drops them, so the NUL key never reaches the database.
    expect(r.valid.map((e) => e.seq)).toEqual([3, 4]);
    expect(Object.keys(r.valid[0]!.payload)).not.toContain('x\u0000');
    expect(r.quarantined.map((q) => q.seq)).toEqual([1, 2, 5]);
    expect(r.quarantined[0]!.error).toMatch(/payload\.transactionId: contains a NUL/);
    expect(r.quarantined[1]!.error).toMatch(/correlationId/);
    expect(r.quarantined[2]!.error).toMatch(/occurredAt/);
    for (const q of r.quarantined) expect(q.raw).not.toMatch(/\u0000/);
  });
  it('quarantines an element nested 5,000 levels deep (a RangeError failed the batch on every resend), and out-of-range quantities', () => {
    // Through the decoder too: the element arrives as JSON text, as on the socket.
    const deep = '{"a":'.repeat(5000) + '0' + '}'.repeat(5000);
    const text = JSON.stringify([sale(1), { ...sale(2), payload: 'P' }]).replace('"P"', deep);
    const decoded = decodeBatchEvents(new TextEncoder().encode(text), 2);
    if (!decoded.ok) throw new Error('expected decoded');
    const huge = sale(3);
    (huge.payload as { lines: { qty: number }[] }).lines[0]!.qty = 3_000_000_000;
    const r = classifyBatch([...decoded.elements, huge], 1, 0, conn);
    if (r.kind !== 'ok') throw new Error('expected ok');
    expect(r.valid.map((e) => e.seq)).toEqual([1]);
    expect(r.quarantined.map((q) => q.seq)).toEqual([2, 3]);
    expect(r.quarantined[0]!.error).toMatch(/nested deeper than 32 levels/);
    expect(r.quarantined[0]!.eventId).toBe((decoded.elements[1] as { eventId: string }).eventId);
    expect(r.quarantined[0]!.raw.length).toBeLessThan(5000);
    expect(r.quarantined[1]!.error).toMatch(/payload\.lines\.0\.qty: quantity must be between/);
  });
  it('makes error text storable', () => {
    expect(storableText('a\u0000b\ud800c')).toBe('a\ufffdb\ufffdc');
  });
});
