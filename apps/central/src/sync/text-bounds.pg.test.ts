import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

// Issue 11, case 7: a NUL or a lone surrogate in an item name, order id, receipt id or sku made PostgreSQL fail
// the statement (a 500), or, in a text column, was stored altered to U+FFFD. Central answers 400 in the house
// shape instead and stores nothing; an out-of-range quantity is refused the same way (case 3).

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

const BAD = ['\u0000', 'x\ud800', '\udc00y'];

function expectRefused(r: { status: number; body: unknown }, what: string): void {
  expect(r.status, what).toBe(400);
  const err = (r.body as ErrorBody).error;
  expect(err, what).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  expect('details' in err, what).toBe(true);
  expect(JSON.stringify(err), what).toMatch(/NUL character or an unpaired surrogate|quantity must be between/);
}

describe('central refuses text it could not store unaltered', () => {
  let tc: TestCentral;
  beforeEach(async () => {
    tc = await startTestCentral();
    expect((await tc.api.post('/stores', { storeId: 's1', name: 'One' })).status).toBe(201);
  });
  afterEach(async () => {
    await tc.close();
  });

  it('PUT /items/:sku: 400 for such a name or sku; nothing stored, nothing altered', async () => {
    for (const s of BAD) {
      expectRefused(await tc.api.put(`/items/A`, { name: `Mug ${s}`, price: 100, currency: 'EUR' }), `name ${JSON.stringify(s)}`);
      expectRefused(await tc.api.put(`/items/${encodeURIComponent('A\u0000')}`, { name: 'Mug', price: 100, currency: 'EUR' }), 'sku with NUL');
    }
    expect((await tc.api.get('/items/A')).status).toBe(404);
    // A real emoji (a surrogate pair) is stored as sent.
    expect((await tc.api.put('/items/A', { name: 'Mug \ud83d\ude00', price: 100, currency: 'EUR' })).status).toBeLessThan(300);
    expect((await tc.api.get<{ name: string }>('/items/A')).body.name).toBe('Mug \ud83d\ude00');
  });

  it('POST /stores/:id/receipts: 400 for such a receipt id or sku, and for a quantity of 2^40', async () => {
    for (const s of BAD) {
      expectRefused(await tc.api.post('/stores/s1/receipts', { receiptId: `GR${s}`, lines: [{ sku: 'A', qty: 1 }] }), `receiptId ${JSON.stringify(s)}`);
      expectRefused(await tc.api.post('/stores/s1/receipts', { receiptId: 'GR-1', lines: [{ sku: s, qty: 1 }] }), `sku ${JSON.stringify(s)}`);
    }
    expectRefused(await tc.api.post('/stores/s1/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 2 ** 40 }] }), 'qty 2^40');
    expect((await tc.api.get<{ items: unknown[] }>('/inventory?storeId=s1')).body.items).toEqual([]);
  });

  it('POST /reservations: 400 for such an order id or sku', async () => {
    for (const s of BAD) {
      expectRefused(await tc.api.post('/reservations', { orderId: `O${s}`, storeId: 's1', lines: [{ sku: 'A', qty: 1 }] }), `orderId ${JSON.stringify(s)}`);
      expectRefused(await tc.api.post('/reservations', { orderId: 'O-1', storeId: 's1', lines: [{ sku: s, qty: 1 }] }), `sku ${JSON.stringify(s)}`);
    }
  });

  it('list filters: 400 for a NUL in storeId, sku or type', async () => {
    for (const path of ['/inventory?sku=%00', '/inventory/counts?storeId=a%00', '/events?type=%00', '/conflicts?sku=%00', '/quarantine?storeId=%00']) {
      expectRefused(await tc.api.get(path), path);
    }
  });
});

describe('an agent status quoting unstorable text', () => {
  let tc: TestCentral;
  afterEach(async () => {
    await tc.close();
  });

  it('is recorded with the characters replaced (it was dropped with a database error)', async () => {
    tc = await startTestCentral();
    const a = await enrol(tc, 'store-s');
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    try {
      await raw.connected();
      await raw.hello();
      raw.socket.emit('status', { pendingUp: 3, lastError: 'central refused sku "\u0000\ud800"' });
      const dev = await waitFor(
        async () => {
          const r = await tc.api.get<{ items: { storeId: string; devices: { lastError: string | null }[] }[] }>('/stores');
          const d = r.body.items.find((s) => s.storeId === 'store-s')?.devices[0];
          return d?.lastError ? d : null;
        },
        { what: 'status recorded', timeoutMs: 30_000 },
      );
      expect(dev.lastError).toBe('central refused sku "\ufffd\ufffd"');
    } finally {
      raw.close();
    }
  });
});
