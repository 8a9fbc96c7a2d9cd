import { describe, expect, it } from 'vitest';
import { uuidv7, type RawCommand, type Seed } from '@outpost/shared';
import type { Agent } from './engine.js';
import { agentTestContext, enrolledDir, sale } from './testing/fixtures.js';

const { dirs, open } = agentTestContext();

function cmd(seq: number, type: string, payload: unknown): RawCommand {
  return { seq, commandId: uuidv7(), storeId: 'store-t', type, schemaVersion: 1, createdAt: new Date().toISOString(), correlationId: uuidv7(), payload };
}

function seed(over: Partial<Seed> = {}): Seed {
  return {
    atSeq: 7,
    deviceStoredSeq: 0,
    takenAt: new Date().toISOString(),
    items: [
      { sku: 'SKU-1', name: 'Blue mug', price: 450, currency: 'EUR', version: 3 },
      { sku: 'SKU-2', name: 'Red mug', price: 500, currency: 'EUR', version: 1 },
    ],
    stock: [
      { sku: 'SKU-1', onHand: 10, damaged: 1, quarantine: 0 },
      { sku: 'SKU-2', onHand: 4, damaged: 0, quarantine: 0 },
    ],
    picks: [
      { reservationId: 'R-1', orderId: 'O-1', status: 'delivered', lines: [{ sku: 'SKU-1', qty: 2, pickedQty: null }], expiresAt: null, createdSeq: 5, createdAt: new Date().toISOString(), correlationId: uuidv7() },
      { reservationId: 'R-2', orderId: 'O-2', status: 'short_picked', lines: [{ sku: 'SKU-2', qty: 3, pickedQty: 1 }], expiresAt: null, createdSeq: 6, createdAt: new Date().toISOString(), correlationId: uuidv7() },
    ],
    ...over,
  };
}

const journal = (a: Agent) => a.db.sqlite.prepare('SELECT seq, type, outcome FROM applied_commands ORDER BY applied_order').all();
const stockOf = (a: Agent, sku: string) => a.stock.list({ sku, limit: 1 }, a.picks.heldBySku()).items[0];

describe('store seed', () => {
  it('gives a fresh till the items, stock and open picks, and the stream resumes after its seq', () => {
    const a = open(enrolledDir(dirs));
    expect(a.status()).toMatchObject({ appliedCommandSeq: 0, seed: { wanted: true, atSeq: null } });
    expect(a.seeder.onMessage(seed())).toEqual({ ok: true, appliedSeq: 7 });
    expect(a.status()).toMatchObject({ appliedCommandSeq: 7, pendingPicks: 1, seed: { wanted: false, atSeq: 7 } });
    expect(a.db.sqlite.prepare('SELECT sku, price, version FROM items ORDER BY sku').all()).toEqual([
      { sku: 'SKU-1', price: 450, version: 3 },
      { sku: 'SKU-2', price: 500, version: 1 },
    ]);
    expect(stockOf(a, 'SKU-1')).toEqual({ sku: 'SKU-1', onHand: 10, reserved: 2, available: 8 });
    expect(stockOf(a, 'SKU-2')).toEqual({ sku: 'SKU-2', onHand: 4, reserved: 1, available: 3 });
    expect(a.picks.list({ limit: 10 }).items.map((p) => [p.reservationId, p.status])).toEqual([
      ['R-1', 'delivered'],
      ['R-2', 'short_picked'],
    ]);
    // A redelivered command at or below the seed's seq is inside the picture: skipped. The next one applies.
    const applied = a.applier.apply([
      cmd(6, 'stock.received', { receiptId: 'RCV-OLD', lines: [{ sku: 'SKU-1', qty: 50 }] }),
      cmd(7, 'item.upserted', { sku: 'SKU-1', name: 'old name', price: 1, currency: 'EUR', version: 3 }),
      cmd(8, 'stock.received', { receiptId: 'RCV-NEW', lines: [{ sku: 'SKU-2', qty: 6 }] }),
      cmd(9, 'reservation.cancelled', { reservationId: 'R-1', reason: 'customer' }),
    ]);
    expect(applied).toBe(9);
    expect(stockOf(a, 'SKU-1')).toEqual({ sku: 'SKU-1', onHand: 10, reserved: 0, available: 10 });
    expect(stockOf(a, 'SKU-2')?.onHand).toBe(10);
    expect(journal(a)).toEqual([
      { seq: 7, type: 'seed', outcome: 'seeded' },
      { seq: 8, type: 'stock.received', outcome: 'applied' },
      { seq: 9, type: 'reservation.cancelled', outcome: 'applied' },
    ]);
  });

  it('keeps the sales this till made before central read the picture, and only those', () => {
    const a = open(enrolledDir(dirs));
    a.capture.sale(sale('T-1')); // seq 1: 2 x SKU-1, not at central yet
    a.capture.sale(sale('T-2')); // seq 2
    // Central had stored seq 1 when it read the picture (its 10 already counts that sale); seq 2 is on top.
    expect(a.seeder.onMessage(seed({ deviceStoredSeq: 1 }))).toEqual({ ok: true, appliedSeq: 7 });
    expect(stockOf(a, 'SKU-1')?.onHand).toBe(8);
  });

  it('is refused once the till is on the command stream, and a second seed changes nothing', () => {
    const a = open(enrolledDir(dirs));
    expect(a.seeder.onMessage(seed({ atSeq: 3 }))).toMatchObject({ ok: true });
    a.applier.apply([cmd(4, 'stock.received', { receiptId: 'RCV-1', lines: [{ sku: 'SKU-1', qty: 5 }] })]);
    const again = a.seeder.onMessage(seed({ atSeq: 9, stock: [{ sku: 'SKU-1', onHand: 99, damaged: 0, quarantine: 0 }] }));
    expect(again).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(stockOf(a, 'SKU-1')?.onHand).toBe(15);
    expect(a.status().appliedCommandSeq).toBe(4);

    const b = open(enrolledDir(dirs));
    b.applier.apply([cmd(1, 'item.upserted', { sku: 'SKU-9', name: 'x', price: 1, currency: 'EUR', version: 1 })]);
    expect(b.seeder.onMessage(seed())).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(b.picks.list({ limit: 10 }).items).toEqual([]);
  });

  it('refuses a seed that does not parse and applies nothing of it', () => {
    const a = open(enrolledDir(dirs));
    const bad = { ...seed(), stock: [{ sku: 'SKU-1', onHand: 1.5, damaged: 0, quarantine: 0 }] };
    expect(a.seeder.onMessage(bad)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(a.db.sqlite.prepare('SELECT count(*) AS n FROM items').get()).toEqual({ n: 0 });
    expect(a.status()).toMatchObject({ appliedCommandSeq: 0, seed: { wanted: true } });
  });
});
