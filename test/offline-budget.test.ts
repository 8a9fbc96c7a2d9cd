import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OUTPOST_VERSION, PROTOCOL_VERSION } from '@outpost/shared';
import { launchBrowser, pageErrors, screenshot } from './support/browser.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { freePort } from './support/ports.js';
import { enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

// The offline budget in business terms (issue 15), real processes and real Chromium: the agent's status, the
// associate status bar and the console say how long a store has been cut off, since when its oldest event has
// waited and how many sales, returns and counts wait; the console sorts stores by it.

const SHOTS = 'offline-budget';
const UI = { timeout: 30_000 };

interface Unsent {
  oldestAt: string | null;
  sales: number;
  returns: number;
  counts: number;
  other: number;
}
interface Status {
  online: boolean;
  offlineSince: string | null;
  unsent: Unsent;
  lastError: string | null;
}

const sale = (id: string, lines = 1) => ({
  transactionId: id,
  lines: Array.from({ length: lines }, (_, i) => ({ sku: `SKU-${String(i).padStart(3, '0')}`, qty: 1, unitPrice: 100 })),
  tenders: [{ method: 'cash', amount: 100 * lines }],
});
const ret = (id: string) => ({ returnId: id, lines: [{ sku: 'SKU-000', qty: 1, refundAmount: 100, reasonCode: 'faulty', disposition: 'restock' }] });
const count = (id: string) => ({ countId: id, kind: 'cycle', lines: [{ sku: 'SKU-000', countedQty: 4 }] });

async function status(agent: AgentHandle): Promise<Status> {
  return (await agent.api.get<Status>('/status')).body;
}

async function till(fx: Parameters<typeof startAgent>[0], central: CentralHandle, storeId: string, centralUrl?: string): Promise<AgentHandle> {
  const dir = fx.tempDir('outpost-agent-');
  await enrollAgent(central, storeId, dir);
  if (centralUrl) {
    // This store's line to head office is down from the start: its agent points at an address nobody answers.
    const cfg = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ ...cfg, centralUrl }));
  }
  return startAgent(fx, { dataDir: dir });
}

