import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildHttpBase } from './http-api.js';
import { silentLogger } from './log.js';
import { EnrolmentError, UI_DIR, registerUiRoutes, uiAssetPath, type DeviceInfo, type UiRoutesOptions } from './ui-routes.js';
import { http, json } from './testing/http.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
});

const DEVICE: DeviceInfo = { storeId: 'store-1', deviceId: '01890a5d-ac96-774b-bcce-b302099a8057', deviceName: 'Till 1', currency: 'EUR', centralUrl: 'http://c:8080' };

async function serve(o: UiRoutesOptions): Promise<{ url: string; port: number }> {
  const app = buildHttpBase({ loopbackOnly: true, apiKey: null, log: silentLogger });
  registerUiRoutes(app, o);
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const port = (app.server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port };
}

/** The path exactly as written: fetch and URL would normalise `..` away before it reached the server. */
function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('associate UI routes', () => {
  it('serves the page and its modules with their content types and a same-origin-only policy', async () => {
    const { url } = await serve({ device: DEVICE, enroll: null });
    const page = await http(`${url}/`, 'GET');
    expect(page.status).toBe(200);
    expect(page.type).toBe('text/html; charset=utf-8');
    expect(String(page.body)).toContain('<script type="module" src="/ui/js/main.js">');
    const res = await fetch(`${url}/`);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await http(`${url}/ui/js/main.js`, 'GET')).type).toBe('text/javascript; charset=utf-8');
    expect((await http(`${url}/ui/app.css`, 'GET')).type).toBe('text/css; charset=utf-8');
  });

  it('never serves outside the UI folder, nor its type declarations and tests', async () => {
    const { url, port } = await serve({ device: DEVICE, enroll: null });
    for (const path of ['/ui/../core/engine.ts', '/ui/%2e%2e/core/engine.ts', '/ui/..%2fcore%2fengine.ts', '/ui/js/../../core/config.ts', '/ui//etc/passwd', '/ui/%2fetc%2fpasswd']) {
      expect(await rawGet(port, path), path).toBe(404);
    }
    for (const path of ['/ui/js/money.d.ts', '/ui/js/money.test.ts', '/ui/js/', '/ui/nope.js', '/ui/.hidden.js']) {
      const r = await http(`${url}${path}`, 'GET');
      expect(r.status, path).toBe(404);
      expect(r.body).toMatchObject({ error: { code: 'not_found' } });
    }
    expect(uiAssetPath('js/main.js')).toBe(`${UI_DIR}js/main.js`);
    expect(uiAssetPath('js/../../core/engine.js')).toBeNull();
    expect(uiAssetPath('js\\..\\x.js')).toBeNull();
  });

  it('keeps the loopback Host rule for the page too', async () => {
    const { url } = await serve({ device: DEVICE, enroll: null });
    const r = await http(`${url}/`, 'GET', { headers: { host: 'evil.example:80' } });
    expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden_host' } } });
  });

  it('enrolled: says who it is, without the token, and refuses a second enrolment', async () => {
    const { url } = await serve({ device: DEVICE, enroll: null });
    expect((await http(`${url}/api/v1/enrolment`, 'GET')).body).toEqual({ enrolled: true, ...DEVICE });
    const again = await http(`${url}/api/v1/enroll`, 'POST', json({ central: 'http://c:8080', code: 'X', deviceName: 'T' }));
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'already_enrolled' } } });
  });

  it('set-up: validates the enrolment form with messages a person can act on, and passes refusals through', async () => {
    const seen: unknown[] = [];
    const { url } = await serve({
      device: null,
      enroll: async (req) => {
        seen.push(req);
        if (req.code === 'USED') throw new EnrolmentError(422, 'enrolment_refused', 'central refused the enrolment: ask central IT for a new code');
        return DEVICE;
      },
    });
    expect((await http(`${url}/api/v1/enrolment`, 'GET')).body).toEqual({ enrolled: false });
    const bad = await http(`${url}/api/v1/enroll`, 'POST', json({ central: 'ftp://x', code: ' ', deviceName: 'T' }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: { code: 'validation_error', message: expect.stringMatching(/central: .*http:\/\/.*; code: type the enrolment code/) } });
    const form = await http(`${url}/api/v1/enroll`, 'POST', { body: 'central=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(415);
    const refused = await http(`${url}/api/v1/enroll`, 'POST', json({ central: 'http://c:8080', code: 'USED', deviceName: 'Till 1' }));
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'enrolment_refused', message: expect.stringContaining('new code') } } });
    const ok = await http(`${url}/api/v1/enroll`, 'POST', json({ central: 'http://c:8080', code: ' GOOD ', deviceName: 'Till 1', currency: 'SEK' }));
    expect(ok).toMatchObject({ status: 201, body: { enrolled: true, storeId: 'store-1' } });
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual({ central: 'http://c:8080', code: 'GOOD', deviceName: 'Till 1', currency: 'SEK' });
  });
});
