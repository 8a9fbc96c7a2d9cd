import { afterEach, describe, expect, it } from 'vitest';
import type { centralApi } from '@outpost/shared';
import type { z } from 'zod';
import { waitFor } from '../../../../test/support/wait.js';
import { startTestCentral, type TestCentral } from '../../../../test/support/central.js';

type Reservation = z.infer<typeof centralApi.reservationSchema>;
type InventoryRow = z.infer<typeof centralApi.inventoryRowSchema>;

let tc: TestCentral | null = null;
afterEach(async () => {
  await tc?.close();
  tc = null;
});

async function setup(units: Record<string, number>, stores = ['s1']): Promise<TestCentral> {
  tc = await startTestCentral();
  for (const storeId of stores) {
    expect((await tc.api.post('/stores', { storeId, name: storeId })).status).toBe(201);
    const lines = Object.entries(units).map(([sku, qty]) => ({ sku, qty }));
    expect((await tc.api.post(`/stores/${storeId}/receipts`, { receiptId: `r-${storeId}`, lines })).status).toBe(201);
  }
  return tc;
}

async function inventory(t: TestCentral, storeId: string, sku: string): Promise<InventoryRow> {
  const r = await t.api.get<{ items: InventoryRow[] }>(`/inventory?storeId=${storeId}&sku=${sku}`);
  return r.body.items[0]!;
}