describe('offline budget', () => {
  const { fx, dbUrl } = e2eContext();

  it('agent status, the associate status bar and the console show what waits and since when; the console sorts by it', async () => {
    // A sale of 100 lines is over central's byte bound: it stays at the store (refused, retried), online.
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: { OUTPOST_MAX_BATCH_BYTES: '3000' } });

    // store-stuck: online, but its oldest sale is refused, and a return and a count wait behind it.
    const stuck = await till(fx, central, 'store-stuck');
    await waitFor(async () => (await status(stuck)).online, { what: 'store-stuck online' });
    expect((await stuck.api.post('/sales', sale('T-BIG', 100))).status).toBe(201);
    expect((await stuck.api.post('/returns', ret('R-1'))).status).toBe(201);
    expect((await stuck.api.post('/counts', count('C-1'))).status).toBe(201);
    const st = await waitFor(async () => {
      const s = await status(stuck);
      return s.online && s.lastError !== null && s.unsent.sales === 1 ? s : null;
    }, { what: 'store-stuck to report the refused sale' });
    expect(st.unsent).toMatchObject({ sales: 1, returns: 1, counts: 1, other: 0 });
    expect(st.offlineSince).toBeNull();
    const stuckOldest = st.unsent.oldestAt!;

    // store-gone: synced, then its PC dies: offline since central last heard of it.
    const gone = await till(fx, central, 'store-gone');
    expect((await gone.api.post('/sales', sale('G-1'))).status).toBe(201);
    await waitDrained(gone);
    // store-ok: all at head office.
    const ok = await till(fx, central, 'store-ok');
    expect((await ok.api.post('/sales', sale('K-1'))).status).toBe(201);
    await waitDrained(ok);
    expect((await status(ok)).unsent).toEqual({ oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 });
    await gone.proc.kill9();

    // store-cut: never reaches head office; sells anyway.
    const cut = await till(fx, central, 'store-cut', `http://127.0.0.1:${await freePort()}`);
    for (const id of ['X-1', 'X-2']) expect((await cut.api.post('/sales', sale(id))).status).toBe(201);
    expect((await cut.api.post('/counts', count('XC-1'))).status).toBe(201);
    const cs = await status(cut);
    expect(cs).toMatchObject({ online: false, unsent: { sales: 2, returns: 0, counts: 1, other: 0 } });
    expect(Date.parse(cs.offlineSince!)).toBeLessThanOrEqual(Date.parse(cs.unsent.oldestAt!));

    // Central's view: the stuck store's budget as reported, the gone store at risk since last seen, sorted.
    await waitFor(async () => {
      const r = await central.api.get<{ items: { storeId: string; online: boolean; devices: { unsent: Unsent | null }[] }[] }>('/stores?q=store-');
      const byId = new Map(r.body.items.map((s) => [s.storeId, s]));
      return byId.get('store-stuck')?.devices[0]?.unsent?.counts === 1 && byId.get('store-gone')?.online === false;
    }, { what: 'central to hear of the budgets' });
    const sorted = await central.api.get<{ items: { storeId: string; atRiskSince: string | null; offlineSince: string | null }[] }>('/stores?sort=atRisk&q=store-');
    expect(sorted.body.items.map((s) => s.storeId)).toEqual(['store-stuck', 'store-gone', 'store-cut', 'store-ok']);
    expect(sorted.body.items[0]!.atRiskSince).toBe(new Date(stuckOldest).toISOString());
    expect(sorted.body.items[1]!.offlineSince).not.toBeNull();
    expect(sorted.body.items[1]!.atRiskSince).toBe(sorted.body.items[1]!.offlineSince);

    const browser = await launchBrowser();
    try {
      // ---- the associate's status bar, online but held back, and cut off
      const page = await browser.page();
      const errors = pageErrors(page);
      await page.goto(stuck.url);
      await page.waitForSelector('#sb-budget:not([hidden])', UI);
      const stuckText = (await page.textContent('#sb-budget')) ?? '';
      expect(stuckText).toMatch(/^\d+ (s|min) unsent, oldest \d\d:\d\d: 1 sale, 1 return, 1 count$/);
      await screenshot(page, SHOTS, '01-associate-held-back');
      await page.goto(cut.url);
      await page.waitForSelector('#sb-budget:not([hidden])', UI);
      await page.waitForFunction(() => document.querySelector('#sb-online')?.getAttribute('data-state') === 'offline', undefined, UI);
      const cutText = (await page.textContent('#sb-budget')) ?? '';
      expect(cutText).toMatch(/^Offline for \d+ (s|min) · \d+ (s|min) unsent, oldest \d\d:\d\d: 2 sales, 1 count$/);
      await screenshot(page, SHOTS, '02-associate-offline');
      expect(errors).toEqual([]);

      // ---- the console: versions across the fleet, the budget per device, sorted longest at risk first
      const con = await browser.page();
      const conErrors = pageErrors(con);
      await con.goto(`${central.url}/`);
      await con.fill('#token', central.adminToken);
      await con.click('#signin-form button[type=submit]');
      await con.waitForSelector('[data-testid="sum-versions"]', UI);
      expect(await con.textContent('[data-testid="sum-versions"] .card-value')).toContain(`${OUTPOST_VERSION} (v${PROTOCOL_VERSION}): 3 stores`);
      await con.selectOption('[data-testid="fleet-sort"]', 'atRisk');
      await con.fill('[data-testid="fleet-search"]', 'store-');
      await waitFor(async () => {
        const ids = await con.$$eval('#view tbody tr[data-store-id]', (rows) => rows.map((r) => r.getAttribute('data-store-id')));
        return JSON.stringify(ids) === JSON.stringify(['store-stuck', 'store-gone', 'store-cut', 'store-ok']);
      }, { what: 'the console sorted by the offline budget' });
      const budget = (id: string) => con.textContent(`#view tr[data-store-id="${id}"] [data-col="budget"]`);
      expect(await budget('store-stuck')).toMatch(/^\d+ (s|min) unsent, oldest \d\d:\d\d: 1 sale, 1 return, 1 count$/);
      expect(await budget('store-gone')).toMatch(/^offline \d+ (s|min)$/);
      expect(await budget('store-ok')).toBe('all at head office');
      expect(await con.textContent('#view tr[data-store-id="store-ok"] [data-col="version"]')).toBe(`${OUTPOST_VERSION} · protocol v${PROTOCOL_VERSION}`);
      await screenshot(con, SHOTS, '03-console-sorted');
      expect(conErrors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
