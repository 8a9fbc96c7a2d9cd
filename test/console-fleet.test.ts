import { describe, expect, it } from 'vitest';
import { launchBrowser, pageErrors, screenshot } from './support/browser.js';
import { e2eContext } from './support/e2e.js';
import { freePort } from './support/ports.js';
import { startCentral } from './support/procs.js';
import { RawAgent } from './support/raw-agent.js';
import { waitFor } from './support/wait.js';

// The console at fleet size (issue 16): 3,000 stores made through the API, 40 of them with a live device (real
// socket.io connections speaking the protocol), 10 of those gone again. The fleet page pages, searches and filters
// on the server; the ERP down shows as a banner.

const SHOTS = 'console-fleet';
const UI = { timeout: 30_000 };
const STORES = 3000;
const LIVE = 40;
const GONE = 10;

async function pool<T>(items: readonly T[], width: number, fn: (t: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (i < items.length) await fn(items[i++]!);
  }));
}

describe('fleet console with 3,000 stores', () => {
  const { fx, dbUrl } = e2eContext();

  it('pages, searches and filters on the server; the ERP down shows as a banner', async () => {
    const deadErp = await freePort(); // nothing listens: every posting fails, the circuit opens
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: {
        // The test itself is one operator creating 3,000 stores and enrolling 40 tills from one address in a minute.
        OUTPOST_RATE_PER_TOKEN: '100000',
        OUTPOST_RATE_ENROLL: '1000',
        OUTPOST_ALERT_OFFLINE_SECONDS: '1',
        OUTPOST_ALERT_EVALUATE_MS: '500',
        OUTPOST_ERP: 'webhook',
        OUTPOST_ERP_WEBHOOK_URL: `http://127.0.0.1:${deadErp}/erp`,
        OUTPOST_ERP_WEBHOOK_SECRET: 'erp-secret-0123456789',
        OUTPOST_ERP_RETRY_BASE_MS: '100',
        OUTPOST_ERP_RETRY_MAX_MS: '300',
        OUTPOST_ERP_CIRCUIT_THRESHOLD: '2',
      },
    });
    const plain = Array.from({ length: STORES - LIVE }, (_, i) => `s-${String(i).padStart(4, '0')}`);
    const live = Array.from({ length: LIVE }, (_, i) => `live-${String(i).padStart(3, '0')}`);
    const codes = new Map<string, string>();
    await pool([...plain, ...live], 12, async (storeId) => {
      const r = await central.api.post<{ enrollmentCode: string }>('/stores', { storeId, name: `Shop ${storeId}` });
      expect(r.status).toBe(201);
      codes.set(storeId, r.body.enrollmentCode);
    });
    const raws: RawAgent[] = [];
    try {
      await pool(live, 8, async (storeId) => {
        const e = await central.api.post<{ storeId: string; deviceId: string; token: string }>('/enroll', { code: codes.get(storeId), deviceName: `till-${storeId}` });
        expect(e.status).toBe(200);
        const raw = new RawAgent(central.url, e.body.token, e.body.storeId, e.body.deviceId);
        raws.push(raw);
        await raw.connected();
        expect((await raw.hello()).ok).toBe(true);
      });
      // One sale, so there is a posting for the dead ERP to refuse.
      expect((await raws[0]!.batch(1, [raws[0]!.sale(1)])).ok).toBe(true);
      const gone = raws.slice(LIVE - GONE);
      for (const r of gone) r.close();
      const goneIds = new Set(gone.map((r) => r.storeId));
      const onlineIds = new Set(raws.slice(0, LIVE - GONE).map((r) => r.storeId));

      const browser = await launchBrowser();
      try {
        const page = await browser.page();
        const errors = pageErrors(page);
        await page.goto(`${central.url}/`);
        await page.fill('#token', central.adminToken);
        await page.click('#signin-form button[type=submit]');
        await page.waitForSelector('[data-testid="sum-stores"]', UI);
        await page.waitForFunction(() => document.querySelector('[data-testid="sum-stores"] .card-value')?.textContent === '3000', undefined, UI);
        await page.waitForFunction((n) => document.querySelector('[data-testid="sum-online"] .card-value')?.textContent === String(n), LIVE - GONE, UI);
        expect(await page.textContent('[data-testid="sum-offline"] .card-value')).toBe(String(STORES - (LIVE - GONE)));
        // One page, not 3,000 rows; worst first: the stores that lost their device lead.
        const firstPage = await page.$$eval('#view tbody tr[data-store-id]', (rows) => rows.map((r) => r.getAttribute('data-store-id')));
        expect(firstPage.length).toBeLessThanOrEqual(50);
        expect(firstPage.length).toBe(50);
        await waitFor(async () => {
          const lead = await page.$$eval('#view tbody tr[data-store-id]', (rows) => rows.slice(0, 10).map((r) => r.getAttribute('data-store-id')));
          return lead.every((id) => goneIds.has(id!));
        }, { what: 'the ten stores that lost contact first' });
        await screenshot(page, SHOTS, '01-fleet-3000');

        // Search by store id.
        await page.fill('[data-testid="fleet-search"]', 's-1234');
        await page.waitForFunction(() => Array.from(document.querySelectorAll('#view tbody tr[data-store-id]')).map((r) => r.getAttribute('data-store-id')).join() === 's-1234', undefined, UI);
        await screenshot(page, SHOTS, '02-search');

        // Filter: exactly the live stores that went offline, and exactly the ones still online.
        const shown = () => page.$$eval('#view tbody tr[data-store-id]', (rows) => rows.map((r) => r.getAttribute('data-store-id')!).sort());
        await page.fill('[data-testid="fleet-search"]', 'live-');
        await page.selectOption('[data-testid="fleet-status"]', 'offline');
        await waitFor(async () => {
          const ids = await shown();
          return ids.length === GONE && ids.every((id) => goneIds.has(id)) ? ids : null;
        }, { what: 'offline filter to list exactly the stores that went away' });
        await screenshot(page, SHOTS, '03-filter-offline');
        await page.selectOption('[data-testid="fleet-status"]', 'online');
        await waitFor(async () => {
          const ids = await shown();
          return ids.length === onlineIds.size && ids.every((id) => onlineIds.has(id)) ? ids : null;
        }, { what: 'online filter to list exactly the connected stores' });

        // Paging through every offline store visits each once (API, same cursor the page uses).
        const seen = new Set<string>();
        let after: string | null = null;
        do {
          const r: { status: number; body: { items: { storeId: string }[]; next: string | null } } = await central.api.get(
            `/stores?status=offline&limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`,
          );
          for (const s of r.body.items) {
            expect(seen.has(s.storeId)).toBe(false);
            seen.add(s.storeId);
          }
          after = r.body.next;
        } while (after);
        expect(seen.size).toBe(STORES - (LIVE - GONE));

        // The ERP refuses every call: a banner above the page says so.
        await page.waitForSelector('[data-testid="banner"]:not([hidden]) .alert[data-kind="erp_circuit_open"]', UI);
        expect(await page.textContent('[data-testid="banner"]')).toMatch(/erp circuit open/);
        await screenshot(page, SHOTS, '04-erp-banner');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      for (const r of raws) r.close();
    }
  });
});
