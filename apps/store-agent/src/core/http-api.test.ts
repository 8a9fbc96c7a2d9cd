import { afterEach, describe, expect, it } from 'vitest';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { TempDirs, enrolledDir, sale } from './testing/fixtures.js';
import { http, json } from './testing/http.js';
import { items } from './db/schema.js';
import { hostName } from './http-api.js';
import { expectHouseShapedEdgeErrors } from '../../../../test/support/edge-errors.js';

const dirs = new TempDirs();
const agents: Agent[] = [];
async function started(env: Record<string, string> = {}, host?: string): Promise<{ a: Agent; url: string }> {
  const a = createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env, port: 0, ...(host ? { host } : {}) });
  agents.push(a);
  const { url } = await a.start({ sync: false });
  return { a, url: url! };
}
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  dirs.cleanup();
});

describe('local HTTP API', () => {
  it('POST /sales answers 201 then 200 with the first event for a repeated transactionId', async () => {
    const { url } = await started();
    const first = await http(`${url}/api/v1/sales`, 'POST', json(sale('T-1')));
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ seq: 1, duplicate: false, eventId: expect.any(String) });
    const again = await http(`${url}/api/v1/sales`, 'POST', json(sale('T-1')));
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...(first.body as object), duplicate: true });
    const other = [
      ['/returns', { returnId: 'R-1', lines: [{ sku: 'A', qty: 1, refundAmount: 5, reasonCode: 'x', disposition: 'quarantine' }] }],
      ['/counts', { countId: 'C-1', lines: [{ sku: 'A', countedQty: 3 }] }],
      ['/adjustments', { adjustmentId: 'A-1', reasonCode: 'breakage', lines: [{ sku: 'A', qtyDelta: -2 }] }],
    ] as const;
    for (const [path, body] of other) expect((await http(`${url}/api/v1${path}`, 'POST', json(body))).status).toBe(201);
    const close = await http(`${url}/api/v1/days/2026-11-23/close`, 'POST');
    expect(close).toMatchObject({ status: 201, body: { seq: 5 } });
    expect((await http(`${url}/api/v1/days/2026-11-23/close`, 'POST', json({}))).status).toBe(200);
    const status = await http(`${url}/api/v1/status`, 'GET');
    expect(status.body).toMatchObject({ storeId: 'store-t', online: false, pendingUp: 5, lastAckedSeq: 0, pendingPicks: 0, appliedCommandSeq: 0, lastError: null });
  });

  it('answers 400 validation_error with the issues, and keeps what was captured', async () => {
    const { a, url } = await started();
    await http(`${url}/api/v1/sales`, 'POST', json(sale('T-1')));
    const bad = await http(`${url}/api/v1/sales`, 'POST', json(sale('T-2', { lines: [{ sku: 'A', qty: -1, unitPrice: 1.5 }] })));
    expect(bad.status).toBe(400);
    const err = (bad.body as { error: { code: string; message: string; details: { path: string; message: string }[] } }).error;
    expect(err.code).toBe('validation_error');
    expect(err.details.map((d) => d.path)).toEqual(expect.arrayContaining(['lines.0.qty', 'lines.0.unitPrice']));
    expect((await http(`${url}/api/v1/days/2026-13-45/close`, 'POST')).status).toBe(400);
    // Counted cash carries the shared schema's money bounds: negative, fractional or beyond 10^15 minor units, and
    // the same method twice, are refused with their paths, and the day stays open.
    const counted = await http(`${url}/api/v1/days/2026-11-23/close`, 'POST', json({ countedCash: [{ method: 'cash', amount: -1 }, { method: 'card', amount: 1.5 }, { method: 'gift', amount: 1e16 }] }));
    expect(counted).toMatchObject({ status: 400, body: { error: { code: 'validation_error' } } });
    const paths = (counted.body as { error: { details: { path: string }[] } }).error.details.map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['countedCash.0.amount', 'countedCash.1.amount', 'countedCash.2.amount']));
    const twice = await http(`${url}/api/v1/days/2026-11-23/close`, 'POST', json({ countedCash: [{ method: 'cash', amount: 1 }, { method: 'cash', amount: 2 }] }));
    expect(twice).toMatchObject({ status: 400, body: { error: { details: [{ path: 'countedCash', message: 'each tender method is counted once' }] } } });
    expect(a.capture.findDocument('day', '2026-11-23')).toBeNull();
    const broken = await http(`${url}/api/v1/sales`, 'POST', { body: '{"transactionId":', headers: { 'content-type': 'application/json' } });
    expect(broken).toMatchObject({ status: 400, body: { error: { code: 'invalid_json' } } });
    expect(a.status().pendingUp).toBe(1);
    expect((await http(`${url}/api/v1/nope`, 'GET')).body).toMatchObject({ error: { code: 'not_found' } });
  });

  it('refuses non-JSON bodies with 415 and oversize bodies with 413', async () => {
    const { a, url } = await started();
    const form = await http(`${url}/api/v1/sales`, 'POST', { body: 'transactionId=T-1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    const text = await http(`${url}/api/v1/sales`, 'POST', { body: JSON.stringify(sale('T-1')), headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    const big = await http(`${url}/api/v1/sales`, 'POST', json(sale('T-big', { note: 'x'.repeat(300 * 1024) })));
    expect(big).toMatchObject({ status: 413, body: { error: { code: 'payload_too_large' } } });
    expect(a.status().pendingUp).toBe(0);
  });

  it('refuses a foreign Host name with 403 (DNS rebinding) but accepts loopback names', async () => {
    const { a, url } = await started();
    const evil = await http(`${url}/api/v1/sales`, 'POST', json(sale('T-1'), { host: 'evil.example:8090' }));
    expect(evil).toMatchObject({ status: 403, body: { error: { code: 'forbidden_host' } } });
    expect((await http(`${url}/api/v1/status`, 'GET', { headers: { host: 'attacker.test' } })).status).toBe(403);
    for (const host of ['localhost:8090', '127.0.0.1', '[::1]:8090']) {
      expect((await http(`${url}/api/v1/status`, 'GET', { headers: { host } })).status).toBe(200);
    }
    expect(a.status().pendingUp).toBe(0);
    expect(hostName('[::1]:80')).toBe('[::1]');
  });

  it('beyond loopback, requires X-Api-Key instead of a loopback Host', async () => {
    expect(() => createAgent({ dataDir: enrolledDir(dirs), log: silentLogger, env: {}, host: '0.0.0.0', port: 0 })).toThrow(/OUTPOST_AGENT_API_KEY/);
    const { url } = await started({ OUTPOST_AGENT_API_KEY: 'k'.repeat(32) }, '0.0.0.0');
    const local = url.replace('0.0.0.0', '127.0.0.1');
    expect((await http(`${local}/api/v1/sales`, 'POST', json(sale('T-1'), { host: 'till-3.store.lan:8090' }))).status).toBe(403);
    expect((await http(`${local}/api/v1/sales`, 'POST', json(sale('T-1'), { 'x-api-key': 'wrong' }))).status).toBe(403);
    expect((await http(`${local}/api/v1/sales`, 'POST', json(sale('T-1'), { host: 'till-3.store.lan', 'x-api-key': 'k'.repeat(32) }))).status).toBe(201);
  });

  it('lists the local item master as {items, next} and serves the associate page', async () => {
    const { a, url } = await started();
    for (const sku of ['C', 'A', 'B']) a.db.db.insert(items).values({ sku, name: `item ${sku}`, price: 100, currency: 'EUR', version: 1 }).run();
    const page1 = await http(`${url}/api/v1/items?limit=2`, 'GET');
    expect(page1.body).toEqual({ items: [expect.objectContaining({ sku: 'A' }), expect.objectContaining({ sku: 'B' })], next: 'B' });
    const page2 = await http(`${url}/api/v1/items?limit=2&after=B`, 'GET');
    expect(page2.body).toEqual({ items: [expect.objectContaining({ sku: 'C', name: 'item C', version: 1 })], next: null });
    expect((await http(`${url}/api/v1/items?sku=B`, 'GET')).body).toEqual({ items: [expect.objectContaining({ sku: 'B' })], next: null });
    expect((await http(`${url}/api/v1/items?limit=5000`, 'GET')).status).toBe(400);
    const ui = await http(`${url}/`, 'GET');
    expect(ui.status).toBe(200);
    expect(ui.type).toMatch(/text\/html/);
    expect(String(ui.body)).toContain('/ui/js/main.js'); // the associate UI's module (ui-routes.test.ts covers the assets)
  });

  it('answers 507 disk_full when the database cannot grow, says so in the status, and keeps what was captured', async () => {
    // SQLite's max_page_count stands in for a full disk here (same SQLITE_FULL); test/disk-full.test.ts uses a real full tmpfs.
    const { a, url } = await started();
    for (const id of ['T-1', 'T-2']) expect((await http(`${url}/api/v1/sales`, 'POST', json(sale(id)))).status).toBe(201);
    a.db.sqlite.pragma(`max_page_count = ${a.db.sqlite.pragma('page_count', { simple: true }) as number}`);
    let full: Awaited<ReturnType<typeof http>> | null = null;
    for (let i = 3; i < 2000 && !full; i++) {
      const r = await http(`${url}/api/v1/sales`, 'POST', json(sale(`T-${i}`)));
      if (r.status !== 201) full = r;
    }
    expect(full).toMatchObject({ status: 507, body: { error: { code: 'disk_full', message: expect.stringMatching(/disk is full/) } } });
    const kept = a.status().pendingUp;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(a.status().lastError).toMatch(/disk is full/);
    a.db.sqlite.pragma('max_page_count = 1073741823');
    expect((await http(`${url}/api/v1/sales`, 'POST', json(sale('T-again')))).status).toBe(201);
    expect(a.status()).toMatchObject({ pendingUp: kept + 1, lastError: null });
    expect((await http(`${url}/api/v1/sales`, 'POST', json(sale('T-1')))).status).toBe(200);
  });

  it("answers the framework's own URL and header errors in the house shape", async () => {
    const { a, url } = await started();
    await expectHouseShapedEdgeErrors(url, (p) => `/api/v1/picks/${p}/handover`, null);
    expect(a.status().pendingUp).toBe(0);
  });
});
