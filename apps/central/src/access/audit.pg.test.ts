import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../../test/support/http.js';
import { enrol, startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../test/support/central.js';

interface Entry {
  seq: number;
  tokenId: string;
  tokenName: string;
  role: string;
  action: string;
  target: string | null;
  storeId: string | null;
  correlationId: string;
  sourceAddress: string;
}

describe('audit log', () => {
  let tc: TestCentral;
  beforeAll(async () => {
    tc = await startTestCentral();
  });
  afterAll(async () => {
    await tc.close();
  });

  const as = (token: string, method: string, path: string, body?: unknown, correlationId?: string) =>
    request<Record<string, string>>(method, `${tc.url}/api/v1${path}`, { token, ...(body === undefined ? {} : { body }), ...(correlationId ? { headers: { 'x-correlation-id': correlationId } } : {}) });

  it("lists each change of a scripted session in order, with its actor; reads and refused calls leave no row; rows cannot be changed", async () => {
    const admin = TEST_ADMIN_TOKEN;
    expect((await as(admin, 'POST', '/stores', { storeId: 'north', name: 'North' }, 'script-1')).status).toBe(201);
    expect((await as(admin, 'POST', '/stores/north/enrollment-codes')).status).toBe(201);
    const device = await enrol(tc, 'north', { createStore: false });
    expect((await as(admin, 'POST', `/devices/${device.deviceId}/revoke`)).status).toBe(200);
    expect((await as(admin, 'PUT', '/items/SKU-1', { name: 'Mug', price: 450, currency: 'EUR' })).status).toBe(200);
    expect((await as(admin, 'PUT', '/erp/stores/north/settings', { postingMode: 'day_summary', summaryCutoff: '04:00' })).status).toBe(200);
    const op = await as(admin, 'POST', '/tokens', { name: 'night operator', role: 'operator' });
    expect(op.status).toBe(201);
    expect((await as(op.body.token!, 'POST', '/stores', { storeId: 'south', name: 'South' })).status).toBe(201);
    // Refused or failed changes and plain reads are not changes.
    expect((await as(op.body.token!, 'POST', '/tokens', { name: 'x', role: 'admin' })).status).toBe(403);
    expect((await as(admin, 'POST', '/stores/nowhere/enrollment-codes')).status).toBe(404);
    expect((await as(op.body.token!, 'GET', '/stores')).status).toBe(200);
    expect((await as(admin, 'POST', `/tokens/${op.body.tokenId}/revoke`)).status).toBe(200);

    const log = await as(admin, 'GET', '/audit?limit=100');
    expect(log.status).toBe(200);
    const entries = (log.body as unknown as { entries: Entry[] }).entries;
    expect(entries.map((e) => [e.action, e.tokenName, e.role, e.target, e.storeId])).toEqual([
      ['store.created', 'bootstrap admin token', 'admin', 'north', 'north'],
      ['enrollment_code.issued', 'bootstrap admin token', 'admin', 'north', 'north'],
      ['enrollment_code.issued', 'bootstrap admin token', 'admin', 'north', 'north'], // the one enrol() trades
      ['device.revoked', 'bootstrap admin token', 'admin', device.deviceId, 'north'],
      ['item.changed', 'bootstrap admin token', 'admin', 'SKU-1', null],
      ['erp_settings.changed', 'bootstrap admin token', 'admin', 'north', 'north'],
      ['token.created', 'bootstrap admin token', 'admin', `${op.body.tokenId} (night operator, operator)`, null],
      ['store.created', 'night operator', 'operator', 'south', 'south'],
      ['token.revoked', 'bootstrap admin token', 'admin', op.body.tokenId, null],
    ]);
    expect(entries[0]!.correlationId).toBe('script-1');
    expect(entries[7]!.tokenId).toBe(op.body.tokenId);
    expect(entries.every((e) => e.sourceAddress === '127.0.0.1')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain(op.body.token);

    // Filters and paging.
    const north = await as(admin, 'GET', '/audit?storeId=north');
    expect((north.body as unknown as { entries: Entry[] }).entries.map((e) => e.action)).toEqual(['store.created', 'enrollment_code.issued', 'enrollment_code.issued', 'device.revoked', 'erp_settings.changed']);
    const created = await as(admin, 'GET', '/audit?action=store.created&limit=1');
    const page1 = created.body as unknown as { entries: Entry[]; nextAfter: number };
    expect(page1.entries.map((e) => e.storeId)).toEqual(['north']);
    const page2 = (await as(admin, 'GET', `/audit?action=store.created&after=${page1.nextAfter}`)).body as unknown as { entries: Entry[]; nextAfter: number | null };
    expect(page2.entries.map((e) => e.storeId)).toEqual(['south']);
    expect(page2.nextAfter).toBeNull();

    // Only admin reads it; the table refuses edits even to the database owner.
    const viewer = await as(admin, 'POST', '/tokens', { name: 'v', role: 'viewer' });
    expect((await as(viewer.body.token!, 'GET', '/audit')).status).toBe(403);
    const db = new pg.Client({ connectionString: tc.dbUrl });
    await db.connect();
    try {
      await expect(db.query(`UPDATE audit_log SET token_name = 'someone else'`)).rejects.toThrow(/append-only/);
      await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    } finally {
      await db.end();
    }
  });
});
