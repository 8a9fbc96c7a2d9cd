import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localDate } from '../apps/store-agent/src/core/capture.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, agentStatus, enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { freePort } from './support/ports.js';
import { request } from './support/http.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

/**
 * Issue 11 case 6, with real processes: an agent whose PC clock runs 22 h ahead (Debian's libfaketime preloaded
 * into the agent's Node process; the monotonic clock stays real so timers behave) against a central on the real
 * clock. The agent counts while it has never met central (its count is stamped 22 h in central's future), then
 * connects; a receipt central books afterwards must still be ordered after that count at both ends, and the
 * agent's next sale must be dated by central's day.
 */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const AHEAD_MS = 22 * 3600_000;
const skewedClock = (offset: string) => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME: offset, FAKETIME_DONT_FAKE_MONOTONIC: '1', FAKETIME_NO_CACHE: '1' });

async function agentOnHand(agent: AgentHandle, sku: string): Promise<number | undefined> {
  const r = await agent.api.get<{ items: { sku: string; onHand: number }[] }>(`/stock?sku=${sku}`);
  return r.body.items[0]?.onHand;
}
async function centralOnHand(central: CentralHandle, storeId: string, sku: string): Promise<number | undefined> {
  const r = await central.api.get<{ items: { storeId: string; sku: string; onHand: number }[] }>(`/inventory?storeId=${storeId}&limit=1000`);
  return r.body.items.find((i) => i.storeId === storeId && i.sku === sku)?.onHand;
}