describe('POST /reservations', () => {
  it('grants against available stock, holds it, and refuses what is not there with the availability per line', async () => {
    const t = await setup({ A: 5, B: 2 });
    const ok = await t.api.post<{ reservationId: string; status: string }>('/reservations', { orderId: 'o1', storeId: 's1', lines: [{ sku: 'A', qty: 3 }] });
    expect(ok.status).toBe(201);
    expect(ok.body.status).toBe('requested');
    expect(await inventory(t, 's1', 'A')).toMatchObject({ onHand: 5, reserved: 3, available: 2 });

    const refused = await t.api.post<{ error: { code: string; message: string }; available: unknown }>('/reservations', {
      orderId: 'o2',
      storeId: 's1',
      lines: [
        { sku: 'A', qty: 3 },
        { sku: 'B', qty: 1 },
      ],
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('insufficient_stock');
    expect(refused.body.available).toEqual([
      { sku: 'A', requested: 3, available: 2 },
      { sku: 'B', requested: 1, available: 2 },
    ]);
    // Nothing of the refused request is held.
    expect(await inventory(t, 's1', 'B')).toMatchObject({ reserved: 0, available: 2 });

    const unknownSku = await t.api.post<{ available: unknown }>('/reservations', { orderId: 'o3', storeId: 's1', lines: [{ sku: 'never-stocked', qty: 1 }] });
    expect(unknownSku.status).toBe(409);
    expect(unknownSku.body.available).toEqual([{ sku: 'never-stocked', requested: 1, available: 0 }]);
  });

  it('answers a repeated request for the same order and store with the first reservation', async () => {
    const t = await setup({ A: 5 });
    const body = { orderId: 'o1', storeId: 's1', lines: [{ sku: 'A', qty: 2 }] };
    const first = await t.api.post<{ reservationId: string }>('/reservations', body);
    const again = await t.api.post<{ reservationId: string }>('/reservations', body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.reservationId).toBe(first.body.reservationId);
    expect(await inventory(t, 's1', 'A')).toMatchObject({ reserved: 2 });
    const different = await t.api.post<{ error: { code: string } }>('/reservations', { ...body, lines: [{ sku: 'A', qty: 1 }] });
    expect(different.status).toBe(409);
    expect(different.body.error.code).toBe('order_already_reserved');
  });

  it('refuses bad input with the house error shape and keeps nothing', async () => {
    const t = await setup({ A: 5 });
    const cases = [
      { orderId: 'o', storeId: 's1', lines: [] },
      { orderId: 'o', storeId: 's1', lines: [{ sku: 'A', qty: 0 }] },
      { orderId: 'o', storeId: 's1', lines: [{ sku: 'A', qty: 1 }, { sku: 'A', qty: 1 }] },
      { orderId: 'o', storeId: 's1', lines: [{ sku: 'A', qty: 1 }], expiresAt: '2001-01-01T00:00:00Z' },
    ];
    for (const c of cases) {
      const r = await t.api.post<{ error: { code: string; message: string } }>('/reservations', c);
      expect(r.status, JSON.stringify(c)).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    expect((await t.api.post('/reservations', { orderId: 'o', storeId: 'nope', lines: [{ sku: 'A', qty: 1 }] })).status).toBe(404);
    expect(await inventory(t, 's1', 'A')).toMatchObject({ reserved: 0 });
  });

  it('grants exactly the last 10 units to 50 concurrent requests; the other 40 get 409', async () => {
    const t = await setup({ LAST: 10 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.api.post<{ reservationId?: string; available?: { available: number }[] }>('/reservations', { orderId: `order-${i}`, storeId: 's1', lines: [{ sku: 'LAST', qty: 1 }] })),
    );
    const granted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 409);
    expect(granted).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(new Set(granted.map((g) => g.body.reservationId)).size).toBe(10);
    for (const r of refused) expect(r.body.available?.[0]?.available).toBe(0);
    expect(await inventory(t, 's1', 'LAST')).toMatchObject({ onHand: 10, reserved: 10, available: 0 });
    const listed = await t.api.get<{ items: Reservation[] }>('/reservations?storeId=s1&limit=1000');
    expect(listed.body.items.reduce((a, r) => a + r.lines[0]!.qty, 0)).toBe(10);
  });

  it('never grants more than is there when requests ask for several units each', async () => {
    const t = await setup({ X: 17 });
    const asks = Array.from({ length: 30 }, (_, i) => 1 + (i % 4));
    const answers = await Promise.all(asks.map((qty, i) => t.api.post('/reservations', { orderId: `m-${i}`, storeId: 's1', lines: [{ sku: 'X', qty }] })));
    const grantedUnits = answers.reduce((a, r, i) => a + (r.status === 201 ? asks[i]! : 0), 0);
    expect(grantedUnits).toBeLessThanOrEqual(17);
    // Every refusal happened because what it asked for was not left: at most 3 units (the largest ask minus one) stay free.
    expect(17 - grantedUnits).toBeLessThan(4);
    expect(await inventory(t, 's1', 'X')).toMatchObject({ reserved: grantedUnits, available: 17 - grantedUnits });
  });
});

describe('cancel and history', () => {
  it('cancels an open reservation, releases its stock, records each transition, and is idempotent', async () => {
    const t = await setup({ A: 4 });
    const made = await t.api.post<{ reservationId: string }>('/reservations', { orderId: 'o1', storeId: 's1', lines: [{ sku: 'A', qty: 4 }] });
    const id = made.body.reservationId;
    const cancelled = await t.api.post<Reservation>(`/reservations/${id}/cancel`, { reason: 'customer changed their mind' });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    expect(cancelled.body.history.map((h) => [h.from, h.to])).toEqual([
      [null, 'requested'],
      ['requested', 'cancelled'],
    ]);
    expect(cancelled.body.history[1]!.reason).toBe('customer changed their mind');
    expect(await inventory(t, 's1', 'A')).toMatchObject({ reserved: 0, available: 4 });
    const again = await t.api.post<Reservation>(`/reservations/${id}/cancel`, {});
    expect(again.status).toBe(200);
    expect(again.body.history).toHaveLength(2);
    expect((await t.api.post(`/reservations/does-not-exist/cancel`, {})).status).toBe(404);
    // The store is told: the command stream holds the creation and the cancellation, in that order.
    const cmds = await t.central.app.db.pool.query<{ type: string }>(`SELECT type FROM commands WHERE store_id = 's1' ORDER BY seq`);
    expect(cmds.rows.map((c) => c.type)).toEqual(['stock.received', 'reservation.created', 'reservation.cancelled']);
  });

  it('expires an uncollected reservation at its expiresAt and tells the store', async () => {
    tc = await startTestCentral({ reservations: { defaultHoldMs: 3600_000, safetyStock: 0, sweepIntervalMs: 50, webhook: null } });
    const t = tc;
    await t.api.post('/stores', { storeId: 's1', name: 's1' });
    await t.api.post('/stores/s1/receipts', { receiptId: 'r', lines: [{ sku: 'A', qty: 2 }] });
    const expiresAt = new Date(Date.now() + 300).toISOString();
    const made = await t.api.post<{ reservationId: string }>('/reservations', { orderId: 'o1', storeId: 's1', lines: [{ sku: 'A', qty: 2 }], expiresAt });
    expect((await inventory(t, 's1', 'A')).reserved).toBe(2);
    const id = made.body.reservationId;
    const r = await waitFor(
      async () => {
        const x = (await t.api.get<Reservation>(`/reservations/${id}`)).body;
        return x.status === 'expired' ? x : null;
      },
      { what: 'the reservation to expire' },
    );
    expect(new Date(r.history.at(-1)!.at).getTime()).toBeGreaterThanOrEqual(new Date(expiresAt).getTime());
    expect(await inventory(t, 's1', 'A')).toMatchObject({ reserved: 0, available: 2 });
    const last = await t.central.app.db.pool.query<{ type: string; payload: { reason: string } }>(`SELECT type, payload FROM commands WHERE store_id = 's1' ORDER BY seq DESC LIMIT 1`);
    expect(last.rows[0]).toMatchObject({ type: 'reservation.cancelled', payload: { reason: 'expired' } });
  });

  it('lists by status with a cursor', async () => {
    const t = await setup({ A: 10 });
    for (let i = 0; i < 5; i++) await t.api.post('/reservations', { orderId: `o${i}`, storeId: 's1', lines: [{ sku: 'A', qty: 1 }] });
    const p1 = await t.api.get<{ items: Reservation[]; next: string | null }>('/reservations?status=requested&limit=3');
    expect(p1.body.items).toHaveLength(3);
    const p2 = await t.api.get<{ items: Reservation[]; next: string | null }>(`/reservations?status=requested&limit=3&after=${p1.body.next}`);
    expect(p2.body.items.map((r) => r.orderId)).toEqual(['o3', 'o4']);
    expect(p2.body.next).toBeNull();
  });
});
