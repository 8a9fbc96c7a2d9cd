import { describe, expect, it } from 'vitest';
import { parseEvent } from '@outpost/shared';
import type { Agent } from './engine.js';
import { agentTestContext, enrolledDir, sale } from './testing/fixtures.js';
import { items } from './db/schema.js';

const { dirs, open } = agentTestContext();
function outboxRows(a: Agent) {
  return a.db.sqlite.prepare('SELECT seq, event_id AS eventId, body FROM outbox ORDER BY seq').all() as { seq: number; eventId: string; body: string }[];
}

describe('capture', () => {
  it('a transactionId captured twice yields the first event; seq is gap-free', () => {
    const a = open(enrolledDir(dirs));
    const first = a.capture.sale(sale('T-1'));
    const second = a.capture.sale(sale('T-2'));
    const again = a.capture.sale(sale('T-1', { lines: [{ sku: 'SKU-9', qty: 1, unitPrice: 1 }] }));
    expect(first).toMatchObject({ seq: 1, duplicate: false });
    expect(second).toMatchObject({ seq: 2, duplicate: false });
    expect(again).toEqual({ eventId: first.eventId, seq: 1, duplicate: true });
    // Different document kinds have their own key space: a return R-1 and a count R-1 are two events.
    expect(a.capture.return({ returnId: 'X', lines: [{ sku: 'S', qty: 1, refundAmount: 10, reasonCode: 'r', disposition: 'restock' }] }).seq).toBe(3);
    expect(a.capture.count({ countId: 'X', kind: 'cycle', lines: [{ sku: 'S', countedQty: 0 }] }).seq).toBe(4);
    expect(a.capture.adjustment({ adjustmentId: 'X', reasonCode: 'breakage', lines: [{ sku: 'S', qtyDelta: -1 }] }).seq).toBe(5);
    expect(outboxRows(a).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(a.status()).toMatchObject({ pendingUp: 5, lastAckedSeq: 0 });
  });

  it('writes complete §2 envelopes that pass the shared parseEvent, with defaults and unknown skus flagged', () => {
    const now = Date.UTC(2026, 10, 23, 12, 0, 0);
    const a = open(enrolledDir(dirs, { currency: 'SEK' }), () => now);
    a.db.db.insert(items).values({ sku: 'KNOWN', name: 'Mug', price: 450, currency: 'SEK', version: 1 }).run();
    a.capture.sale(sale('T-1', { lines: [{ sku: 'KNOWN', qty: 1, unitPrice: 450 }, { sku: 'NEW', qty: 1, unitPrice: 100 }] }));
    a.capture.return({ returnId: 'R-1', currency: 'EUR', businessDate: '2026-01-02', lines: [{ sku: 'KNOWN', qty: 1, refundAmount: 450, reasonCode: 'x', disposition: 'damaged' }] });
    const rows = outboxRows(a);
    const envs = rows.map((r) => parseEvent(JSON.parse(r.body)));
    for (const e of envs) expect(e.ok, e.ok ? '' : e.error).toBe(true);
    const [s, r] = envs.map((e) => (e.ok ? e.value : null));
    expect(s).toMatchObject({ storeId: 'store-t', seq: 1, type: 'sale.completed', schemaVersion: 1, occurredAt: new Date(now).toISOString() });
    expect(s?.eventId).toBe(rows[0]?.eventId);
    expect(s?.payload).toMatchObject({ currency: 'SEK', businessDate: expect.stringMatching(/^2026-11-2[34]$/) });
    const lines = (s?.payload as { lines: { sku: string; unknownSku?: boolean }[] }).lines;
    expect(lines).toEqual([expect.not.objectContaining({ unknownSku: true }), expect.objectContaining({ sku: 'NEW', unknownSku: true })]);
    expect(r?.payload).toMatchObject({ currency: 'EUR', businessDate: '2026-01-02' });
    // HLC never goes backwards, even with a frozen wall clock.
    expect(s!.hlc < r!.hlc).toBe(true);
  });

  it('closes a day with control totals from the captured sales and returns; a second close returns the first', () => {
    const a = open(enrolledDir(dirs));
    const day = '2026-11-23';
    a.capture.sale({ ...sale('T-1'), businessDate: day, tenders: [{ method: 'cash', amount: 500 }] });
    a.capture.sale({ transactionId: 'T-2', businessDate: day, lines: [{ sku: 'A', qty: 3, unitPrice: 100 }, { sku: 'B', qty: 1, unitPrice: 7 }], tenders: [{ method: 'card', amount: 307 }] });
    a.capture.sale({ ...sale('T-3'), businessDate: '2026-11-24' }); // another day
    a.capture.sale({ ...sale('T-4'), businessDate: day, currency: 'USD' }); // another currency
    a.capture.return({ returnId: 'R-1', businessDate: day, lines: [{ sku: 'A', qty: 1, refundAmount: 100, reasonCode: 'x', disposition: 'restock' }] });
    const close = a.capture.closeDay(day);
    expect(close.duplicate).toBe(false);
    const env = JSON.parse(outboxRows(a).find((r) => r.seq === close.seq)!.body) as { type: string; payload: unknown };
    expect(env.type).toBe('day.closed');
    expect(env.payload).toEqual({
      businessDate: day,
      currency: 'EUR',
      transactionCount: 2,
      returnCount: 1,
      salesTotal: 500 + 307,
      returnsTotal: 100,
      tenders: [{ method: 'card', amount: 307 }, { method: 'cash', amount: 500 }],
    });
    a.capture.sale({ ...sale('T-5'), businessDate: day });
    expect(a.capture.closeDay(day)).toEqual({ ...close, duplicate: true });
  });

  it('closes a day with what the associate counted (day.closed v2); a later close with another count answers the first', () => {
    const a = open(enrolledDir(dirs));
    const day = '2026-11-25';
    a.capture.sale({ ...sale('T-1'), businessDate: day, tenders: [{ method: 'cash', amount: 500 }] });
    const close = a.capture.closeDay(day, [{ method: 'cash', amount: 480 }]);
    const env = JSON.parse(outboxRows(a).find((r) => r.seq === close.seq)!.body) as { type: string; schemaVersion: number; payload: unknown };
    expect(env).toMatchObject({ type: 'day.closed', schemaVersion: 2 });
    expect(env.payload).toMatchObject({ tenders: [{ method: 'cash', amount: 500 }], countedCash: [{ method: 'cash', amount: 480 }] });
    expect(a.capture.closeDay(day, [{ method: 'cash', amount: 500 }])).toEqual({ ...close, duplicate: true });
    const uncounted = a.capture.closeDay('2026-11-26');
    expect(JSON.parse(outboxRows(a).find((r) => r.seq === uncounted.seq)!.body).payload).not.toHaveProperty('countedCash');
  });

  it('loses nothing when the database is closed without any sync and reopened; numbering and HLC continue', async () => {
    const dir = enrolledDir(dirs);
    let wall = 1_000_000;
    const a = open(dir, () => wall);
    const ids = Array.from({ length: 20 }, (_, i) => a.capture.sale(sale(`T-${i}`)).eventId);
    const lastHlc = JSON.parse(outboxRows(a).at(-1)!.body).hlc as string;
    await a.stop();
    wall = 5; // the PC clock jumped backwards while the agent was down
    const b = open(dir, () => wall);
    expect(outboxRows(b).map((r) => r.eventId)).toEqual(ids);
    expect(b.capture.sale(sale('T-3'))).toMatchObject({ eventId: ids[3], duplicate: true });
    const next = b.capture.sale(sale('T-new'));
    expect(next.seq).toBe(21);
    const hlc = JSON.parse(outboxRows(b).at(-1)!.body).hlc as string;
    expect(hlc > lastHlc).toBe(true);
    expect(b.status().pendingUp).toBe(21);
  });

  it('refuses to mix two enrolments in one data folder', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    a.capture.sale(sale('T-1'));
    await a.stop();
    const { writeEnrolment, readEnrolment } = await import('./config.js');
    writeEnrolment(dir, { ...readEnrolment(dir), deviceId: '01890a5d-ac96-774b-bcce-b302099a8058' });
    expect(() => open(dir)).toThrow(/data folder holds device/);
  });
});
