import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { client } from '../../../../test/support/http.js';
import { startTestCentral, type TestCentral } from '../../../../test/support/central.js';
import { count, createDevice, hlcAt, makeEvent, ret, sale, send } from '../../../../test/support/inventory-fixture.js';

// The HTTP edge of issue 3: receipts, inventory, counts and conflicts through a real central.

interface InvRow {
  storeId: string;
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
  damaged: number;
  quarantine: number;
}
interface List<T> {
  items: T[];
  next: string | null;
}
interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

describe('inventory, counts, conflicts and receipts over HTTP', () => {
  let tc: TestCentral;
  beforeEach(async () => {
    tc = await startTestCentral();
    expect((await tc.api.post('/stores', { storeId: 's1', name: 'One' })).status).toBe(201);
  });
  afterEach(async () => {
    await tc.close();
  });

  it('books a receipt once, shows it in inventory and in the store command stream', async () => {
    const first = await tc.api.post<{ receiptId: string; hlc: string; commandSeq: number }>('/stores/s1/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 4 }, { sku: 'B', qty: 2 }] });
    expect(first.status).toBe(201);
    expect(first.body.hlc).toMatch(/:central$/);
    const again = await tc.api.post<{ receiptId: string; hlc: string; commandSeq: number }>('/stores/s1/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 4 }, { sku: 'B', qty: 2 }] });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);

    const inv = await tc.api.get<List<InvRow>>('/inventory?storeId=s1');
    expect(inv.status).toBe(200);
    expect(inv.body.items).toEqual([
      { storeId: 's1', sku: 'A', onHand: 4, reserved: 0, available: 4, damaged: 0, quarantine: 0 },
      { storeId: 's1', sku: 'B', onHand: 2, reserved: 0, available: 2, damaged: 0, quarantine: 0 },
    ]);
    // Paging: one row per page, the cursor leads to the next and ends with null.
    const p1 = await tc.api.get<List<InvRow>>('/inventory?storeId=s1&limit=1');
    expect(p1.body.items.map((r) => r.sku)).toEqual(['A']);
    const p2 = await tc.api.get<List<InvRow>>(`/inventory?storeId=s1&limit=1&after=${p1.body.next}`);
    expect(p2.body.items.map((r) => r.sku)).toEqual(['B']);
    const p3 = await tc.api.get<List<InvRow>>(`/inventory?storeId=s1&limit=1&after=${p2.body.next}`);
    expect(p3.body).toEqual({ items: [], next: null });
    expect((await tc.api.get<List<InvRow>>('/inventory?sku=B')).body.items).toHaveLength(1);

    const pool = tc.central.app.db.pool;
    const cmds = await pool.query<{ seq: string; type: string; schema_version: number; payload: unknown }>('SELECT seq, type, schema_version, payload FROM commands WHERE store_id = $1', ['s1']);
    expect(cmds.rows).toHaveLength(1);
    expect(cmds.rows[0]).toMatchObject({ type: 'stock.received', schema_version: 2, payload: { receiptId: 'GR-1', hlc: first.body.hlc } });
    expect(Number(cmds.rows[0]!.seq)).toBe(first.body.commandSeq);
  });

  it('refuses receipts for unknown stores, bad bodies and missing tokens with the error shape', async () => {
    const unknown = await tc.api.post<ErrorBody>('/stores/nowhere/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 1 }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    const bad = await tc.api.post<ErrorBody>('/stores/s1/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 0 }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const anon = await client(`${tc.url}/api/v1`).get<ErrorBody>('/conflicts');
    expect(anon.status).toBe(401);
    const cursor = await tc.api.get<ErrorBody>('/inventory?after=bm9wZQ');
    expect(cursor.status).toBe(400);
  });

  it('lists counts with expected and variance, and the conflicts the rules wrote, filtered and paged', async () => {
    const pool = tc.central.app.db.pool;
    const a = await createDevice(pool, 's1', 'till-a');
    const b = await createDevice(pool, 's1', 'till-b');
    const s = makeEvent(b, 'sale.completed', sale('T1', [{ sku: 'A', qty: 2 }]), hlcAt(2000, 0, 'till-b'));
    const r = makeEvent(b, 'return.received', ret('R1', [{ sku: 'A', qty: 1, disposition: 'damaged' }], 'T-unseen'), hlcAt(2500, 0, 'till-b'));
    expect(await send(pool, [s, r])).toMatchObject({ ok: true, stored: 2 });
    const c = makeEvent(a, 'count.submitted', count('C1', [{ sku: 'A', countedQty: 10 }]), hlcAt(1000, 0, 'till-a'));
    expect(await send(pool, [c])).toMatchObject({ ok: true, stored: 1 });

    const counts = await tc.api.get<List<{ sku: string; sourceId: string; countedQty: number; expected: number; variance: number; status: string }>>('/inventory/counts?storeId=s1&sku=A');
    expect(counts.status).toBe(200);
    expect(counts.body.items).toMatchObject([{ sku: 'A', sourceId: c.eventId, countedQty: 10, expected: 0, variance: 10, status: 'active' }]);
    const inv = await tc.api.get<List<InvRow>>('/inventory?storeId=s1&sku=A');
    expect(inv.body.items).toEqual([{ storeId: 's1', sku: 'A', onHand: 8, reserved: 0, available: 8, damaged: 1, quarantine: 0 }]);

    const all = await tc.api.get<List<{ id: string; kind: string; sku: string | null; storeId: string; resolution: string; createdAt: string }>>('/conflicts?storeId=s1');
    expect(all.status).toBe(200);
    expect(all.body.items.map((x) => x.kind).sort()).toEqual(['count_recomputed', 'return_unlinked', 'unknown_sku'].sort()); // sku A listed once, not per line
    const recomputed = await tc.api.get<List<{ kind: string; sku: string | null }>>('/conflicts?kind=count_recomputed&sku=A');
    expect(recomputed.body.items).toMatchObject([{ kind: 'count_recomputed', sku: 'A' }]);
    const page1 = await tc.api.get<List<{ id: string }>>('/conflicts?storeId=s1&limit=2');
    expect(page1.body.items).toHaveLength(2);
    const page2 = await tc.api.get<List<{ id: string }>>(`/conflicts?storeId=s1&limit=2&after=${page1.body.next}`);
    expect(page2.body.items.map((x) => x.id)).toEqual(all.body.items.slice(2).map((x) => x.id));
    expect((await tc.api.get<List<unknown>>('/conflicts?storeId=other')).body.items).toEqual([]);
  });
});
