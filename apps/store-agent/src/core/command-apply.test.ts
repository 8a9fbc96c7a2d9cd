import { describe, expect, it } from 'vitest';
import { uuidv7, type RawCommand } from '@outpost/shared';
import type { Agent } from './engine.js';
import { agentTestContext, enrolledDir } from './testing/fixtures.js';

const { dirs, open } = agentTestContext();

function cmd(seq: number, type: string, payload: unknown, schemaVersion = 1): RawCommand {
  return { seq, commandId: uuidv7(), storeId: 'store-t', type, schemaVersion, createdAt: new Date().toISOString(), correlationId: uuidv7(), payload };
}
const item = (seq: number, sku: string, version: number, name = `${sku} v${version}`) =>
  cmd(seq, 'item.upserted', { sku, name, price: 100 * version, currency: 'EUR', version });

function journal(a: Agent) {
  return a.db.sqlite.prepare('SELECT seq, outcome FROM applied_commands ORDER BY applied_order').all() as { seq: number; outcome: string }[];
}
function itemRow(a: Agent, sku: string) {
  return a.db.sqlite.prepare('SELECT name, price, version FROM items WHERE sku = ?').get(sku);
}

describe('command apply', () => {
  it('applies in seq order, skips what was applied, and stops at a gap', () => {
    const a = open(enrolledDir(dirs));
    expect(a.applier.apply([item(2, 'B', 1), item(1, 'A', 1)])).toBe(2);
    expect(a.applier.apply([item(1, 'A', 9), item(2, 'B', 9), item(3, 'C', 1)])).toBe(3); // 1, 2 redelivered
    expect(itemRow(a, 'A')).toMatchObject({ version: 1 });
    expect(a.applier.apply([item(5, 'E', 1), item(6, 'F', 1)])).toBe(3); // 4 missing
    expect(itemRow(a, 'E')).toBeUndefined();
    expect(a.applier.apply([item(4, 'D', 1), item(5, 'E', 1)])).toBe(5);
    expect(journal(a).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(a.status().appliedCommandSeq).toBe(5);
  });

  it('applies only newer item versions (R6)', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([item(1, 'A', 3, 'Blue mug XL'), item(2, 'A', 2, 'older'), item(3, 'A', 3, 'same version')]);
    expect(itemRow(a, 'A')).toEqual({ name: 'Blue mug XL', price: 300, version: 3 });
    a.applier.apply([item(4, 'A', 4, 'newest')]);
    expect(itemRow(a, 'A')).toEqual({ name: 'newest', price: 400, version: 4 });
    expect(journal(a).map((r) => r.outcome)).toEqual(['applied', 'ignored_old_version', 'ignored_old_version', 'applied']);
  });

  it('quarantines invalid or unknown commands and moves on', () => {
    const a = open(enrolledDir(dirs));
    const applied = a.applier.apply([
      item(1, 'A', 1),
      cmd(2, 'item.upserted', { sku: 'B', name: 'x', price: 1.5, currency: 'EUR', version: 1 }),
      cmd(3, 'teleport.item', { sku: 'C' }),
      item(4, 'D', 1, 'after the bad ones'),
      cmd(5, 'item.upserted', { sku: 'E' }, 7),
    ]);
    expect(applied).toBe(5);
    const q = a.db.sqlite.prepare('SELECT seq, error, raw FROM command_quarantine ORDER BY seq').all() as { seq: number; error: string; raw: string }[];
    expect(q.map((r) => r.seq)).toEqual([2, 3, 5]);
    expect(q[0]!.error).toMatch(/price/);
    expect(q[1]!.error).toMatch(/unknown command teleport.item/);
    expect(JSON.parse(q[1]!.raw)).toMatchObject({ seq: 3, payload: { sku: 'C' } });
    expect(itemRow(a, 'D')).toMatchObject({ name: 'after the bad ones' });
    // A broken element of a message that does not parse as a whole is quarantined too.
    expect(a.applier.applyLoose([{ seq: 6, type: 'item.upserted' }, item(7, 'G', 1)])).toBe(7);
    expect(journal(a).map((r) => [r.seq, r.outcome])).toContainEqual([6, 'quarantined']);
  });

  it('creates, cancels reservations and books received stock; open picks are counted', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([
      cmd(1, 'reservation.created', { reservationId: 'RES-1', orderId: 'O-1', lines: [{ sku: 'A', qty: 2 }] }),
      cmd(2, 'reservation.created', { reservationId: 'RES-2', orderId: 'O-2', lines: [{ sku: 'B', qty: 1 }], expiresAt: '2026-12-01T10:00:00Z' }),
      cmd(3, 'reservation.cancelled', { reservationId: 'RES-1', reason: 'customer' }),
      cmd(4, 'stock.received', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 10 }] }),
    ]);
    const res = a.db.sqlite.prepare('SELECT reservation_id AS id, status, lines FROM reservations ORDER BY 1').all();
    expect(res).toEqual([
      { id: 'RES-1', status: 'cancelled', lines: JSON.stringify([{ sku: 'A', qty: 2, pickedQty: null }]) },
      { id: 'RES-2', status: 'delivered', lines: JSON.stringify([{ sku: 'B', qty: 1, pickedQty: null }]) },
    ]);
    expect(a.db.sqlite.prepare('SELECT receipt_id FROM received_stock').pluck().all()).toEqual(['GR-1']);
    expect(a.status().pendingPicks).toBe(1);
  });

  it('keeps the applied seq across a restart: a redelivery after a lost ack changes nothing', async () => {
    const dir = enrolledDir(dirs);
    const a = open(dir);
    a.applier.apply([item(1, 'A', 1), item(2, 'A', 2)]);
    await a.stop();
    const b = open(dir);
    expect(b.applier.apply([item(1, 'A', 1), item(2, 'A', 2), item(3, 'B', 1)])).toBe(3);
    expect(journal(b).map((r) => r.seq)).toEqual([1, 2, 3]);
  });
});
