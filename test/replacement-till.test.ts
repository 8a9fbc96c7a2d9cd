import { spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, pageErrors, screenshot, type TestBrowser } from './support/browser.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { AGENT_BIN, agentStatus, enrollAgent, ROOT, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

/**
 * A replacement till (issue 15), with real central and agent processes on PostgreSQL and SQLite and the associate
 * UI in a real Chromium: a PC enrolled for a store that already has items, stock and open picks gets all of them
 * from central at its first connection (a snapshot at the store's command seq), before any new command exists,
 * and the store's command stream then reaches it and the old till exactly once. A re-seed of a till that holds
 * events central has not acknowledged is refused with their count.
 */
const UI_WAIT = 90_000;

let browser: TestBrowser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

interface Pick {
  reservationId: string;
  orderId: string;
  status: string;
  lines: { sku: string; qty: number; pickedQty: number | null }[];
}
interface SeedStatus {
  seed: { wanted: boolean; atSeq: number | null; at: string | null };
}

async function commandSeq(central: CentralHandle, storeId: string): Promise<number> {
  const r = await central.api.get<{ items: { storeId: string; commandSeq: number }[] }>('/stores');
  return r.body.items.find((s) => s.storeId === storeId)!.commandSeq;
}
const picksAt = async (agent: AgentHandle) => (await agent.api.get<{ items: Pick[] }>('/picks')).body.items;
const stockAt = async (agent: AgentHandle, sku: string) =>
  (await agent.api.get<{ items: { sku: string; onHand: number; reserved: number; available: number }[] }>(`/stock?sku=${sku}`)).body.items[0];
