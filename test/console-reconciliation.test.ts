import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { launchBrowser, pageErrors, screenshot } from './support/browser.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, startAgent, startCentral } from './support/procs.js';
import { waitFor } from './support/wait.js';

// The reconciliation page as an operator reads it (issue 16): a day whose ERP lost one document shows as a table of
// store / central / ERP figures with the differing cells marked; the row opens the difference, and the document id
// opens the sale central holds and its posting. Real agent and central, ledger ERP, Debian's Chromium.

const DAY = '2026-10-05';
const UI = { timeout: 30_000 };

describe('reconciliation page', () => {
  const { fx, dbUrl } = e2eContext();

  it('shows a day with a difference as a readable table; drill-down reaches the transaction and its posting', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: { OUTPOST_ALERT_EVALUATE_MS: '250', OUTPOST_ALERT_RECONCILE_SECONDS: '1' } });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-rc', dataDir);
    const agent = await startAgent(fx, { dataDir });
    for (let i = 1; i <= 3; i++) {
      const r = await agent.api.post('/sales', { transactionId: `RC-${i}`, businessDate: DAY, currency: 'EUR', lines: [{ sku: 'SKU-1', qty: i, unitPrice: 450 }], tenders: [{ method: 'card', amount: 450 * i }] });
      expect(r.status).toBe(201);
    }
    expect((await agent.api.post(`/days/${DAY}/close`)).status).toBe(201);
    await waitDrained(agent);
    await waitFor(async () => (await central.api.get<{ items: unknown[] }>(`/erp/postings?status=posted&storeId=store-rc`)).body.items.length === 3, { what: '3 postings posted' });
    // The ERP loses the document of RC-2 behind central's back.
    const lost = (await central.api.get<{ items: { id: string; document: { transactionId?: string } }[] }>(`/erp/postings?storeId=store-rc&businessDate=${DAY}`)).body.items.find(
      (p) => p.document.transactionId === 'RC-2',
    )!;
    const db = new pg.Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      expect((await db.query('DELETE FROM erp_ledger_entries WHERE posting_id = $1', [lost.id])).rowCount).toBe(1);
    } finally {
      await db.end();
    }

    // Central's own health rules see it too: a reconciliation_difference alert for the store, naming the day.
    const alert = await waitFor(
      async () => (await central.api.get<{ items: { kind: string; storeId?: string; detail: string }[] }>('/alerts')).body.items.find((a) => a.kind === 'reconciliation_difference'),
      { what: 'reconciliation_difference alert' },
    );
    expect(alert).toMatchObject({ storeId: 'store-rc', detail: expect.stringContaining(DAY) });

    const browser = await launchBrowser();
    try {
      const page = await browser.page();
      const errors = pageErrors(page);
      await page.goto(`${central.url}/`);
      await page.fill('#token', central.adminToken);
      await page.click('#signin-form button[type=submit]');
      await page.waitForSelector('#nav:not([hidden])', UI);
      await page.click('#nav a[data-view="reconciliation"]');
      await page.fill('[data-testid="recon-date"]', DAY);
      await page.dispatchEvent('[data-testid="recon-date"]', 'change');
      const row = 'tr[data-store-id="store-rc"][data-status="differences"]';
      await page.waitForSelector(row, UI);
      // Figures side by side; the ERP's count and total differ from the store's and central's and are marked.
      const cell = (field: string, side: string) => page.textContent(`${row} td[data-field="${field}"][data-side="${side}"]`);
      expect([await cell('transactionCount', 'store'), await cell('transactionCount', 'central'), await cell('transactionCount', 'erp')]).toEqual(['3', '3', '2']);
      expect(await cell('salesTotal', 'central')).toMatch(/27[.,]00/);
      expect(await cell('salesTotal', 'erp')).toMatch(/18[.,]00/);
      expect(await page.getAttribute(`${row} td[data-field="transactionCount"][data-side="erp"]`, 'class')).toContain('diff');
      expect(await page.getAttribute(`${row} td[data-field="returnCount"][data-side="erp"]`, 'class')).not.toContain('diff');
      expect(await page.textContent(row)).toContain('missing in the ERP');
      await screenshot(page, 'console', 'reconciliation-table');

      // Drill down: the difference, then the document central holds and the posting the ERP lacks.
      await page.click(row);
      await page.waitForSelector('[data-testid="recon-detail"] li[data-kind="missing_in_erp"] button[data-document="RC-2"]', UI);
      await page.click('[data-testid="recon-detail"] button[data-document="RC-2"]');
      await page.waitForSelector('[data-testid="recon-document"] tr[data-event-id]', UI);
      expect(await page.textContent('[data-testid="recon-document"] tr[data-event-id]')).toContain('SKU-1×2');
      expect(await page.textContent(`[data-testid="recon-document"] tr[data-posting-id="${lost.id}"]`)).toContain('posted');
      await screenshot(page, 'console', 'reconciliation-drilldown');

      // CSV of what is shown, and the fleet view of the last days.
      const [download] = await Promise.all([page.waitForEvent('download', UI), page.click('[data-testid="recon-csv"]')]);
      const csv = readFileSync((await download.path())!, 'utf8');
      expect(csv.split('\r\n')[0]).toContain('"erp_transactionCount"');
      expect(csv).toContain('"store-rc","2026-10-05","differences","3","3","2"');
      await page.click('[data-testid="recon-fleet"]');
      await page.waitForSelector(`[data-testid="reconciliation"] tr[data-store-id="store-rc"][data-status="differences"]`, UI);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
