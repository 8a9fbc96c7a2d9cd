/**
 * Tryton as sites set it up: sale_stock_quantity on, the integration user in its group, so a sale of an item short
 * in Tryton's stock is answered with a UserWarning ("The forcast quantity ... is lower than its quantity"), the way
 * Tryton's own client asks "continue?". The connector answers by configuration (the mapping file's
 * `warnings.skip`), records the warning on the posting, finishes a draft an earlier attempt left, and leaves no
 * draft behind when Tryton's answer is final.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ErpConnector, ErpDocument, ErpPosting } from '../apps/central/src/erp/connector.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { ADMIN_TOKEN, enrollAgent, ROOT, startAgent } from './support/procs.js';
import { freePort } from './support/ports.js';
import { buildTrytonTemplate, openTrytonConnector, type TrytonConnectorFixture, DEFAULT_SPEC, TrytonProbe, writeMapping, type TrytonServer, type TrytonTemplate } from './support/tryton.js';
import { startCentralWithTryton } from './support/tryton-central.js';
import { request } from './support/http.js';
import { launchBrowser, pageErrors, screenshot } from './support/browser.js';
import { waitFor } from './support/wait.js';

const STORE = 'store-w1';
const UI = { timeout: 30_000 };
const TODAY = new Date().toISOString().slice(0, 10);
const MAPPING = {
  stores: { [STORE]: { warehouse: 'ST001', location: 'ST001-FLOOR' } },
  products: { 'SKU-TSHIRT': 'TT-TSHIRT', 'SKU-MUG': 'TT-MUG' },
};

const { fx, dbUrl } = e2eContext();
let template: TrytonTemplate;
let server: TrytonServer;
let probe: TrytonProbe;
let mappingFile: string;
let connector: ErpConnector;
let seq = 0;

const posting = (document: ErpDocument): ErpPosting => ({ postingId: `wpost-${Date.now().toString(36)}-${++seq}`, storeId: STORE, correlationId: `corr-${seq}`, document });
const shortSale = (): ErpDocument => ({
  kind: 'sale',
  transactionId: `W-${++seq}`,
  businessDate: TODAY,
  currency: 'USD',
  // Tryton holds no stock of either: both lines are short.
  lines: [
    { sku: 'SKU-TSHIRT', qty: 2, unitPrice: 1990 },
    { sku: 'SKU-MUG', qty: 1, unitPrice: 950 },
  ],
  tenders: [{ method: 'cash', amount: 4930 }],
});

beforeAll(async () => {
  template = await buildTrytonTemplate({ ...DEFAULT_SPEC, stockQuantityChecks: true });
}, 480_000);
afterAll(() => template?.dispose());

let fixture: TrytonConnectorFixture | undefined;
beforeEach(async () => {
  fixture = await openTrytonConnector(template, MAPPING, 'outpost-tryton-warn-');
  ({ server, probe, mappingFile, connector } = fixture);
});
afterEach(async () => {
  await fixture?.close();
});

describe('Tryton warnings', () => {
  it('a sale of items short in Tryton is posted once; the acknowledged warnings are returned to be recorded', async () => {
    const p = posting(shortSale());
    const first = await connector.post(p);
    expect(first).toMatchObject({ ok: true, alreadyPosted: false });
    if (!first.ok) throw new Error('unreachable');
    // Tryton's own words, one per short line (quote and confirm each ask, under the same name: recorded once).
    expect(first.warnings).toHaveLength(2);
    for (const w of first.warnings ?? []) expect(w).toMatch(/^stock_quantity_warning_\d+: The forcast quantity .* is lower than its quantity/);
    expect(await probe.salesByReference(p.postingId)).toEqual([expect.objectContaining({ state: 'done' })]);
    // Again (a retry after a lost answer, a replay): found, nothing new, no question asked.
    expect(await connector.post(p)).toEqual({ ok: true, erpRef: first.erpRef, alreadyPosted: true });
    expect(await probe.salesByReference(p.postingId)).toHaveLength(1);
  });

  it('configured to skip no warning: a dead letter with Tryton’s own words, and no draft left in Tryton', async () => {
    writeMapping(mappingFile, { ...MAPPING, warnings: { skip: [] } } as Parameters<typeof writeMapping>[1]);
    const before = await probe.count('sale.sale');
    const p = posting(shortSale());
    const out = await connector.post(p);
    expect(out).toMatchObject({ ok: false, retryable: false });
    if (out.ok) throw new Error('unreachable');
    expect(out.error).toMatch(/^UserWarning: The forcast quantity .* is lower than its quantity .*Tryton warning "stock_quantity_warning_\d+".*warnings\.skip/);
    expect(out.details).toMatchObject({ draftRemoved: expect.stringMatching(/^sale\.sale,\d+$/) });
    expect(await probe.salesByReference(p.postingId)).toEqual([]);
    expect(await probe.count('sale.sale')).toBe(before);
  });

  it('a draft an earlier attempt left under our reference is finished, not duplicated', async () => {
    const p = posting(shortSale());
    const ids = template.ids;
    const st = ids.stores.ST001;
    if (!st) throw new Error('fixture has no ST001');
    // What a crash between create and quote leaves: our reference on a draft sale.
    const [draft] = await probe.call<number[]>('model.sale.sale.create', [
      [
        {
          company: ids.company,
          party: ids.customer,
          invoice_address: ids.address,
          shipment_address: ids.address,
          warehouse: st.warehouse,
          currency: ids.currency,
          reference: p.postingId,
          invoice_method: 'manual',
          shipment_method: 'order',
          lines: [['create', [{ type: 'line', product: ids.products['TT-MUG'], unit: ids.unit, quantity: 1, unit_price: { __class__: 'Decimal', decimal: '9.50' }, description: 'Mug' }]]],
        },
      ],
    ]);
    expect(await probe.salesByReference(p.postingId)).toEqual([expect.objectContaining({ id: draft, state: 'draft' })]);
    const out = await connector.post(p);
    expect(out).toEqual({ ok: true, erpRef: `sale.sale,${draft}`, alreadyPosted: true, warnings: [expect.stringMatching(/^stock_quantity_warning_/)] });
    expect(await probe.salesByReference(p.postingId)).toEqual([expect.objectContaining({ id: draft, state: 'done' })]);
  });
});

describe('the ERP configuration checked at start', () => {
  it('an invalid mapping file stops start with the file, the key and the fix', async () => {
    writeFileSync(mappingFile, JSON.stringify({ stores: { [STORE]: { warehouse: 'ST001', locaton: 'ST001-FLOOR' } }, product: {} }));
    const port = await freePort();
    const proc = fx.spawn('central', [join(ROOT, 'apps/central/bin/outpost-central.js'), 'start', '--port', String(port), '--data-dir', fx.tempDir('outpost-central-'), '--database-url', dbUrl(), '--erp', 'tryton'], {
      OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      OUTPOST_TRYTON_URL: server.url,
      OUTPOST_TRYTON_DB: server.database,
      OUTPOST_TRYTON_USER: server.user,
      OUTPOST_TRYTON_PASSWORD: server.password,
      OUTPOST_TRYTON_MAPPING: mappingFile,
    });
    expect((await proc.exited).code).toBe(2);
    const out = proc.tail(60);
    expect(out).toContain(`the Tryton mapping file ${mappingFile}`);
    expect(out).toContain(`stores.${STORE}.locaton`); // the misspelt key
    expect(out).toContain(`stores.${STORE}.location`); // and the one that is then missing
    expect(out).toContain('product: ');
    expect(out).toMatch(/remove or rename it/);
  });

  it('a good file with an sku Tryton lacks shows in erp/status and /readyz at start; a short sale posts once with its warning recorded', async () => {
    writeMapping(mappingFile, { ...MAPPING, products: { ...MAPPING.products, 'SKU-GHOST': 'TT-NOPE' } });
    const central = await startCentralWithTryton(fx, { databaseUrl: dbUrl(), tryton: server, mappingFile });
    const status = await waitFor(
      async () => {
        const r = await central.api.get<{ config: { ok: boolean; checkedAt: string | null; problems: string[] } }>('/erp/status');
        return r.body.config.checkedAt ? r.body.config : null;
      },
      { timeoutMs: 60_000, what: 'the ERP configuration check' },
    );
    expect(status.ok).toBe(false);
    expect(status.problems).toEqual([`${mappingFile}: "products": sku SKU-GHOST maps to Tryton product code "TT-NOPE", which Tryton does not have`]);
    const ready = await request('GET', `${central.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'degraded', reason: 'ERP configuration: 1 problem(s), see GET /api/v1/erp/status' });

    // The console shows it where an operator looks first (the fleet page) and lists it beside the dead letters.
    const browser = await launchBrowser();
    try {
      const page = await browser.page();
      const errors = pageErrors(page);
      await page.goto(`${central.url}/`);
      await page.fill('#token', central.adminToken);
      await page.click('#signin-form button[type=submit]');
      await page.waitForSelector('#nav:not([hidden])', UI);
      const card = await page.waitForSelector('[data-testid="sum-erp-config"]', UI);
      expect(await card.textContent()).toBe('1ERP configuration problems (see the list)');
      await card.click();
      const box = await page.waitForSelector('[data-testid="erp-config-problems"]', UI);
      expect(await box.textContent()).toContain('ERP configuration: 1 problem(s) found at start');
      expect(await page.locator('[data-testid="erp-config-problems"] li').allTextContents()).toEqual(status.problems);
      await screenshot(page, 'console', 'erp-config-problems');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }

    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, STORE, dataDir, { currency: 'USD' });
    const agent = await startAgent(fx, { dataDir });
    const sold = await agent.api.post('/sales', { transactionId: 'SHORT-1', lines: [{ sku: 'SKU-MUG', qty: 3, unitPrice: 950 }], tenders: [{ method: 'cash', amount: 2850 }] });
    expect(sold.status).toBe(201);
    await waitDrained(agent);
    const posting = await waitFor(
      async () => {
        const r = await central.api.get<{ items: { id: string; status: string; warnings: string[]; erpRef: string | null }[] }>(`/erp/postings?storeId=${STORE}`);
        const p = r.body.items[0];
        return p && p.status !== 'pending' && p.status !== 'retrying' ? p : null;
      },
      { timeoutMs: 120_000, what: 'the sale to be posted' },
    );
    expect(posting).toMatchObject({ status: 'posted', warnings: [expect.stringMatching(/^stock_quantity_warning_\d+: The forcast quantity .* for line .* is lower than its quantity/)] });
    expect(await probe.salesByReference(posting.id)).toEqual([expect.objectContaining({ state: 'done' })]);
  });
});