function journal(agent: AgentHandle): { seq: number; type: string }[] {
  const db = new Database(join(agent.dataDir, 'agent.db'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT seq, type FROM applied_commands ORDER BY applied_order').all() as { seq: number; type: string }[];
  } finally {
    db.close();
  }
}

describe('a replacement till', () => {
  const { fx, dbUrl } = e2eContext();

  it('gets the item master, stock and open picks before any new command; the stream then reaches both tills once', { timeout: 600_000 }, async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const storeId = 'store-replace';
    const oldDir = fx.tempDir('outpost-agent-old-');
    await enrollAgent(central, storeId, oldDir);
    const old = await startAgent(fx, { dataDir: oldDir });
    // The store's first till asks for a seed too: an empty one, before the store has any command.
    await waitFor(async () => !(await old.api.get<SeedStatus>('/status')).body.seed.wanted, { what: 'the first till seeded' });

    // The store's history: an item master, a delivery, a sale at the old till, two reservations, one of them picked.
    expect((await central.api.put('/items/MUG', { name: 'Blue mug', price: 450, currency: 'EUR' })).status).toBe(200);
    expect((await central.api.put('/items/TEA', { name: 'Green tea', price: 300, currency: 'EUR' })).status).toBe(200);
    expect((await central.api.post(`/stores/${storeId}/receipts`, { receiptId: 'RCV-1', lines: [{ sku: 'MUG', qty: 10 }, { sku: 'TEA', qty: 5 }] })).status).toBe(201);
    const sold = await old.api.post('/sales', { transactionId: 'T-OLD-1', lines: [{ sku: 'MUG', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] });
    expect(sold.status).toBe(201);
    await waitDrained(old);
    const reserved: Record<string, string> = {};
    for (const [orderId, sku, qty] of [['ORD-1', 'MUG', 2], ['ORD-2', 'TEA', 1]] as const) {
      const r = await central.api.post<{ reservationId: string }>('/reservations', { orderId, storeId, lines: [{ sku, qty }] });
      expect(r.status).toBe(201);
      reserved[orderId] = r.body.reservationId;
    }
    await waitFor(async () => (await picksAt(old)).length === 2, { what: 'both picks at the old till' });
    expect((await old.api.post(`/picks/${reserved['ORD-2']}/confirm`, { lines: [{ sku: 'TEA', pickedQty: 1 }] })).status).toBe(201);
    await waitDrained(old);
    await waitFor(async () => (await central.api.get<{ status: string }>(`/reservations/${reserved['ORD-2']}`)).body.status === 'picked', { what: 'ORD-2 picked at central' });
    const head = await commandSeq(central, storeId);
    expect(head).toBeGreaterThanOrEqual(5); // 2 items, 1 receipt, 2 reservations (and the pick's status update)

    // ---- the replacement PC: a new data folder, enrolled for the same store, started
    const newDir = fx.tempDir('outpost-agent-new-');
    await enrollAgent(central, storeId, newDir, { createStore: false });
    const repl = await startAgent(fx, { dataDir: newDir });
    const seeded = await waitFor(
      async () => {
        const s = (await repl.api.get<SeedStatus & { appliedCommandSeq: number }>('/status')).body;
        return s.seed.atSeq !== null ? s : null;
      },
      { timeoutMs: 120_000, what: 'the replacement till seeded' },
    );
    expect(seeded).toMatchObject({ appliedCommandSeq: head, seed: { wanted: false, atSeq: head } });
    expect(await commandSeq(central, storeId)).toBe(head); // no command was made for it

    const items = (await repl.api.get<{ items: { sku: string; name: string; price: number }[] }>('/items')).body.items;
    expect(items.map((i) => [i.sku, i.name, i.price])).toEqual([
      ['MUG', 'Blue mug', 450],
      ['TEA', 'Green tea', 300],
    ]);
    // Central's store-wide stock (the old till's sale included); reserved from the open picks.
    expect(await stockAt(repl, 'MUG')).toEqual({ sku: 'MUG', onHand: 9, reserved: 2, available: 7 });
    expect(await stockAt(repl, 'TEA')).toEqual({ sku: 'TEA', onHand: 5, reserved: 1, available: 4 });
    const picks = await picksAt(repl);
    expect(picks.map((p) => [p.orderId, p.status, p.lines])).toEqual(
      expect.arrayContaining([
        ['ORD-1', 'delivered', [{ sku: 'MUG', qty: 2, pickedQty: null }]],
        ['ORD-2', 'picked', [{ sku: 'TEA', qty: 1, pickedQty: 1 }]],
      ]),
    );
    expect(picks).toHaveLength(2);
    expect(journal(repl)).toEqual([{ seq: head, type: 'seed' }]);

    // ---- the associate UI of the new till shows them
    const page: Page = await browser.page();
    page.setDefaultTimeout(UI_WAIT);
    const errors = pageErrors(page);
    try {
      await page.goto(repl.url);
      await page.getByRole('link', { name: /Picks/ }).click();
      const screen = page.locator('#screen-picks');
      await screen.getByRole('button', { name: 'Confirm short pick for ORD-1' }).waitFor({ state: 'visible' });
      await screen.locator('#picks-waiting article[aria-label="Order ORD-2"]').waitFor({ state: 'visible' });
      await page.locator('#nav-picks', { hasText: '1' }).waitFor({ state: 'visible' });
      await screenshot(page, 'ui', 'replacement-till-picks');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }

    // ---- it picks and hands over at once; then a new command reaches both tills exactly once
    expect((await repl.api.post(`/picks/${reserved['ORD-1']}/confirm`, { lines: [{ sku: 'MUG', pickedQty: 2 }] })).status).toBe(201);
    expect((await repl.api.post(`/picks/${reserved['ORD-2']}/handover`, {})).status).toBe(201);
    await waitDrained(repl);
    await waitFor(async () => (await central.api.get<{ status: string }>(`/reservations/${reserved['ORD-2']}`)).body.status === 'collected', { what: 'ORD-2 collected at central' });
    expect((await central.api.put('/items/MUG', { name: 'Blue mug', price: 520, currency: 'EUR' })).status).toBe(200);
    // Everything after the seed's seq (the pick's status updates, the price change) reaches both tills once.
    const last = await commandSeq(central, storeId);
    for (const till of [old, repl]) {
      await waitFor(async () => (await agentStatus(till)).appliedCommandSeq === last, { what: 'the price change at both tills' });
      expect((await till.api.get<{ items: { price: number }[] }>('/items?sku=MUG')).body.items[0]?.price).toBe(520);
    }
    const replJournal = journal(repl);
    expect(replJournal[0]).toEqual({ seq: head, type: 'seed' });
    expect(replJournal.map((r) => r.seq)).toEqual(Array.from({ length: last - head + 1 }, (_, i) => head + i));
    expect(replJournal.at(-1)).toEqual({ seq: last, type: 'item.upserted' });
    expect(journal(old).map((r) => r.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    // The old till keeps selling and syncing beside the new one.
    expect((await old.api.post('/sales', { transactionId: 'T-OLD-2', lines: [{ sku: 'TEA', qty: 1, unitPrice: 300 }], tenders: [{ method: 'cash', amount: 300 }] })).status).toBe(201);
    await waitDrained(old);
  });

  it('refuses to re-seed a till that holds events central has not acknowledged, with the count', { timeout: 300_000 }, async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-pending', dir);
    const till = await startAgent(fx, { dataDir: dir });
    await waitFor(async () => (await agentStatus(till)).online, { what: 'till online' });
    const unseededDir = fx.tempDir('outpost-agent-unseeded-');
    await enrollAgent(central, 'store-pending', unseededDir, { createStore: false });
    await central.proc.kill9();

    // A new till that cannot reach central yet says on its screen what it is waiting for.
    const unseeded = await startAgent(fx, { dataDir: unseededDir });
    expect((await unseeded.api.get<SeedStatus>('/status')).body.seed).toEqual({ wanted: true, atSeq: null, at: null });
    const page: Page = await browser.page();
    try {
      await page.goto(unseeded.url);
      await page.locator('#sb-seed', { hasText: "Waiting for this store's items, stock and picks from head office" }).waitFor({ state: 'visible', timeout: UI_WAIT });
    } finally {
      await page.close();
    }
    for (const t of ['T-1', 'T-2']) {
      expect((await till.api.post('/sales', { transactionId: t, lines: [{ sku: 'MUG', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] })).status).toBe(201);
    }
    expect((await agentStatus(till)).pendingUp).toBe(2);

    const running = spawnSync(process.execPath, [AGENT_BIN, 'reseed', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(running.status).toBe(1);
    expect(running.stderr).toContain('the agent is running on this data folder');

    await till.proc.kill9();
    const refused = spawnSync(process.execPath, [AGENT_BIN, 'reseed', '--data-dir', dir], { cwd: ROOT, encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: this till holds 2 events central has not acknowledged \(seq 1\.\.2, the oldest captured \d{4}-\d\d-\d\dT/);
    // Nothing was touched: the agent starts again on the same database with both events waiting.
    const again = await startAgent(fx, { dataDir: dir });
    expect((await agentStatus(again)).pendingUp).toBe(2);
  });
});
