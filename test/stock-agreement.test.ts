import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { freePort } from './support/ports.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

interface StockRow {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

async function agentStock(agent: AgentHandle): Promise<Record<string, number>> {
  const r = await agent.api.get<{ items: StockRow[]; next: string | null }>('/stock?limit=1000');
  expect(r.status).toBe(200);
  expect(r.body.next).toBeNull();
  return Object.fromEntries(r.body.items.map((i) => [i.sku, i.onHand]));
}

async function centralStock(central: CentralHandle, storeId: string): Promise<Record<string, number>> {
  const r = await central.api.get<{ items: (StockRow & { storeId: string })[]; next: string | null }>(`/inventory?storeId=${storeId}&limit=1000`);
  expect(r.status).toBe(200);
  return Object.fromEntries(r.body.items.filter((i) => i.storeId === storeId).map((i) => [i.sku, i.onHand]));
}

async function post(agent: AgentHandle, path: string, body: unknown): Promise<void> {
  const r = await agent.api.post(path, body);
  expect(r.status, `${path} ${JSON.stringify(r.body)}`).toBe(201);
}

const ret = (returnId: string, sku: string, qty: number, disposition: 'restock' | 'damaged' | 'quarantine') => ({
  returnId,
  currency: 'EUR',
  lines: [{ sku, qty, refundAmount: 100 * qty, reasonCode: 'changed-mind', disposition }],
});
const sale = (transactionId: string, sku: string, qty: number) => ({
  transactionId,
  currency: 'EUR',
  lines: [{ sku, qty, unitPrice: 100 }],
  tenders: [{ method: 'cash', amount: 100 * qty }],
});

describe('the agent’s stock picture agrees with central', () => {
  const { fx, dbUrl } = e2eContext();

  it('sales, returns, counts, adjustments captured offline plus receipts booked before and after a count', async () => {
    const storeId = 'store-stk';
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    // The agent reaches central through a proxy that first points nowhere: offline while central books receipts.
    const proxy = await startTcpProxy(await freePort());
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, storeId, dataDir);
      const cfgPath = join(dataDir, 'agent.json');
      writeFileSync(cfgPath, JSON.stringify({ ...(JSON.parse(readFileSync(cfgPath, 'utf8')) as object), centralUrl: proxy.url }, null, 2));

      // Goods received before the count: central stamps them earlier than the store's count, so the count covers them.
      const gr1 = await central.api.post('/stores/store-stk/receipts', { receiptId: 'GR-1', lines: [{ sku: 'A', qty: 20 }, { sku: 'B', qty: 10 }, { sku: 'C', qty: 7 }] });
      expect(gr1.status).toBe(201);

      const agent = await startAgent(fx, { dataDir });
      await post(agent, '/sales', sale('T-1', 'A', 3));
      await post(agent, '/sales', sale('T-2', 'B', 2));
      await post(agent, '/sales', sale('T-3', 'C', 1));
      await post(agent, '/returns', ret('R-1', 'A', 1, 'restock'));
      await post(agent, '/returns', ret('R-2', 'B', 1, 'damaged'));
      await post(agent, '/returns', ret('R-3', 'C', 1, 'quarantine'));
      await post(agent, '/adjustments', { adjustmentId: 'ADJ-1', reasonCode: 'breakage', lines: [{ sku: 'A', qtyDelta: -1 }] });
      await post(agent, '/counts', { countId: 'CNT-1', kind: 'cycle', lines: [{ sku: 'A', countedQty: 15 }, { sku: 'B', countedQty: 9 }] });
      await post(agent, '/sales', sale('T-4', 'A', 2));
      await post(agent, '/returns', ret('R-4', 'B', 1, 'restock'));
      await post(agent, '/adjustments', { adjustmentId: 'ADJ-2', reasonCode: 'found', lines: [{ sku: 'C', qtyDelta: 2 }] });
      expect((await agentStatus(agent)).online).toBe(false);
      // Offline the agent knows only its own events: C never received anything yet.
      expect(await agentStock(agent)).toEqual({ A: 13, B: 10, C: 1 });

      // Goods received after the count: they add on top of it.
      const gr2 = await central.api.post('/stores/store-stk/receipts', { receiptId: 'GR-2', lines: [{ sku: 'A', qty: 5 }, { sku: 'C', qty: 3 }] });
      expect(gr2.status).toBe(201);

      proxy.switchTo(central.port);
      await waitDrained(agent);
      await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq === 2, { what: 'both receipts applied by the agent' });

      // A: counted 15 (GR-1 and everything before are inside the count), -2 sold, +5 GR-2. B: 9 + 1 restocked.
      // C: never counted: 7 - 1 + 2 + 3; the quarantined return is not sellable.
      const expected = { A: 18, B: 10, C: 11 };
      expect(await agentStock(agent)).toEqual(expected);
      await waitFor(async () => JSON.stringify(await centralStock(central, storeId)) === JSON.stringify(expected), {
        what: 'central inventory to match',
        timeoutMs: 30_000,
      }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}; central has ${JSON.stringify(await centralStock(central, storeId))}`);
      });
      expect(await centralStock(central, storeId)).toEqual(await agentStock(agent));
    } finally {
      await proxy.close();
    }
  });
});
