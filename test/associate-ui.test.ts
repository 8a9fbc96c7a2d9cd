import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, pageErrors, screenshot, type TestBrowser } from './support/browser.js';
import { e2eContext } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

/**
 * The associate UI in a real Chromium, served by a real agent process, syncing with a real central process on
 * PostgreSQL. Every wait is on a condition the page or the processes show; screenshots go to test-artifacts/ui/.
 */
const SHOTS = 'ui';
/** Long enough for a process restart and reconnect backoff on a busy CI machine; never a timing assertion. */
const UI_WAIT = 90_000;

let browser: TestBrowser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Resolves once the locator is visible: Playwright polls the page (no fixed sleeps). */
async function shows(locator: Locator): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout: UI_WAIT });
  return locator.first();
}

async function focusedName(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? null);
}

/** A barcode scanner is a keyboard: it types the code into whatever has focus and presses Enter. */
async function scan(page: Page, code: string): Promise<void> {
  await page.keyboard.type(code);
  await page.keyboard.press('Enter');
}

async function itemAt(agent: AgentHandle, sku: string): Promise<boolean> {
  const r = await agent.api.get<{ items: unknown[] }>(`/items?sku=${sku}`);
  return r.status === 200 && r.body.items.length === 1;
}

describe('associate UI', () => {
  const { fx, dbUrl } = e2eContext();
  const pages: Page[] = [];
  afterEach(async () => {
    for (const p of pages.splice(0)) await p.close().catch(() => {});
  });
  async function open(url: string): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.page();
    pages.push(page);
    page.setDefaultTimeout(UI_WAIT);
    const errors = pageErrors(page);
    await page.goto(url);
    return { page, errors };
  }

  it('enrols on the screen, rings up sales and a return offline, shows the backlog draining, closes the day', async () => {
    const centralDir = fx.tempDir('outpost-central-');
    let central: CentralHandle = await startCentral(fx, { databaseUrl: dbUrl(), dataDir: centralDir });
    const store = await central.api.post<{ enrollmentCode: string }>('/stores', { storeId: 'store-ui', name: 'High Street' });
    expect(store.status).toBe(201);
    expect((await central.api.put('/items/SKU-MUG', { name: 'Blue mug', price: 450, currency: 'EUR' })).status).toBe(200);

    // Batches of one event, one in flight: central's crash fault below then lands after exactly two acked events.
    const dataDir = fx.tempDir('outpost-agent-');
    const agent = await startAgent(fx, { dataDir, unenrolled: true, env: { OUTPOST_BATCH_EVENTS: '1', OUTPOST_MAX_IN_FLIGHT: '1' } });
    const { page, errors } = await open(agent.url);

    // ---- enrolment screen
    await shows(page.getByRole('heading', { name: 'Set up this till' }));
    expect(await page.locator('#sb-online').textContent()).toBe('Not set up');
    expect(await focusedName(page)).toBe('central');
    await page.getByLabel('Central address').fill(central.url);
    await page.getByLabel('Enrolment code').fill('NOT-A-CODE');
    await page.getByRole('button', { name: 'Enrol this till' }).click();
    await shows(page.locator('#enrol-msg', { hasText: 'Ask central IT for a new enrolment code' }));
    expect(existsSync(join(dataDir, 'agent.json'))).toBe(false);
    await page.getByLabel('Enrolment code').fill(store.body.enrollmentCode);
    await page.getByLabel('Name of this till').fill('Front till');
    await screenshot(page, SHOTS, '01-enrol');
    await page.getByLabel('Enrolment code').press('Enter');

    // Same page, same address: the agent switched from set-up to the full engine without a restart.
    await shows(page.getByRole('navigation', { name: 'Tasks' }));
    await shows(page.locator('#sb-online[data-state="online"]'));
    expect(await page.locator('#sb-store').textContent()).toBe('store-ui');
    expect(await page.locator('#sb-device').textContent()).toBe('Front till');
    expect(existsSync(join(dataDir, 'agent.json'))).toBe(true);
    expect(agent.proc.alive).toBe(true);
    await waitFor(() => itemAt(agent, 'SKU-MUG'), { what: 'item master on the agent', timeoutMs: UI_WAIT });

    // ---- head office goes away; the till keeps selling
    await central.proc.stop();
    await shows(page.locator('#sb-online[data-state="offline"]'));

    expect(await focusedName(page)).toBe('sku'); // the sale screen's SKU field: a scanner can start right away
    const sale = page.locator('#screen-sale');
    await scan(page, 'SKU-MUG');
    await shows(sale.locator('#sale-total', { hasText: '€4.50' }));
    await scan(page, 'SKU-MUG');
    await shows(sale.locator('#sale-total', { hasText: '€9.00 (2 items)' }));
    await scan(page, 'SKU-NEW');
    await shows(sale.locator('#sale-msg', { hasText: 'SKU-NEW is not in the item master' }));
    expect(await focusedName(page)).toBe('price');
    await scan(page, '2,50'); // the price, typed, then Enter adds the line
    await shows(sale.locator('#sale-total', { hasText: '€11.50 (3 items)' }));
    await sale.getByLabel('Cash given').fill('20');
    await shows(sale.locator('#sale-change', { hasText: 'Change: €8.50' }));
    await screenshot(page, SHOTS, '02-sale-offline');
    await sale.getByLabel('Cash given').press('Enter');
    await shows(sale.locator('#sale-msg', { hasText: 'Sale saved' }));
    await shows(sale.locator('#sale-msg', { hasText: 'Give €8.50 change' }));
    await shows(page.locator('#sb-pending[data-count="1"]'));

    await scan(page, 'SKU-MUG');
    await shows(sale.locator('#sale-total', { hasText: '€4.50' }));
    await sale.getByRole('radio', { name: 'Card' }).check();
    await sale.getByRole('button', { name: 'Complete sale' }).click();
    await shows(sale.locator('#sale-msg', { hasText: 'by card' }));
    await shows(page.locator('#sb-pending[data-count="2"]'));

    // ---- a return, offline too
    await page.getByRole('link', { name: 'Return' }).click();
    const ret = page.locator('#screen-return');
    await shows(ret);
    expect(await focusedName(page)).toBe('sku');
    await ret.getByLabel('Reason').selectOption('faulty');
    await ret.getByLabel('Goes to').selectOption('damaged');
    await ret.getByLabel('SKU (scan or type)').focus(); // back from the selects
    await scan(page, 'SKU-MUG');
    await shows(ret.locator('#return-total', { hasText: '€4.50' }));
    await ret.getByRole('button', { name: 'Record return' }).click();
    await shows(ret.locator('#return-msg', { hasText: 'Return saved' }));
    await shows(page.locator('#sb-pending[data-count="3"]'));
    expect(await page.locator('#sb-online').getAttribute('data-state')).toBe('offline');
    await screenshot(page, SHOTS, '03-offline-waiting');

    // ---- central comes back but dies on the third batch: two of three went, the bar shows the partial drain
    const crashing = await startCentral(fx, {
      databaseUrl: dbUrl(),
      dataDir: centralDir,
      port: central.port,
      env: { OUTPOST_FAULT: 'central.crashBeforeCommit=3' },
      waitReady: false,
    });
    expect((await crashing.proc.exited).signal).toBe('SIGKILL');
    await shows(page.locator('#sb-progress-text', { hasText: '2 of 3 sent' }));
    expect(await page.locator('#sb-progress-bar').evaluate((el) => [(el as HTMLProgressElement).value, (el as HTMLProgressElement).max])).toEqual([2, 3]);
    expect((await agentStatus(agent)).pendingUp).toBe(1);
    await screenshot(page, SHOTS, '04-backlog-draining');

    // ---- central for good: the waiting count drains to zero
    central = await startCentral(fx, { databaseUrl: dbUrl(), dataDir: centralDir, port: central.port });
    await shows(page.locator('#sb-pending[data-count="0"]'));
    await shows(page.locator('#sb-caughtup', { hasText: 'Caught up: 3 sent' }));
    await shows(page.locator('#sb-online[data-state="online"]'));
    expect(await page.locator('#sb-progress').isHidden()).toBe(true);
    await screenshot(page, SHOTS, '05-caught-up');

    const events = await allEvents(central, 'store-ui');
    expect(events.map((e) => e.type)).toEqual(['sale.completed', 'sale.completed', 'return.received']);
    expect(events[0]?.payload).toMatchObject({
      currency: 'EUR',
      lines: [
        { sku: 'SKU-MUG', qty: 2, unitPrice: 450 },
        { sku: 'SKU-NEW', qty: 1, unitPrice: 250 },
      ],
      tenders: [{ method: 'cash', amount: 1150 }],
    });
    expect(events[1]?.payload).toMatchObject({ lines: [{ sku: 'SKU-MUG', qty: 1, unitPrice: 450 }], tenders: [{ method: 'card', amount: 450 }] });
    expect(events[2]?.payload).toMatchObject({ lines: [{ sku: 'SKU-MUG', qty: 1, refundAmount: 450, reasonCode: 'faulty', disposition: 'damaged' }] });

    // ---- day close, keyboard only: focus the button, Enter, count the drawer, Enter
    const businessDate = String(events[0]?.payload.businessDate);
    await page.getByRole('link', { name: 'Day close' }).click();
    const close = page.locator('#screen-close');
    await close.getByLabel('Business day').fill(businessDate);
    await close.getByRole('button', { name: 'Close day…' }).focus();
    await page.keyboard.press('Enter');
    await shows(close.locator('#close-confirm-text', { hasText: `(${businessDate})` }));
    // The day's totals, to check against the drawer before closing: sales, returns, and tenders per method.
    const totals = close.getByTestId('close-totals');
    expect(await totals.locator('tr[data-total="sales"]').textContent()).toMatch(/^Sales \(2\).*16\.00$/);
    expect(await totals.locator('tr[data-total="returns"]').textContent()).toMatch(/^Returns \(1\).*4\.50$/);
    const tenderRows = await totals.locator('tr[data-total^="tender:"]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-total')));
    expect(tenderRows.length).toBeGreaterThan(0);
    // The drawer is counted first: focus is on the cash count, which says what the tenders expect.
    expect(await focusedName(page)).toBe('counted-cash');
    const count = close.getByTestId('close-count');
    expect(await count.locator('tr[data-count]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-count')))).toEqual(['cash', 'card']);
    expect(await count.locator('[data-note="cash"]').textContent()).toBe('expected €11.50');
    // Focus is visible on what the keyboard reached.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle)).toBe('solid');
    // A typo is refused with its method named, and nothing is closed; the count is then typed as the drawer holds.
    await page.keyboard.type('11,0O');
    await shows(count.locator('[data-note="cash"].err'));
    await page.keyboard.press('Enter');
    await shows(close.locator('#close-msg', { hasText: 'Day not closed: "11,0O" is not an amount in EUR (counted cash)' }));
    expect(await focusedName(page)).toBe('counted-cash');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('0');
    await shows(count.locator('[data-note="cash"]', { hasText: 'expected €11.50: short by €0.50' }));
    await screenshot(page, SHOTS, '06-day-close-confirm');
    await page.keyboard.press('Enter');
    await shows(close.locator('#close-msg', { hasText: `${businessDate} is closed: its totals and the drawer count` }));
    await screenshot(page, SHOTS, '07-day-closed');
    const closed = await waitFor(async () => (await allEvents(central, 'store-ui')).find((e) => e.type === 'day.closed'), { what: 'day.closed at central', timeoutMs: UI_WAIT });
    expect(closed).toMatchObject({ type: 'day.closed', schemaVersion: 2 });
    expect(closed.payload).toMatchObject({ businessDate, transactionCount: 2, returnCount: 1, salesTotal: 1600, returnsTotal: 450, countedCash: [{ method: 'cash', amount: 1100 }] });
    expect(tenderRows).toEqual((closed.payload.tenders as { method: string }[]).map((t) => `tender:${t.method}`)); // what was shown is what was sent

    // ---- head office sees the count in the console's reconciliation: counted against tendered, the difference
    const consolePage = (await open(`${central.url}/`)).page;
    await consolePage.fill('#token', central.adminToken);
    await consolePage.click('#signin-form button[type=submit]');
    await consolePage.waitForSelector('#nav:not([hidden])');
    await consolePage.click('#nav a[data-view="reconciliation"]');
    await consolePage.fill('[data-testid="recon-date"]', businessDate);
    await consolePage.dispatchEvent('[data-testid="recon-date"]', 'change');
    const row = consolePage.locator('[data-testid="reconciliation"] tr[data-store-id="store-ui"]');
    await shows(row);
    expect(await row.textContent()).toContain('cash over/short');
    await row.click();
    const counted = consolePage.locator('[data-testid="recon-detail"] [data-testid="recon-counted"] tr[data-method="cash"]');
    await shows(counted);
    expect(await counted.locator('td').allTextContents()).toEqual(['cash', '€11.50', '€11.00', '-€0.50']);
    expect(await counted.getAttribute('class')).toContain('diff');
    expect(await consolePage.textContent('[data-testid="recon-detail"] li[data-kind="counted_cash"]')).toContain('cash counted 11.00 EUR, tendered 11.50 EUR (short by 0.50 EUR)');
    await screenshot(consolePage, SHOTS, '08-reconciliation-counted-cash');
    const [download] = await Promise.all([consolePage.waitForEvent('download'), consolePage.click('[data-testid="recon-csv"]')]);
    const csv = readFileSync((await download.path())!, 'utf8').split('\r\n');
    expect(csv[0]).toMatch(/,"countedCash"$/);
    expect(csv[1]).toMatch(/,"cash: counted 1100, tendered 1150, difference -50"$/);

    expect(errors).toEqual([]);
  });

  it('submits a cycle count after review; picks, short-picks and hands over what central sends down; keeps a sale while the agent is down', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-pick', dataDir);
    for (const [sku, name, price] of [
      ['SKU-A', 'Tea towel', 300],
      ['SKU-B', 'Apron', 1200],
    ] as const) {
      expect((await central.api.put(`/items/${sku}`, { name, price, currency: 'EUR' })).status).toBe(200);
    }
    const receipt = await central.api.post('/stores/store-pick/receipts', {
      receiptId: 'RC-1',
      lines: [
        { sku: 'SKU-A', qty: 5 },
        { sku: 'SKU-B', qty: 3 },
      ],
    });
    expect(receipt.status).toBe(201);
    // A warning threshold no disk meets: the status bar must say the disk is nearly full (capture still works).
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_DISK_LOW_MIB: '1000000000' } });
    await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq >= 3, { what: 'items and receipt applied', timeoutMs: UI_WAIT });

    const orders: Record<string, string> = {};
    for (const [orderId, sku] of [
      ['ORD-1', 'SKU-A'],
      ['ORD-2', 'SKU-B'],
    ] as const) {
      const r = await central.api.post<{ reservationId: string; status: string }>('/reservations', { orderId, storeId: 'store-pick', lines: [{ sku, qty: 2 }] });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      orders[orderId] = r.body.reservationId;
    }

    const { page, errors } = await open(agent.url);
    await shows(page.locator('#sb-disk', { hasText: "This PC's disk is nearly full" }));

    // ---- cycle count: scan twice, type a quantity, review against the till's stock picture, submit
    await page.getByRole('link', { name: 'Count' }).click();
    const count = page.locator('#screen-count');
    await shows(count);
    expect(await focusedName(page)).toBe('sku');
    await scan(page, 'SKU-A');
    await shows(count.locator('#count-msg', { hasText: 'Tea towel: 1 counted' }));
    await scan(page, 'SKU-A');
    await shows(count.locator('#count-msg', { hasText: 'Tea towel: 2 counted' }));
    await count.getByLabel('Quantity').fill('4');
    await count.getByLabel('SKU (scan or type)').fill('SKU-B');
    await count.getByLabel('SKU (scan or type)').press('Enter');
    await shows(count.locator('#count-msg', { hasText: 'Apron: 4 counted' }));
    // A typo (40 for 4) is a large difference: the review asks for a recount and a tick, and will not submit without
    await count.getByLabel('Counted SKU-B', { exact: true }).fill('40');
    await count.getByLabel('Counted SKU-B', { exact: true }).press('Tab');
    await count.getByRole('button', { name: 'Review count' }).click();
    await shows(count.locator('#count-review-lines tr.large-variance', { hasText: 'SKU-B' }));
    await shows(count.locator('#count-msg', { hasText: 'Large difference for SKU-B (+37)' }));
    await count.getByRole('button', { name: 'Submit count' }).click();
    await shows(count.locator('#count-msg', { hasText: 'Not submitted: confirm the large difference for SKU-B (+37)' }));
    await count.getByRole('button', { name: 'Back to counting' }).click();
    await count.getByLabel('Counted SKU-B', { exact: true }).fill('4');
    await count.getByLabel('Counted SKU-B', { exact: true }).press('Tab');
    await count.getByRole('button', { name: 'Review count' }).click();
    const review = count.locator('#count-review-lines tr');
    await shows(review.first());
    const localA = await agent.api.get<{ items: { onHand: number }[] }>('/stock?sku=SKU-A');
    const expectedA = localA.body.items[0]?.onHand;
    expect(expectedA).toBeTypeOf('number');
    const diff = 2 - (expectedA as number);
    expect(await review.nth(0).locator('td').allTextContents()).toEqual(['SKU-A', '2', String(expectedA), diff > 0 ? `+${diff}` : String(diff)]);
    expect(await review.nth(1).locator('td').first().textContent()).toBe('SKU-B');
    expect(await count.locator('#count-review-lines tr.large-variance').count()).toBe(0);
    await screenshot(page, SHOTS, '08-count-review');
    await count.getByRole('button', { name: 'Submit count' }).click();
    await shows(count.locator('#count-msg', { hasText: 'Count submitted' }));
    const counted = await waitFor(async () => (await allEvents(central, 'store-pick')).find((e) => e.type === 'count.submitted'), { what: 'count at central', timeoutMs: UI_WAIT });
    expect(counted.payload).toMatchObject({
      kind: 'cycle',
      lines: [
        { sku: 'SKU-A', countedQty: 2 },
        { sku: 'SKU-B', countedQty: 4 },
      ],
    });

    // ---- picks: both reservations arrived as commands and show up to pick
    await page.getByRole('link', { name: /Picks/ }).click();
    const picks = page.locator('#screen-picks');
    const ord1 = picks.locator('article[aria-label="Order ORD-1"]');
    const ord2 = picks.locator('article[aria-label="Order ORD-2"]');
    // Nothing is picked until it is scanned: the card starts at zero, so confirming now would be a short pick.
    await shows(ord1.getByRole('button', { name: 'Confirm short pick for ORD-1' }));
    expect(await ord1.getByLabel('Picked SKU-A for ORD-1').inputValue()).toBe('0');
    await shows(ord2);
    await shows(page.locator('#nav-picks', { hasText: '2' }));
    await screenshot(page, SHOTS, '09-picks-to-pick');

    // ORD-1 by scanning: each scan counts one item; a stranger is refused
    await ord1.getByLabel('Scan items for ORD-1').focus();
    await scan(page, 'SKU-A');
    await shows(ord1.locator('.msg', { hasText: 'SKU-A: 1 picked' }));
    await scan(page, 'SKU-Z');
    await shows(ord1.locator('.msg', { hasText: 'SKU-Z is not on order ORD-1' }));
    await scan(page, 'SKU-A');
    await shows(ord1.locator('.msg', { hasText: 'SKU-A: 2 picked' }));
    expect(await ord1.getByLabel('Picked SKU-A for ORD-1').inputValue()).toBe('2');
    expect(await ord1.getByTestId('typed-SKU-A').isHidden()).toBe(true); // scanned, not typed
    await ord1.getByRole('button', { name: 'Confirm picked ORD-1' }).click();
    await shows(picks.locator('#picks-msg', { hasText: 'ORD-1 picked' }));

    // ORD-2 short: only one apron on the shelf
    await ord2.getByLabel('Picked SKU-B for ORD-2').fill('1');
    await shows(ord2.getByTestId('typed-SKU-B')); // typing is allowed, and marked
    await ord2.getByRole('button', { name: 'Confirm short pick for ORD-2' }).click();
    await shows(picks.locator('#picks-msg', { hasText: 'ORD-2 short picked (missing 1 × SKU-B)' }));
    await shows(picks.locator('#picks-waiting article[aria-label="Order ORD-2"]', { hasText: 'Short picked' }));
    await screenshot(page, SHOTS, '10-picks-waiting');

    // The customer collects ORD-1
    await picks.getByRole('button', { name: 'Hand over ORD-1' }).click();
    await shows(picks.locator('#picks-msg', { hasText: 'ORD-1 handed over' }));
    await picks.locator('article[aria-label="Order ORD-1"]').waitFor({ state: 'detached', timeout: UI_WAIT });
    await screenshot(page, SHOTS, '11-picks-handed-over');

    // Head office sees what the store did.
    const status = async (orderId: string) => (await central.api.get<{ status: string }>(`/reservations/${orders[orderId]}`)).body.status;
    await waitFor(async () => (await status('ORD-1')) === 'collected', { what: 'ORD-1 collected at central', timeoutMs: UI_WAIT });
    await waitFor(async () => (await status('ORD-2')) === 'short_picked', { what: 'ORD-2 short_picked at central', timeoutMs: UI_WAIT });

    // Central cancels an order the store has not picked yet: it leaves the list without anyone refreshing.
    expect((await central.api.post('/stores/store-pick/receipts', { receiptId: 'RC-2', lines: [{ sku: 'SKU-A', qty: 3 }] })).status).toBe(201);
    const r3 = await central.api.post<{ reservationId: string }>('/reservations', { orderId: 'ORD-3', storeId: 'store-pick', lines: [{ sku: 'SKU-A', qty: 1 }] });
    expect(r3.status, JSON.stringify(r3.body)).toBe(201);
    const ord3 = picks.locator('article[aria-label="Order ORD-3"]');
    await shows(ord3.getByRole('button', { name: 'Confirm short pick for ORD-3' })); // nothing scanned yet
    const cancel = await central.api.post(`/reservations/${r3.body.reservationId}/cancel`, {});
    expect(cancel.status, JSON.stringify(cancel.body)).toBeLessThan(300);
    await ord3.waitFor({ state: 'detached', timeout: UI_WAIT });
    // ...and the agent refuses to confirm it, with a reason the screen would show.
    const late = await agent.api.post<{ error: { code: string; message: string } }>(`/picks/${r3.body.reservationId}/confirm`, { lines: [{ sku: 'SKU-A', pickedQty: 1 }] });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('invalid_state');

    // ---- the agent itself goes away mid-sale: the page says so, keeps the sale, and saves it once the agent is back
    await page.getByRole('link', { name: 'Sale' }).click();
    const sale = page.locator('#screen-sale');
    await shows(sale);
    await scan(page, 'SKU-A');
    await shows(sale.locator('#sale-total', { hasText: '€3.00' }));
    await agent.proc.stop();
    await shows(page.locator('#sb-online[data-state="down"]'));
    await sale.getByRole('button', { name: 'Complete sale' }).click();
    await shows(sale.locator('#sale-msg', { hasText: 'not answering, so nothing was saved' }));
    expect(await sale.locator('#sale-total').textContent()).toContain('€3.00');
    await screenshot(page, SHOTS, '13-agent-not-answering');
    const back = await startAgent(fx, { dataDir, port: agent.port });
    await shows(page.locator('#sb-online[data-state="online"]'));
    await sale.getByRole('button', { name: 'Complete sale' }).click();
    await shows(sale.locator('#sale-msg', { hasText: 'Sale saved' }));
    const sales = await waitFor(
      async () => {
        const evs = (await allEvents(central, 'store-pick')).filter((e) => e.type === 'sale.completed');
        return evs.length === 1 && (await agentStatus(back)).pendingUp === 0 ? evs : null;
      },
      { what: 'the sale at central', timeoutMs: UI_WAIT },
    );
    expect(sales[0]?.payload).toMatchObject({ lines: [{ sku: 'SKU-A', qty: 1, unitPrice: 300 }] });

    expect(errors).toEqual([]);
  });
});
