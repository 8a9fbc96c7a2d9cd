import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adminTokenNotice, ConfigError, limitsFromEnv, loadAdminToken, parseStartArgs, resolveAdminToken } from './config.js';
import { socketBufferSize } from './sync/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('config', () => {
  it('has the documented defaults', () => {
    const c = parseStartArgs([], {});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: null, erp: 'ledger' });
    expect(c.limits).toEqual({ maxBatchEvents: 1000, maxBatchBytes: 1_048_576, maxInFlight: 4 });
    expect(c.dataDir).toMatch(/\.data[/\\]central$/);
    expect(c.tokenMaxAgeMs).toBe(90 * 86_400_000);
    expect(parseStartArgs([], { OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS: '7' }).tokenMaxAgeMs).toBe(7 * 86_400_000);
    expect(() => parseStartArgs([], { OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS: '0' })).toThrow(/OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS/);
  });
  it('reads flags and env; the flag wins over DATABASE_URL', () => {
    const env = { DATABASE_URL: 'postgres://env', OUTPOST_MAX_BATCH_EVENTS: '50', OUTPOST_FAULT: 'central.crashBeforeCommit=2' };
    const c = parseStartArgs(['--port', '9000', '--data-dir', '/tmp/x', '--database-url', 'postgres://flag'], env);
    expect(c).toMatchObject({ port: 9000, dataDir: '/tmp/x', databaseUrl: 'postgres://flag', faults: { crashBeforeCommit: 2 } });
    expect(c.limits.maxBatchEvents).toBe(50);
    expect(parseStartArgs([], env).databaseUrl).toBe('postgres://env');
  });
  it('refuses unknown connectors, connectors without their settings, and bad numbers with a clear message', () => {
    expect(() => parseStartArgs(['--erp', 'tryton'], {})).toThrow(/OUTPOST_TRYTON_URL is required with --erp tryton/);
    expect(() => parseStartArgs(['--erp', 'webhook'], { OUTPOST_ERP_WEBHOOK_URL: 'http://x' })).toThrow(/OUTPOST_ERP_WEBHOOK_SECRET/);
    expect(() => parseStartArgs(['--erp', 'sap'], {})).toThrow(ConfigError);
    expect(() => parseStartArgs([], { OUTPOST_ERP_SUMMARY_CUTOFF: '25:00' })).toThrow(/HH:MM/);
    const hook = parseStartArgs(['--erp', 'webhook'], { OUTPOST_ERP_WEBHOOK_URL: 'http://x', OUTPOST_ERP_WEBHOOK_SECRET: 's', OUTPOST_ERP_RETRY_BASE_MS: '50' });
    expect(hook.erp).toBe('webhook');
    expect(hook.erpSettings).toMatchObject({ webhook: { url: 'http://x', secret: 's' }, worker: { retryBaseMs: 50 } });
    expect(parseStartArgs([], { OUTPOST_ERP: 'webhook', OUTPOST_ERP_WEBHOOK_URL: 'http://x', OUTPOST_ERP_WEBHOOK_SECRET: 's' }).erp).toBe('webhook');
    expect(() => limitsFromEnv({ OUTPOST_MAX_IN_FLIGHT: '0' })).toThrow(/OUTPOST_MAX_IN_FLIGHT/);
  });
  it('sizes the socket frame limit above the batch limit', () => {
    expect(socketBufferSize({ maxBatchBytes: 1000, maxBatchEvents: 1, maxInFlight: 1 })).toBeGreaterThan(1000 * 2);
  });
  it('makes an admin token once (mode 600) and reuses it; the env var wins', () => {
    const dir = mkdtempSync(join(tmpdir(), 'central-cfg-'));
    dirs.push(dir);
    const t1 = resolveAdminToken({}, dir);
    expect(t1.length).toBeGreaterThanOrEqual(32);
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(resolveAdminToken({}, dir)).toBe(t1);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(t1);
    expect(resolveAdminToken({ OUTPOST_ADMIN_TOKEN: 'from-env' }, dir)).toBe('from-env');
  });
  it('shows the admin token only when central made it, never one from the environment', () => {
    const dir = mkdtempSync(join(tmpdir(), 'central-cfg-'));
    dirs.push(dir);
    const first = loadAdminToken({}, dir);
    expect(first.origin).toBe('generated');
    expect(adminTokenNotice(first.origin, first.token, dir)).toContain(first.token);
    const again = loadAdminToken({}, dir);
    expect(again).toEqual({ token: first.token, origin: 'file' });
    expect(adminTokenNotice(again.origin, again.token, dir)).not.toContain(first.token);
    const env = loadAdminToken({ OUTPOST_ADMIN_TOKEN: 'secret-from-env' }, dir);
    expect(env).toEqual({ token: 'secret-from-env', origin: 'env' });
    expect(adminTokenNotice(env.origin, env.token, dir)).not.toContain('secret-from-env');
  });
});
