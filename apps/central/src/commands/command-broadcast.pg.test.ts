import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { appendCommand, CommandNotices } from './command-stream.js';
import { withTransaction } from '../platform/index.js';
import { startTestCentral, type TestCentral } from '../../../../test/support/central.js';

let tc: TestCentral | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await tc?.close();
  tc = null;
});

async function stores(t: TestCentral, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) expect((await t.api.post('/stores', { storeId: `s-${String(i).padStart(3, '0')}`, name: `S ${i}` })).status).toBe(201);
}

async function putItem(t: TestCentral, price: number): Promise<number> {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  const r = await t.api.put('/items/SKU-B', { name: 'Broadcast', price, currency: 'EUR' });
  expect(r.status).toBe(200);
  // Only the statements that write command streams (background workers share the process).
  const sql = (c: unknown[]) => (typeof c[0] === 'string' ? c[0] : ((c[0] as { text?: string } | null)?.text ?? ''));
  const n = spy.mock.calls.filter((c) => /command_seq|INSERT INTO commands/.test(sql(c))).length;
  spy.mockRestore();
  return n;
}

describe('a command for every store (item master)', () => {
  it('costs the same statements for 3 stores as for 40, and gives each store the next seq of its own stream', async () => {
    tc = await startTestCentral();
    await stores(tc, 3);
    const few = await putItem(tc, 100);
    await stores(tc, 37, 3);
    // One store already has a command of its own: the broadcast continues its stream.
    await withTransaction(tc.central.app.db.pool, (tx) =>
      appendCommand(tx, new CommandNotices(), 's-007', 'item.upserted', { sku: 'SKU-X', name: 'X', price: 1, currency: 'EUR', version: 1 }, 'corr-x'),
    );
    const many = await putItem(tc, 200);
    expect(many).toBe(few);

    const rows = await tc.central.app.db.pool.query<{ store_id: string; seqs: string[]; prices: number[] }>(
      "SELECT store_id, array_agg(seq::text ORDER BY seq) AS seqs, array_agg((payload->>'price')::int ORDER BY seq) FILTER (WHERE payload->>'sku' = 'SKU-B') AS prices FROM commands GROUP BY store_id ORDER BY store_id",
    );
    expect(rows.rows).toHaveLength(40);
    const byStore = Object.fromEntries(rows.rows.map((r) => [r.store_id, r]));
    expect(byStore['s-000']).toMatchObject({ seqs: ['1', '2'], prices: [100, 200] });
    expect(byStore['s-007']).toMatchObject({ seqs: ['1', '2'], prices: [200] });
    expect(byStore['s-039']).toMatchObject({ seqs: ['1'], prices: [200] });
    const seqs = await tc.central.app.db.pool.query<{ store_id: string; command_seq: string }>('SELECT store_id, command_seq FROM stores');
    for (const s of seqs.rows) expect(s.command_seq).toBe(byStore[s.store_id]!.seqs.at(-1));
  });
});
