import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { OUTPOST_VERSION, UUID_RE, uuidv7Time } from '@outpost/shared';
import { request, client } from '../../../../../test/support/http.js';
import { RawAgent } from '../../../../../test/support/raw-agent.js';
import { expectHouseShapedEdgeErrors } from '../../../../../test/support/edge-errors.js';
import { enrol, startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../../test/support/central.js';

interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

describe('central HTTP API', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    tc = await startTestCentral();
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await tc.close();
  });

  it('enrols: a store, a single-use code traded for a device token, another code for a second device', async () => {
    const created = await tc.api.post<{ storeId: string; enrollmentCode: string }>('/stores', { storeId: 'store-1', name: 'Leeds' });
    expect(created.status).toBe(201);
    expect(created.body.storeId).toBe('store-1');
    const anon = client(`${tc.url}/api/v1`);

    const enrolled = await anon.post<{ storeId: string; deviceId: string; token: string }>('/enroll', { code: created.body.enrollmentCode, deviceName: 'till 1' });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body.storeId).toBe('store-1');
    expect(enrolled.body.deviceId).toMatch(UUID_RE);
    expect(enrolled.body.deviceId[14]).toBe('7'); // UUIDv7
    expect(Math.abs(uuidv7Time(enrolled.body.deviceId) - Date.now())).toBeLessThan(24 * 3600_000);
    expect(enrolled.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const again = await anon.post<ErrorBody>('/enroll', { code: created.body.enrollmentCode, deviceName: 'till 2' });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_enrollment_code');
    const bogus = await anon.post<ErrorBody>('/enroll', { code: 'NOPE-NOPE-NOPE-NOPE', deviceName: 'x' });
    expect(bogus.status).toBe(401);
    expect(bogus.body).toMatchObject({ error: { code: 'invalid_enrollment_code', message: expect.any(String) } });

    const dup = await tc.api.post<ErrorBody>('/stores', { storeId: 'store-1', name: 'Again' });
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('store_exists');
    const unknown = await tc.api.post<ErrorBody>('/stores/nowhere/enrollment-codes');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');

    const second = await enrol(tc, 'store-1', { createStore: false });
    expect(second.deviceId).not.toBe(enrolled.body.deviceId);

    const fleet = await tc.api.get<{ items: { storeId: string; online: boolean; devices: { deviceId: string; ackedSeq: number; online: boolean; revokedAt: string | null }[] }[]; next: string | null }>('/stores');
    expect(fleet.status).toBe(200);
    expect(fleet.body.items).toHaveLength(1);
    expect(fleet.body.items[0]!.devices.map((d) => d.deviceId).sort()).toEqual([enrolled.body.deviceId, second.deviceId].sort());
    expect(fleet.body.items[0]!.devices.every((d) => d.ackedSeq === 0 && !d.online && d.revokedAt === null)).toBe(true);

    const revoked = await tc.api.post<{ deviceId: string; revokedAt: string }>(`/devices/${second.deviceId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(Date.parse(revoked.body.revokedAt)).not.toBeNaN();
    expect((await tc.api.post(`/devices/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/revoke`)).status).toBe(404);
  });

  it('pages GET /stores by storeId', async () => {
    for (const id of ['s-a', 's-b', 's-c']) expect((await tc.api.post('/stores', { storeId: id, name: id })).status).toBe(201);
    const p1 = await tc.api.get<{ items: { storeId: string }[]; next: string | null }>('/stores?limit=2');
    expect(p1.body.items.map((s) => s.storeId)).toEqual(['s-a', 's-b']);
    // The cursor is opaque (it carries the sort value and the store id); passed back it continues the list.
    expect(p1.body.next).toEqual(expect.any(String));
    const p2 = await tc.api.get<{ items: { storeId: string }[]; next: string | null }>(`/stores?limit=2&after=${encodeURIComponent(p1.body.next!)}`);
    expect(p2.body).toEqual({ items: [expect.objectContaining({ storeId: 's-c' })], next: null });
  });

  it('refuses the admin API without the admin token, with the JSON error shape; health needs none', async () => {
    const none = await request<ErrorBody>('GET', `${tc.url}/api/v1/stores`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ error: { code: 'unauthorized', message: expect.any(String) } });
    const wrong = await request<ErrorBody>('POST', `${tc.url}/api/v1/stores`, { token: TEST_ADMIN_TOKEN + 'x', body: { storeId: 'x', name: 'x' } });
    expect(wrong.status).toBe(401);
    expect((await tc.api.get('/stores')).status).toBe(200);
    expect(await request('GET', `${tc.url}/healthz`)).toEqual({ status: 200, body: { status: 'ok', version: OUTPOST_VERSION } });
    expect(await request('GET', `${tc.url}/readyz`)).toEqual({ status: 200, body: { status: 'ready' } });
  });

  it('answers bad input with 400 and the zod issues, unknown routes with 404, wrong media types with 415', async () => {
    const bad = await tc.api.post<ErrorBody>('/stores', { storeId: 'not ok!', name: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    const details = bad.body.error.details as { path: string; message: string }[];
    expect(details.map((d) => d.path).sort()).toEqual(['name', 'storeId']);
    expect(details.find((d) => d.path === 'storeId')!.message).toMatch(/letters, digits/);

    const tooMany = await tc.api.get<ErrorBody>('/events?limit=5000');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.code).toBe('validation_failed');
    const badPrice = await tc.api.put<ErrorBody>('/items/SKU-1', { name: 'Mug', price: 4.5, currency: 'EUR' });
    expect(badPrice.status).toBe(400);
    expect(JSON.stringify(badPrice.body.error.details)).toMatch(/price/);

    const missing = await tc.api.get<ErrorBody>('/nothing-here');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');

    const text = await fetch(`${tc.url}/api/v1/stores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'text/plain' },
      body: 'storeId=x',
    });
    expect(text.status).toBe(415);
    expect(((await text.json()) as ErrorBody).error.code).toBe('unsupported_media_type');
    const broken = await fetch(`${tc.url}/api/v1/stores`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: '{"storeId":',
    });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as ErrorBody).error.code).toBe('bad_request');
    const huge = await tc.api.post<ErrorBody>('/stores', { storeId: 'big', name: 'x'.repeat(2_000_000) });
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
  });

  it("answers the framework's own URL and header errors in the house shape", async () => {
    await expectHouseShapedEdgeErrors(tc.url, (p) => `/api/v1/items/${p}`, (p) => `/api/v1/items/${p}`);
  });

  it('versions items: PUT creates v1 then v2, GET reads it back, an unknown sku is 404', async () => {
    const v1 = await tc.api.put<{ sku: string; version: number; price: number }>('/items/SKU-1', { name: 'Mug', price: 450, currency: 'EUR' });
    expect(v1).toMatchObject({ status: 200, body: { sku: 'SKU-1', name: 'Mug', price: 450, currency: 'EUR', version: 1 } });
    const v2 = await tc.api.put('/items/SKU-1', { name: 'Mug', price: 500, currency: 'EUR' });
    expect(v2.body).toMatchObject({ version: 2, price: 500 });
    expect((await tc.api.get('/items/SKU-1')).body).toMatchObject({ version: 2, price: 500, updatedAt: expect.any(String) });
    expect((await tc.api.get<ErrorBody>('/items/NOPE')).status).toBe(404);
  });

  it('pages GET /events in arrival order with a next cursor, filtered by store and type', async () => {
    const a = await enrol(tc, 'store-ev');
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    raws.push(raw);
    await raw.connected();
    expect(await raw.hello()).toMatchObject({ ok: true });
    const sent = [1, 2, 3, 4, 5].map((s) => raw.sale(s));
    expect(await raw.batch(1, sent)).toMatchObject({ ok: true, storedSeq: 5, stored: 5 });

    const seen: { eventId: string; seq: number; receivedAt: string; payload: unknown }[] = [];
    const pages: (string | null)[] = [];
    let after: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r: { status: number; body: { items: typeof seen; next: string | null } } = await tc.api.get(
        `/events?storeId=store-ev&limit=2${after ? `&after=${after}` : ''}`,
      );
      expect(r.status).toBe(200);
      seen.push(...r.body.items);
      pages.push(r.body.next);
      if (!r.body.next) break;
      after = r.body.next;
    }
    expect(pages).toHaveLength(3);
    expect(pages[2]).toBeNull();
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(seen.map((e) => e.eventId)).toEqual(sent.map((e) => e.eventId));
    expect(seen[0]).toMatchObject({ storeId: 'store-ev', deviceId: a.deviceId, type: 'sale.completed', payload: sent[0]!.payload });
    expect(new Date(seen[0]!.receivedAt).toISOString()).toBe(seen[0]!.receivedAt);

    expect((await tc.api.get<{ items: unknown[] }>('/events?storeId=other')).body.items).toHaveLength(0);
    expect((await tc.api.get<{ items: unknown[] }>('/events?type=day.closed')).body.items).toHaveLength(0);
    expect((await tc.api.get<{ items: unknown[]; next: null }>('/events?type=sale.completed')).body).toMatchObject({ next: null });
    expect((await tc.api.get<{ items: unknown[] }>('/events?type=sale.completed')).body.items).toHaveLength(5);
  });

  it('is not ready (503, JSON error) when its database is gone, while still alive', async () => {
    const admin = new pg.Client({ connectionString: tc.dbUrl.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${new URL(tc.dbUrl).pathname.slice(1)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const ready = await request<ErrorBody>('GET', `${tc.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.body.error.code).toBe('not_ready');
    expect((await request('GET', `${tc.url}/healthz`)).status).toBe(200);
  });

  it('serves the OpenAPI document with every route', async () => {
    const doc = await request<{ paths: Record<string, unknown> }>('GET', `${tc.url}/docs/json`);
    expect(doc.status).toBe(200);
    expect((await fetch(`${tc.url}/docs`)).status).toBe(200);
    for (const p of ['/healthz', '/readyz', '/api/v1/stores', '/api/v1/enroll', '/api/v1/events', '/api/v1/quarantine', '/api/v1/quarantine/{id}/replay', '/api/v1/items/{sku}', '/api/v1/devices/{deviceId}/revoke']) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
  });
});
