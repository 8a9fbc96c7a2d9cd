import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../../../../test/support/http.js';
import { startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../test/support/central.js';
import type { Role } from './roles.js';

const PUBLIC = new Set(['GET /healthz', 'GET /readyz', 'POST /api/v1/enroll', 'GET /', 'GET /console/*']);
const isPublic = (method: string, url: string) => PUBLIC.has(`${method} ${url}`) || url === '/docs' || url.startsWith('/docs/');

function concrete(url: string): string {
  return url
    .replace(/:deviceId|:tokenId/g, '0190a000-0000-7000-8000-000000000000')
    .replace(/:[A-Za-z]+/g, 'x1')
    .replace(/\*/g, 'x');
}

/**
 * What each role may do, written down here apart from the routes' own declarations (so a wrong declaration
 * fails): a rule over method and path, with a few named exceptions. A route added later falls under the rule.
 */
const ADMIN_ONLY = (m: string, u: string) => u.startsWith('/api/v1/tokens') || u === '/api/v1/audit' || (m === 'PUT' && u === '/api/v1/erp/stores/:storeId/settings');
const INTEGRATION = new Set(['POST /api/v1/reservations', 'GET /api/v1/reservations', 'GET /api/v1/reservations/:id', 'POST /api/v1/reservations/:id/cancel', 'GET /api/v1/inventory']);
function expectedAllowed(role: Role, m: string, u: string): boolean {
  if (role === 'admin') return true;
  if (u === '/api/v1/whoami') return true;
  if (ADMIN_ONLY(m, u)) return false;
  if (role === 'integration') return INTEGRATION.has(`${m} ${u}`);
  if (m === 'POST' && u === '/api/v1/reservations') return false; // placing reservations is the order system's
  if (role === 'viewer') return m === 'GET';
  return true; // operator: everything else
}

describe('roles against every route', () => {
  let tc: TestCentral;
  const tokens = new Map<Role, string>();
  beforeAll(async () => {
    tc = await startTestCentral();
    for (const role of ['admin', 'operator', 'viewer', 'integration'] as const) {
      const r = await tc.api.post<{ tokenId: string; token: string; role: string }>('/tokens', { name: `${role} token`, role });
      expect(r.status).toBe(201);
      expect(r.body.role).toBe(role);
      tokens.set(role, r.body.token);
    }
  });
  afterAll(async () => {
    await tc.close();
  });

  it('each role is let through or refused with a JSON 403 exactly as its role says, on every registered route', async () => {
    const routes = tc.central.app.metrics.routes().filter((r) => !isPublic(r.method, r.url));
    expect(routes.map((r) => `${r.method} ${r.url}`)).toEqual(expect.arrayContaining(['POST /api/v1/tokens', 'GET /api/v1/audit', 'GET /metrics', 'POST /api/v1/devices/:deviceId/revoke']));
    const wrong: string[] = [];
    for (const r of routes) {
      for (const [role, token] of tokens) {
        const body = ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined;
        const res = await request<{ error?: { code?: string; message?: string } }>(r.method, `${tc.url}${concrete(r.url)}`, { token, ...(body ? { body } : {}) });
        const allowed = expectedAllowed(role, r.method, r.url);
        const refused = res.status === 403 && res.body?.error?.code === 'forbidden' && typeof res.body.error.message === 'string';
        if (res.status === 401) wrong.push(`${role} ${r.method} ${r.url} → 401`);
        else if (allowed && res.status === 403) wrong.push(`${role} ${r.method} ${r.url} → 403, expected allowed`);
        else if (!allowed && !refused) wrong.push(`${role} ${r.method} ${r.url} → ${res.status} ${JSON.stringify(res.body).slice(0, 80)}, expected 403 forbidden`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('a viewer can scrape /metrics; an integration token cannot', async () => {
    const viewer = await fetch(`${tc.url}/metrics`, { headers: { authorization: `Bearer ${tokens.get('viewer')}` } });
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toMatch(/outpost_agents_connected/);
    const integration = await request('GET', `${tc.url}/metrics`, { token: tokens.get('integration')! });
    expect(integration.status).toBe(403);
  });

  it('tokens: listed without secrets, a revoked token gets 401 from the next request on, the bootstrap token still works', async () => {
    const made = await tc.api.post<{ tokenId: string; token: string }>('/tokens', { name: 'short-lived', role: 'operator' });
    expect(made.status).toBe(201);
    expect(made.body.token).toMatch(/^opt_[A-Za-z0-9_-]{43}$/);
    expect((await request('GET', `${tc.url}/api/v1/stores`, { token: made.body.token })).status).toBe(200);

    const list = await request<{ tokens: { tokenId: string; name: string; role: string; revokedAt: string | null }[] }>('GET', `${tc.url}/api/v1/tokens`, { token: TEST_ADMIN_TOKEN });
    expect(list.status).toBe(200);
    expect(list.body.tokens.find((t) => t.tokenId === made.body.tokenId)).toMatchObject({ name: 'short-lived', role: 'operator', revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);

    // An operator may not make tokens (no escalation to admin).
    const escalate = await request<{ error: { code: string } }>('POST', `${tc.url}/api/v1/tokens`, { token: made.body.token, body: { name: 'mine', role: 'admin' } });
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('forbidden');

    const revoked = await tc.api.post<{ revokedAt: string | null }>(`/tokens/${made.body.tokenId}/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const after = await request<{ error: { code: string } }>('GET', `${tc.url}/api/v1/stores`, { token: made.body.token });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await tc.api.get('/stores')).status).toBe(200);

    const unknownRole = await tc.api.post<{ error: { code: string } }>('/tokens', { name: 'x', role: 'root' });
    expect(unknownRole.status).toBe(400);
  });

  it('whoami names the caller and its role', async () => {
    const me = await request<{ role: string; name: string }>('GET', `${tc.url}/api/v1/whoami`, { token: tokens.get('viewer')! });
    expect(me.body).toMatchObject({ role: 'viewer', name: 'viewer token' });
    expect((await tc.api.get<{ tokenId: string }>('/whoami')).body.tokenId).toBe('bootstrap');
  });
});
