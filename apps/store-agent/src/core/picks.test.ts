import { describe, expect, it } from 'vitest';
import { uuidv7, type RawCommand } from '@outpost/shared';
import type { Agent } from './engine.js';
import { PickError } from './picks.js';
import { agentTestContext, enrolledDir } from './testing/fixtures.js';

const { dirs, open } = agentTestContext();

function cmd(seq: number, type: string, payload: unknown, correlationId = uuidv7()): RawCommand {
  return { seq, commandId: uuidv7(), storeId: 'store-t', type, schemaVersion: 1, createdAt: new Date().toISOString(), correlationId, payload };
}
const received = (seq: number, lines: { sku: string; qty: number }[]) => cmd(seq, 'stock.received', { receiptId: `rc-${seq}`, lines });
const reserved = (seq: number, reservationId: string, lines: { sku: string; qty: number }[], correlationId?: string) =>
  cmd(seq, 'reservation.created', { reservationId, orderId: `order-${reservationId}`, lines }, correlationId);
const cancelled = (seq: number, reservationId: string, reason = 'customer cancelled') => cmd(seq, 'reservation.cancelled', { reservationId, reason });
const updated = (seq: number, reservationId: string, status: 'picked' | 'short_picked' | 'collected', lines: { sku: string; qty: number; pickedQty: number }[]) =>
  cmd(seq, 'reservation.updated', { reservationId, status, lines });
const journalOutcomes = (a: Agent) => (a.db.sqlite.prepare('SELECT type, outcome FROM applied_commands ORDER BY applied_order').all() as { type: string; outcome: string }[]).map((r) => `${r.type}:${r.outcome}`);

const stockOf = (a: Agent, sku: string) => a.stock.list({ sku, limit: 10 }, a.picks.heldBySku()).items[0];
const outboxTypes = (a: Agent) => (a.db.sqlite.prepare('SELECT type, body FROM outbox ORDER BY seq').all() as { type: string; body: string }[]).map((r) => ({ type: r.type, ...JSON.parse(r.body) }));
function refusedWith(fn: () => unknown): PickError {
  try {
    fn();
  } catch (e) {
    if (e instanceof PickError) return e;
    throw e;
  }
  throw new Error('expected a PickError');
}

