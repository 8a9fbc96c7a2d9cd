import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function central(opts: Parameters<typeof startTestCentral>[0]): Promise<TestCentral> {
  const tc = await startTestCentral(opts);
  closers.push(() => tc.close());
  return tc;
}

async function connected(tc: TestCentral, storeId: string): Promise<RawAgent> {
  const a = await enrol(tc, storeId);
  const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
  closers.push(() => raw.close());
  await raw.connected();
  return raw;
}

describe('agent gateway at fleet size', () => {
  it('answers a hello beyond its line "busy, retry after X" at once, and the same hello later succeeds', async () => {
    const tc = await central({ agentAdmission: { concurrency: 1, maxWaitingHellos: 0 } });
    const slow = await connected(tc, 'store-slow');
    const other = await connected(tc, 'store-other');
    // Hold the device row of the first agent, so its hello occupies the only slot until we let go.
    const locker = new pg.Client({ connectionString: tc.dbUrl });
    await locker.connect();
    closers.push(() => locker.end());
    await locker.query('BEGIN');
    await locker.query('SELECT 1 FROM devices WHERE device_id = $1 FOR UPDATE', [slow.deviceId]);
    const slowHello = slow.hello();
    await waitFor(async () => {
      const r = await locker.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()");
      return r.rows[0]!.n > 0;
    }, { what: 'the first hello to wait on the row lock' });

    const busy = await other.hello();
    expect(busy).toMatchObject({ ok: false, error: { code: 'retry_after', details: { retryAfterMs: expect.any(Number) } } });
    expect(other.socket.connected).toBe(true);

    await locker.query('COMMIT');
    expect(await slowHello).toMatchObject({ ok: true });
    expect(await other.hello()).toMatchObject({ ok: true });
  });

  it('re-checks every connected store for lost command notices with one query, not one per store', async () => {
    const tc = await central({ commandRecheckMs: 100 });
    const raws = [];
    for (let i = 0; i < 5; i++) raws.push(await connected(tc, `store-r${i}`));
    for (const r of raws) expect(await r.hello()).toMatchObject({ ok: true });
    const pool = tc.central.app.db.pool;
    const spy = vi.spyOn(pool, 'query');
    closers.push(() => spy.mockRestore());
    const sqlOf = (call: unknown[]) => (typeof call[0] === 'string' ? call[0] : ((call[0] as { text?: string }).text ?? ''));
    const count = (re: RegExp) => spy.mock.calls.filter((c) => re.test(sqlOf(c))).length;
    await waitFor(() => count(/FROM stores WHERE store_id = ANY/) >= 3, { what: 'three re-checks' });
    expect(count(/FROM commands WHERE store_id = \$1/)).toBe(0);
  });
});
