import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

// Issue 11, cases 1 and 2 at central's edge: a seq is a duplicate only when it is the same event, and every seq
// of a device is stored or quarantined, never neither.

interface QuarantineItem {
  seq: number;
  eventId: string | null;
  error: string;
  raw: { payload: { transactionId: string } };
}

async function events(tc: TestCentral, storeId: string): Promise<{ eventId: string; seq: number; payload: { transactionId: string } }[]> {
  return (await tc.api.get<{ items: { eventId: string; seq: number; payload: { transactionId: string } }[] }>(`/events?storeId=${storeId}&limit=1000`)).body.items;
}

async function quarantine(tc: TestCentral, storeId: string): Promise<QuarantineItem[]> {
  return (await tc.api.get<{ items: QuarantineItem[] }>(`/quarantine?storeId=${storeId}`)).body.items;
}

describe('resent seqs and reused event ids', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    tc = await startTestCentral();
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await tc.close();
  });

  async function connect(storeId: string, protocolVersion?: number) {
    const a = await enrol(tc, storeId);
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId, protocolVersion);
    raws.push(raw);
    await raw.connected();
    return { raw, ...a };
  }

  function sale(raw: RawAgent, seq: number, tx: string) {
    return raw.sale(seq, {
      payload: { transactionId: tx, businessDate: '2026-11-23', currency: 'EUR', lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] },
    });
  }

  it('quarantines an event that reuses the id of an earlier seq of the same batch (case 2), with the reason', async () => {
    const { raw } = await connect('store-reuse');
    await raw.hello();
    const s1 = sale(raw, 1, 'T-1');
    const s2 = sale(raw, 2, 'T-2');
    const s3 = { ...sale(raw, 3, 'T-3'), eventId: s2.eventId };
    expect(await raw.batch(1, [s1, s2, s3])).toEqual({ ok: true, storedSeq: 3, stored: 2, duplicates: 0, quarantined: 1 });
    expect((await events(tc, 'store-reuse')).map((e) => e.seq)).toEqual([1, 2]);
    const q = await quarantine(tc, 'store-reuse');
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ seq: 3, eventId: s2.eventId, raw: { payload: { transactionId: 'T-3' } } });
    expect(q[0]!.error).toMatch(/already stored at seq 2 of this device/);

    // A true resend of the whole batch is all duplicates, and quarantines nothing twice.
    expect(await raw.batch(1, [s1, s2, s3])).toEqual({ ok: true, storedSeq: 3, stored: 0, duplicates: 3, quarantined: 0 });
    expect(await quarantine(tc, 'store-reuse')).toHaveLength(1);
  });

  it('quarantines an event that reuses the id of a seq stored by an earlier batch', async () => {
    const { raw } = await connect('store-reuse2');
    await raw.hello();
    const s1 = sale(raw, 1, 'T-1');
    expect(await raw.batch(1, [s1])).toMatchObject({ ok: true, storedSeq: 1, stored: 1 });
    const again = { ...sale(raw, 2, 'T-2'), eventId: s1.eventId };
    expect(await raw.batch(2, [again, sale(raw, 3, 'T-3')])).toEqual({ ok: true, storedSeq: 3, stored: 1, duplicates: 0, quarantined: 1 });
    const q = await quarantine(tc, 'store-reuse2');
    expect(q.map((x) => x.seq)).toEqual([2]);
    expect(q[0]!.error).toMatch(/already stored at seq 1/);
    // Every seq 1..3 is accounted for: stored or quarantined.
    const held = [...(await events(tc, 'store-reuse2')).map((e) => e.seq), ...q.map((x) => x.seq)].sort();
    expect(held).toEqual([1, 2, 3]);
  });

  it('refuses a resent seq that carries another event id (a restored device) with seq_conflict, and logs the conflict (case 1)', async () => {
    const { raw, deviceId } = await connect('store-restored');
    await raw.hello();
    const first = [1, 2, 3, 4, 5].map((s) => sale(raw, s, `T-${s}`));
    expect(await raw.batch(1, first)).toMatchObject({ ok: true, storedSeq: 5, stored: 5 });
    // The device restored from a copy taken at seq 2 numbers new sales 3, 4 ... again.
    const reborn = [3, 4, 5, 6].map((s) => sale(raw, s, `R-${s}`));
    expect(await raw.hello({ highestSeq: 6, pendingUp: 4 })).toMatchObject({ ok: true, storedSeq: 5 });
    // Seq 3 is a true resend? No: another event id. Nothing is stored, the agent is told where to renumber.
    const ack = await raw.batch(2, [first[1]!, ...reborn]);
    expect(ack).toMatchObject({
      ok: false,
      error: { code: 'seq_conflict', details: { conflictSeq: 3, storedSeq: 5, eventId: reborn[0]!.eventId, heldEventId: first[2]!.eventId } },
    });
    expect((await events(tc, 'store-restored')).map((e) => e.eventId)).toEqual(first.map((e) => e.eventId));
    const conflicts = await tc.api.get<{ items: { kind: string; storeId: string; resolution: string; inputs: Record<string, unknown> }[] }>(
      '/conflicts?kind=device_restored',
    );
    expect(conflicts.body.items).toHaveLength(1);
    expect(conflicts.body.items[0]).toMatchObject({ storeId: 'store-restored', inputs: { deviceId, conflictSeq: 3, storedSeq: 5 } });
    expect(conflicts.body.items[0]!.resolution).toMatch(/restored from an older copy.*4 events from seq 3 renumbered after seq 5/);

    // Renumbered after central's seq (same event ids): all stored, nothing skipped.
    const renumbered = reborn.map((e, i) => ({ ...e, seq: 6 + i }));
    expect(await raw.batch(6, renumbered)).toEqual({ ok: true, storedSeq: 9, stored: 4, duplicates: 0, quarantined: 0 });
    const all = await events(tc, 'store-restored');
    expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.map((e) => e.payload.transactionId)).toEqual(['T-1', 'T-2', 'T-3', 'T-4', 'T-5', 'R-3', 'R-4', 'R-5', 'R-6']);
  });

  it('answers a v1 agent (that cannot renumber) without seq_conflict: a true resend is a duplicate, another event is quarantined', async () => {
    const { raw } = await connect('store-v1', 1);
    await raw.hello();
    const t1 = sale(raw, 1, 'T-1');
    expect(await raw.batch(1, [t1])).toMatchObject({ ok: true, storedSeq: 1 });
    expect(await raw.batch(1, [t1])).toEqual({ ok: true, storedSeq: 1, stored: 0, duplicates: 1, quarantined: 0 });
    expect(await raw.batch(1, [sale(raw, 1, 'X-1'), sale(raw, 2, 'X-2')])).toEqual({ ok: true, storedSeq: 2, stored: 1, duplicates: 0, quarantined: 1 });
    const q = await quarantine(tc, 'store-v1');
    expect(q.map((x) => [x.seq, x.raw.payload.transactionId])).toEqual([[1, 'X-1']]);
    expect(q[0]!.error).toMatch(/cannot renumber/);
  });
});
