import http from 'node:http';
import { io } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AGENT_NAMESPACE, PROTOCOL_VERSION } from '@outpost/shared';
import { request } from '../../../../test/support/http.js';
import { enrol, startTestCentral, TEST_ADMIN_TOKEN, type TestCentral } from '../../../../test/support/central.js';

const LIMITS = { windowMs: 600_000, enrollPerAddress: 10, authFailuresPerAddress: 20, requestsPerToken: 1_000_000 };

/** One JSON request from a chosen loopback source address (the whole 127/8 is the machine's own). */
function fromAddress(localAddress: string, method: string, url: string, opts: { body?: unknown; token?: string } = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const data = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = http.request(
      url,
      {
        method,
        localAddress,
        headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? (JSON.parse(text) as never) : ({} as never) }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** The outcome of one socket handshake from a chosen source address: connected, or the refusal's message. */
function handshake(url: string, token: string, localAddress: string): Promise<{ ok: boolean; message: string; code: string | null }> {
  return new Promise((resolve) => {
    // engine.io hands `localAddress` to the ws client; socket.io-client's types do not list it.
    const bind = { localAddress };
    const s = io(url + AGENT_NAMESPACE, { auth: { token, protocolVersion: PROTOCOL_VERSION }, transports: ['websocket'], reconnection: false, forceNew: true, ...bind });
    s.on('connect', () => {
      s.close();
      resolve({ ok: true, message: '', code: null });
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      s.close();
      resolve({ ok: false, message: err.message, code: err.data?.code ?? null });
    });
  });
}

describe('rate limits', () => {
  let tc: TestCentral | null = null;
  afterEach(async () => {
    await tc?.close();
    tc = null;
  });

  it('1,000 wrong enrolment codes from one address are refused with 429 long before the end; a right code from another address still works', async () => {
    tc = await startTestCentral({ rateLimits: LIMITS });
    const created = await tc.api.post<{ enrollmentCode: string }>('/stores', { storeId: 'north', name: 'North' });
    const statuses: number[] = [];
    let retryAfter: string | undefined;
    for (let i = 0; i < 1000; i++) {
      const r = await fromAddress('127.0.0.1', 'POST', `${tc.url}/api/v1/enroll`, { body: { code: `WRNG-${String(i).padStart(4, '0')}-AAAA-BBBB`, deviceName: 'guesser' } });
      statuses.push(r.status);
      if (r.status === 429) {
        retryAfter ??= r.headers['retry-after'];
        expect(r.body.error?.code).toBe('rate_limited');
      }
    }
    const first429 = statuses.indexOf(429);
    expect(first429).toBe(LIMITS.enrollPerAddress);
    expect(statuses.slice(0, first429).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first429).every((s) => s === 429)).toBe(true);
    expect(Number(retryAfter)).toBeGreaterThan(0);

    // Even the right code from the limited address waits; from another address it works.
    expect((await fromAddress('127.0.0.1', 'POST', `${tc.url}/api/v1/enroll`, { body: { code: created.body.enrollmentCode, deviceName: 'till-1' } })).status).toBe(429);
    const ok = await fromAddress('127.0.0.2', 'POST', `${tc.url}/api/v1/enroll`, { body: { code: created.body.enrollmentCode, deviceName: 'till-1' } });
    expect(ok.status).toBe(200);
    expect(ok.body.storeId).toBe('north');
  });

  it('wrong tokens slow the address down (the admin token too, from there); other addresses are not affected', async () => {
    tc = await startTestCentral({ rateLimits: LIMITS });
    const statuses: number[] = [];
    for (let i = 0; i < 100; i++) statuses.push((await fromAddress('127.0.0.4', 'GET', `${tc.url}/api/v1/stores`, { token: `guess-${i}-xxxxxxxxxxxxxxxx` })).status);
    expect(statuses.indexOf(429)).toBe(LIMITS.authFailuresPerAddress);
    expect(statuses.slice(LIMITS.authFailuresPerAddress).every((s) => s === 429)).toBe(true);
    const blocked = await fromAddress('127.0.0.4', 'GET', `${tc.url}/api/v1/stores`, { token: TEST_ADMIN_TOKEN });
    expect(blocked.status).toBe(429);
    expect(blocked.headers['retry-after']).toMatch(/^\d+$/);
    expect((await fromAddress('127.0.0.5', 'GET', `${tc.url}/api/v1/stores`, { token: TEST_ADMIN_TOKEN })).status).toBe(200);
    // Requests without any token guess nothing and are not counted.
    for (let i = 0; i < 30; i++) expect((await request('GET', `${tc.url}/api/v1/stores`)).status).toBe(401);
    expect((await tc.api.get('/stores')).status).toBe(200);
  });

  it('socket handshakes with unknown tokens are limited per address the same way', async () => {
    tc = await startTestCentral({ rateLimits: LIMITS });
    const device = await enrol(tc, 'north');
    const outcomes = [];
    for (let i = 0; i < 40; i++) outcomes.push(await handshake(tc.url, `not-a-device-token-${i}-xxxxxxxx`, '127.0.0.6'));
    expect(outcomes.slice(0, LIMITS.authFailuresPerAddress).every((o) => !o.ok && o.code === 'unauthorized')).toBe(true);
    expect(outcomes.slice(LIMITS.authFailuresPerAddress).every((o) => !o.ok && /too many failed handshakes/.test(o.message))).toBe(true);
    expect(await handshake(tc.url, device.token, '127.0.0.6')).toMatchObject({ ok: false, message: expect.stringMatching(/too many/) });
    expect(await handshake(tc.url, device.token, '127.0.0.7')).toMatchObject({ ok: true });
  });
});
