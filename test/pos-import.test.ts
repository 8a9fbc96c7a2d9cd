import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

describe('POS file import', () => {
  const { fx, dbUrl } = e2eContext();

  it("files dropped in a running agent's inbox reach central once; a bad file is rejected with its reason and loses nothing", async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-pos', dataDir);
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_INBOX_POLL_MS: '100' } });
    const inbox = join(dataDir, 'inbox');
    await waitFor(() => existsSync(inbox), { what: 'the agent to make its inbox folder' });

    // A sale rung up at the till through the API, then the POS export holding it again plus two new ones.
    const tillSale = await agent.api.post<{ eventId: string }>('/sales', {
      transactionId: 'POS-1',
      lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }],
      tenders: [{ method: 'cash', amount: 450 }],
    });
    expect(tillSale.status).toBe(201);
    const csv = [
      'transactionId,sku,qty,unitPrice,tenderMethod,tenderAmount,currency',
      'POS-1,SKU-1,1,450,cash,450,EUR',
      'POS-2,SKU-1,2,450,,,EUR',
      'POS-2,SKU-2,1,300,card,1200,EUR',
      'POS-3,SKU-2,1,300,cash,300,EUR',
    ].join('\n');
    // Written under a temp name and renamed, as a POS should: the watcher never sees half a file.
    writeFileSync(join(inbox, 'export-0800.csv.tmp'), `${csv}\n`);
    renameSync(join(inbox, 'export-0800.csv.tmp'), join(inbox, 'export-0800.csv'));
    writeFileSync(join(inbox, 'export-0900.csv'), 'transactionId,sku,qty,unitPrice\nPOS-4,SKU-1,1,4.50\n');

    await waitFor(() => existsSync(join(dataDir, 'processed', 'export-0800.csv')), { what: 'export-0800.csv to be processed' });
    await waitFor(() => existsSync(join(dataDir, 'rejected', 'export-0900.csv.error.json')), { what: 'export-0900.csv to be rejected' });
    const report = JSON.parse(readFileSync(join(dataDir, 'rejected', 'export-0900.csv.error.json'), 'utf8'));
    expect(report.error.details.errors).toEqual([expect.objectContaining({ line: 2, at: 'unitPrice', transactionId: 'POS-4' })]);

    await waitDrained(agent);
    const sales = (await allEvents(central, 'store-pos')).filter((e) => e.type === 'sale.completed');
    expect(sales.map((e) => e.payload.transactionId)).toEqual(['POS-1', 'POS-2', 'POS-3']);
    expect(sales[0]?.eventId).toBe(tillSale.body.eventId); // the export's POS-1 was the till's event, not a second one
    expect(sales[1]?.payload).toMatchObject({
      lines: [
        { sku: 'SKU-1', qty: 2, unitPrice: 450 },
        { sku: 'SKU-2', qty: 1, unitPrice: 300 },
      ],
      tenders: [{ method: 'card', amount: 1200 }],
      currency: 'EUR',
    });
    const inv = await central.api.get<{ items: { sku: string; onHand: number }[] }>('/inventory?storeId=store-pos');
    expect(Object.fromEntries(inv.body.items.map((r) => [r.sku, r.onHand]))).toEqual({ 'SKU-1': -3, 'SKU-2': -2 });
  });
});
