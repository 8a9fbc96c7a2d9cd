import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../../test/support/http.js';
import { startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../test/support/central.js';

/**
 * Routes anyone may call. Everything else central registers needs the admin token: the test walks the route
 * catalogue the app itself records, so a route added later is covered without touching this file.
 */
const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'POST /api/v1/enroll', 'GET /', 'GET /console/*']);
const isPublic = (method: string, url: string) => PUBLIC.has(`${method} ${url}`) || url === '/docs' || url.startsWith('/docs/');

/** A concrete URL for a route pattern: any value fits each parameter, since the token is checked first. */
function concrete(url: string): string {
  return url.replace(/:deviceId/g, '0190a000-0000-7000-8000-000000000000').replace(/:[A-Za-z]+/g, 'x1').replace(/\*/g, 'x');
}

describe('who may call what', () => {
  let tc: TestCentral;
  beforeAll(async () => {
    tc = await startTestCentral();
  });
  afterAll(async () => {
    await tc.close();
  });

  it('every registered route outside the public few refuses no token and a wrong token with a JSON 401', async () => {
    const routes = tc.central.app.metrics.routes();
    // The catalogue is the real one: it holds the routes of every part of central, the docs included.
    const names = routes.map((r) => `${r.method} ${r.url}`);
    for (const known of ['GET /api/v1/stores', 'POST /api/v1/quarantine/:id/replay', 'GET /api/v1/reports/sales-by-day', 'GET /metrics', 'GET /', 'GET /docs/json']) {
      expect(names).toContain(known);
    }
    const guarded = routes.filter((r) => !isPublic(r.method, r.url));
    expect(guarded.length).toBeGreaterThan(15);
    const leaks: string[] = [];
    for (const r of guarded) {
      const url = `${tc.url}${concrete(r.url)}`;
      const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined;
      for (const token of [undefined, 'not-the-admin-token']) {
        const res = await request<{ error?: { code?: string; message?: string } }>(r.method, url, { ...(token ? { token } : {}), ...(body ? { body } : {}) });
        if (res.status !== 401 || res.body?.error?.code !== 'unauthorized' || typeof res.body.error.message !== 'string') {
          leaks.push(`${r.method} ${r.url} (${token ? 'wrong token' : 'no token'}) → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it('every route except the docs themselves is in the OpenAPI document', async () => {
    const doc = await request<{ paths: Record<string, Record<string, unknown>> }>('GET', `${tc.url}/docs/json`);
    expect(doc.status).toBe(200);
    const missing = tc.central.app.metrics
      .routes()
      .filter((r) => !r.url.startsWith('/docs'))
      .filter((r) => {
        const path = r.url.replace(/:([A-Za-z]+)/g, '{$1}').replace(/\*$/, '{*}');
        return !doc.body.paths[path]?.[r.method.toLowerCase()];
      })
      .map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/api/v1/reports/ingest-rate', '/api/v1/reports/count-variance', '/metrics', '/']));
  });

  it('the console shell is public but holds no data; its files are served by name only, with their types', async () => {
    expect((await tc.api.post('/stores', { storeId: 'store-secret', name: 'Hidden' })).status).toBe(201);
    const shell = await fetch(`${tc.url}/`);
    expect(shell.status).toBe(200);
    expect(shell.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // Helmet's headers with a strict policy: own scripts and styles only, nothing inline, no framing.
    const csp = shell.headers.get('content-security-policy') ?? '';
    for (const d of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'none'"]) expect(csp).toContain(d);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(shell.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(shell.headers.get('referrer-policy')).toBe('no-referrer');
    expect(shell.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(shell.headers.get('cache-control')).toBe('no-cache');
    const html = await shell.text();
    expect(html).toMatch(/<form id="signin-form">/);
    expect(html).not.toMatch(/store-secret|Hidden/);
    expect(html).not.toContain(TEST_ADMIN_TOKEN);

    const js = await fetch(`${tc.url}/console/views/fleet.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await fetch(`${tc.url}/console/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');

    // Traversal: plain, encoded and double-encoded dot segments and slashes never leave the console's files.
    for (const path of ['/console/../app.ts', '/console/%2e%2e/app.ts', '/console/..%2fapp.ts', '/console/%252e%252e%252fapp.ts', '/console/views/../../routes/console.ts', '/console/', '/console/nope.js']) {
      const res = await fetch(`${tc.url}${path}`);
      const text = await res.text();
      expect(res.status, path).toBe(404);
      expect(text, path).not.toMatch(/import |buildApp/);
      expect(JSON.parse(text), path).toMatchObject({ error: { code: 'not_found' } });
    }
  });
});