describe('picks', () => {
  it('holds reserved units out of available, confirms, hands over, and moves the stock once', () => {
    const a = open(enrolledDir(dirs));
    const corr = uuidv7();
    a.applier.apply([received(1, [{ sku: 'A', qty: 5 }]), reserved(2, 'r1', [{ sku: 'A', qty: 2 }], corr)]);
    expect(stockOf(a, 'A')).toEqual({ sku: 'A', onHand: 5, reserved: 2, available: 3 });
    expect(a.picks.list({ limit: 10 }).items).toEqual([
      expect.objectContaining({ reservationId: 'r1', orderId: 'order-r1', status: 'delivered', lines: [{ sku: 'A', qty: 2, pickedQty: null }], expiresAt: null }),
    ]);
    expect(a.status().pendingPicks).toBe(1);

    const picked = a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 2 }] });
    expect(picked).toMatchObject({ status: 'picked', duplicate: false });
    expect(a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 2 }] })).toMatchObject({ eventId: picked.eventId, duplicate: true });
    expect(a.status().pendingPicks).toBe(0);
    expect(stockOf(a, 'A')).toEqual({ sku: 'A', onHand: 5, reserved: 2, available: 3 });

    const handed = a.picks.handover('r1');
    expect(handed.status).toBe('collected');
    expect(a.picks.handover('r1')).toMatchObject({ eventId: handed.eventId, duplicate: true });
    expect(stockOf(a, 'A')).toEqual({ sku: 'A', onHand: 3, reserved: 0, available: 3 });
    expect(a.picks.list({ limit: 10 }).items).toEqual([]);
    expect(a.picks.list({ status: 'collected', limit: 10 }).items).toHaveLength(1);

    const events = outboxTypes(a);
    expect(events.map((e) => [e.type, e.schemaVersion])).toEqual([
      ['pick.confirmed', 1],
      ['pickup.completed', 2],
    ]);
    // Both carry the reservation's correlation id from central.
    expect(events.every((e) => e.correlationId === corr)).toBe(true);
    expect(events[1].payload).toEqual({ reservationId: 'r1', lines: [{ sku: 'A', qty: 2 }] });
  });

  it('a short pick holds only what was found; a pick with nothing found cannot be handed over', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([received(1, [{ sku: 'A', qty: 5 }]), reserved(2, 'r1', [{ sku: 'A', qty: 3 }]), reserved(3, 'r2', [{ sku: 'A', qty: 1 }])]);
    expect(a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 1 }] }).status).toBe('short_picked');
    expect(stockOf(a, 'A')).toMatchObject({ reserved: 2, available: 3 });
    expect(a.picks.confirm('r2', { lines: [{ sku: 'A', pickedQty: 0 }] }).status).toBe('short_picked');
    expect(refusedWith(() => a.picks.handover('r2'))).toMatchObject({ statusCode: 409, code: 'nothing_picked' });
  });

  it('refuses what does not fit, and says what to do instead', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([reserved(1, 'r1', [{ sku: 'A', qty: 1 }])]);
    expect(refusedWith(() => a.picks.confirm('nope', { lines: [{ sku: 'A', pickedQty: 1 }] }))).toMatchObject({ statusCode: 404 });
    expect(refusedWith(() => a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 2 }] }))).toMatchObject({ statusCode: 400 });
    expect(refusedWith(() => a.picks.handover('r1'))).toMatchObject({ statusCode: 409, code: 'invalid_state' });
    a.applier.apply([cancelled(2, 'r1')]);
    const e = refusedWith(() => a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 1 }] }));
    expect(e).toMatchObject({ statusCode: 409, code: 'invalid_state' });
    expect(e.message).toMatch(/cancelled by central/);
    expect(outboxTypes(a)).toEqual([]);
  });

  it('a cancellation after the pick makes one restock task, also when central sends its own (R5)', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([received(1, [{ sku: 'A', qty: 5 }]), reserved(2, 'r1', [{ sku: 'A', qty: 2 }])]);
    a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 2 }] });
    a.applier.apply([cancelled(3, 'r1'), cmd(4, 'restock.requested', { taskId: 'restock:r1', reservationId: 'r1', lines: [{ sku: 'A', qty: 2 }], reason: 'picked after it was cancelled' })]);
    expect(a.picks.list({ status: 'cancelled', limit: 10 }).items).toHaveLength(1);
    expect(stockOf(a, 'A')).toMatchObject({ reserved: 0, available: 5 });
    const tasks = a.picks.listTasks();
    expect(tasks).toEqual([expect.objectContaining({ taskId: 'restock:r1', kind: 'restock', lines: [{ sku: 'A', qty: 2 }], status: 'open' })]);
    expect(a.picks.completeTask('restock:r1').status).toBe('done');
  });

  it('an expiry from central shows as expired and releases the hold', () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([received(1, [{ sku: 'A', qty: 2 }]), reserved(2, 'r1', [{ sku: 'A', qty: 2 }]), cancelled(3, 'r1', 'expired')]);
    expect(a.picks.list({ status: 'expired', limit: 10 }).items).toHaveLength(1);
    expect(stockOf(a, 'A')).toMatchObject({ reserved: 0, available: 2 });
  });

  it("central's word that a reservation was picked or handed over (another till, or this till restored from an older copy) takes it off the pick list", () => {
    const a = open(enrolledDir(dirs));
    a.applier.apply([received(1, [{ sku: 'A', qty: 5 }]), reserved(2, 'r1', [{ sku: 'A', qty: 3 }]), reserved(3, 'r2', [{ sku: 'A', qty: 1 }])]);
    expect(a.picks.list({ status: 'delivered', limit: 10 }).items.map((p) => p.reservationId)).toEqual(['r1', 'r2']);
    a.applier.apply([updated(4, 'r1', 'short_picked', [{ sku: 'A', qty: 3, pickedQty: 2 }])]);
    expect(a.picks.list({ status: 'delivered', limit: 10 }).items.map((p) => p.reservationId)).toEqual(['r2']);
    expect(a.picks.list({ status: 'short_picked', limit: 10 }).items).toEqual([expect.objectContaining({ reservationId: 'r1', lines: [{ sku: 'A', qty: 3, pickedQty: 2 }] })]);
    expect(stockOf(a, 'A')).toMatchObject({ onHand: 5, reserved: 3 });
    expect(refusedWith(() => a.picks.confirm('r1', { lines: [{ sku: 'A', pickedQty: 3 }] }))).toMatchObject({ statusCode: 409, code: 'invalid_state' });
    a.applier.apply([updated(5, 'r1', 'collected', [{ sku: 'A', qty: 3, pickedQty: 2 }])]);
    expect(a.picks.list({ status: 'collected', limit: 10 }).items.map((p) => p.reservationId)).toEqual(['r1']);
    expect(refusedWith(() => a.picks.handover('r1'))).toMatchObject({ statusCode: 409, code: 'invalid_state' });
    // The handover's movement belongs to the till that made it: nothing moves here, only the hold is gone.
    expect(stockOf(a, 'A')).toMatchObject({ onHand: 5, reserved: 1 });
    expect(outboxTypes(a)).toEqual([]);

    // This till's own pick and handover stand; central's earlier word never moves a reservation back.
    a.picks.confirm('r2', { lines: [{ sku: 'A', pickedQty: 1 }] });
    a.picks.handover('r2');
    a.applier.apply([updated(6, 'r2', 'picked', [{ sku: 'A', qty: 1, pickedQty: 1 }]), updated(7, 'r2', 'collected', [{ sku: 'A', qty: 1, pickedQty: 1 }]), updated(8, 'r9', 'picked', [{ sku: 'A', qty: 1, pickedQty: 1 }])]);
    expect(a.picks.list({ status: 'collected', limit: 10 }).items.map((p) => p.reservationId)).toEqual(['r1', 'r2']);
    expect(journalOutcomes(a).slice(3)).toEqual([
      'reservation.updated:applied',
      'reservation.updated:applied',
      'reservation.updated:ignored_closed',
      'reservation.updated:ignored_closed',
      'reservation.updated:unknown_target',
    ]);
  });
});