describe('a store whose clock runs 22 h ahead', () => {
  const { fx, dbUrl } = e2eContext();

  it.skipIf(!existsSync(LIBFAKETIME))('books on central’s business day, orders central’s receipts after its count, and shows its skew everywhere', async () => {
    const storeId = 'store-ahead';
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const proxy = await startTcpProxy(await freePort()); // points nowhere: the agent starts offline
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, storeId, dataDir);
      const cfgPath = join(dataDir, 'agent.json');
      writeFileSync(cfgPath, JSON.stringify({ ...(JSON.parse(readFileSync(cfgPath, 'utf8')) as object), centralUrl: proxy.url }, null, 2));

      const agent = await startAgent(fx, { dataDir, env: skewedClock('+22h') });
      // Before it ever met central the agent knows no better than its own clock: this count is stamped 22 h ahead.
      expect((await agent.api.post('/counts', { countId: 'C-1', kind: 'cycle', lines: [{ sku: 'SKU-A', countedQty: 10 }] })).status).toBe(201);
      expect(await agentStatus(agent)).toMatchObject({ online: false, clockSkewMs: null, clockCorrected: false });

      proxy.switchTo(central.port);
      await waitDrained(agent, 'the offline count to reach central');
      const st = await agentStatus(agent);
      expect(st.clockCorrected).toBe(true);
      expect(Math.abs((st.clockSkewMs ?? 0) - AHEAD_MS)).toBeLessThan(120_000);
      await waitFor(async () => (await centralOnHand(central, storeId, 'SKU-A')) === 10, { what: 'the count at central' });

      // Central books a receipt after the count: 10 counted + 5 received, at central and at the store.
      expect((await central.api.post(`/stores/${storeId}/receipts`, { receiptId: 'GR-1', lines: [{ sku: 'SKU-A', qty: 5 }] })).status).toBe(201);
      await waitFor(async () => (await centralOnHand(central, storeId, 'SKU-A')) === 15, { what: 'central on-hand 15 (receipt after the count)', timeoutMs: 30_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}: central has ${await centralOnHand(central, storeId, 'SKU-A')}`);
      });
      await waitFor(async () => (await agentOnHand(agent, 'SKU-A')) === 15, { what: 'agent on-hand 15', timeoutMs: 60_000 }).catch(async (e: unknown) => {
        throw new Error(`${String(e)}: the agent has ${await agentOnHand(agent, 'SKU-A')}`);
      });

      // A sale now is dated by central's day, not the PC's tomorrow.
      const before = localDate(Date.now());
      expect((await agent.api.post('/sales', { transactionId: 'T-1', lines: [{ sku: 'SKU-A', qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] })).status).toBe(201);
      const after = localDate(Date.now());
      await waitDrained(agent, 'the sale to reach central');
      const sale = (await allEvents(central, storeId)).find((e) => e.type === 'sale.completed');
      expect([before, after]).toContain(sale?.payload.businessDate);
      await waitFor(async () => (await centralOnHand(central, storeId, 'SKU-A')) === 14, { what: 'central on-hand 14 after the sale' });
      expect(await agentOnHand(agent, 'SKU-A')).toBe(14);

      // The skew is visible at central: fleet API, /metrics, and a sync lag that is not -22 h.
      const stores = await central.api.get<{ items: { storeId: string; devices: { clockSkewMs: number | null }[] }[] }>('/stores');
      const skew = stores.body.items.find((s) => s.storeId === storeId)?.devices[0]?.clockSkewMs ?? 0;
      expect(Math.abs(skew - AHEAD_MS)).toBeLessThan(120_000);
      const metrics = await request<string>('GET', `${central.url}/metrics`, { token: central.adminToken });
      const line = String(metrics.body).split('\n').find((l) => l.startsWith(`outpost_store_clock_skew_seconds{store="${storeId}"}`));
      expect(Math.abs(Number(line?.split(' ')[1]) - AHEAD_MS / 1000)).toBeLessThan(120);
      const lag = await central.api.get<{ items: { storeId: string; maxLagSeconds: number | null }[] }>('/reports/sync-lag?minutes=60');
      const row = lag.body.items.find((r) => r.storeId === storeId);
      expect(row?.maxLagSeconds).toBeGreaterThanOrEqual(0);

      // ... in the console's fleet table, and as a warning on the till's status bar.
      const browser = await launchBrowser();
      try {
        const page = await browser.page();
        page.setDefaultTimeout(60_000);
        await page.goto(`${central.url}/`);
        await page.fill('#token', central.adminToken);
        await page.click('#signin-form button[type=submit]');
        await page.waitForFunction(() => /22\.0 h ahead/.test(document.querySelector('[data-col="clock-skew"]')?.textContent ?? ''));
        await screenshot(page, 'clock-skew', 'fleet');
        const till = await browser.page();
        await till.goto(agent.url);
        await till.locator('#sb-clock', { hasText: /clock is 22 h ahead of head office/ }).waitFor({ state: 'visible', timeout: 60_000 });
        await screenshot(till, 'clock-skew', 'till');
      } finally {
        await browser.close();
      }
    } finally {
      await proxy.close();
    }
  });

  it.skipIf(!existsSync(LIBFAKETIME))('5 h behind and in sync: a count after a receipt includes it at both ends, and the sync lag is not +5 h', async () => {
    const storeId = 'store-behind';
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, storeId, dataDir);
    const agent = await startAgent(fx, { dataDir, env: skewedClock('-5h') });
    const st = await waitFor(async () => {
      const s = await agentStatus(agent);
      return s.online && s.clockCorrected ? s : null;
    }, { what: 'agent online with its clock measured' });
    expect(Math.abs((st.clockSkewMs ?? 0) + 5 * 3600_000)).toBeLessThan(120_000);

    expect((await central.api.post(`/stores/${storeId}/receipts`, { receiptId: 'GR-1', lines: [{ sku: 'SKU-B', qty: 5 }] })).status).toBe(201);
    await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq === 1, { what: 'the receipt applied at the store' });
    expect(await agentOnHand(agent, 'SKU-B')).toBe(5);
    // The shelf is counted after the goods arrived: the count includes them.
    expect((await agent.api.post('/counts', { countId: 'C-1', kind: 'cycle', lines: [{ sku: 'SKU-B', countedQty: 3 }] })).status).toBe(201);
    expect(await agentOnHand(agent, 'SKU-B')).toBe(3);
    const before = localDate(Date.now());
    expect((await agent.api.post('/sales', { transactionId: 'T-1', lines: [{ sku: 'SKU-B', qty: 1, unitPrice: 100 }], tenders: [{ method: 'cash', amount: 100 }] })).status).toBe(201);
    const after = localDate(Date.now());
    await waitDrained(agent, 'count and sale at central');
    await waitFor(async () => (await centralOnHand(central, storeId, 'SKU-B')) === 2, { what: 'central on-hand 2' }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}: central has ${await centralOnHand(central, storeId, 'SKU-B')}`);
    });
    expect(await agentOnHand(agent, 'SKU-B')).toBe(2);
    const sale = (await allEvents(central, storeId)).find((e) => e.type === 'sale.completed');
    expect([before, after]).toContain(sale?.payload.businessDate);

    const lag = await central.api.get<{ items: { storeId: string; maxLagSeconds: number | null }[] }>('/reports/sync-lag?minutes=60');
    const row = lag.body.items.find((r) => r.storeId === storeId);
    expect(row?.maxLagSeconds).toBeGreaterThanOrEqual(0);
    expect(row?.maxLagSeconds).toBeLessThan(600);
  });
});
