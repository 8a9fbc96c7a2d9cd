import { afterEach, describe, expect, it, vi } from 'vitest';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';
import { createStatusWriter } from './status-writer.js';

let tc: TestCentral | null = null;
afterEach(async () => {
  vi.restoreAllMocks();
  await tc?.close();
  tc = null;
});

describe('agent status writer', () => {
  it('writes the statuses of many agents received together in one statement, keeping each device’s latest', async () => {
    tc = await startTestCentral();
    const devices = [];
    for (let i = 0; i < 30; i++) devices.push((await enrol(tc, `st-${i}`)).deviceId);
    const pool = tc.central.app.db.pool;
    const errors: unknown[] = [];
    const writer = createStatusWriter(pool, (e) => errors.push(e));
    const spy = vi.spyOn(pool, 'query');
    for (const d of devices) writer.status(d, { pendingUp: 9, lastError: 'older', clockSkewMs: 5 });
    for (const d of devices) writer.status(d, { pendingUp: 0, lastError: null, diskFreeBytes: 1000 });
    writer.seen(devices[0]!);
    await writer.flushed();
    expect(errors).toEqual([]);
    expect(spy.mock.calls.filter((c) => typeof c[0] === 'string' && c[0].includes('UPDATE devices')).length).toBe(1);
    spy.mockRestore();
    const r = await pool.query<{ pending_up: number; last_error: string | null; clock_skew_ms: string | null; disk_free_bytes: string | null; seen: boolean }>(
      'SELECT pending_up, last_error, clock_skew_ms, disk_free_bytes, last_seen_at IS NOT NULL AS seen FROM devices WHERE device_id = ANY($1::uuid[])',
      [devices],
    );
    expect(r.rows).toHaveLength(30);
    // The newer report replaced the older one whole; a field it leaves out keeps what central knew.
    for (const row of r.rows) expect(row).toEqual({ pending_up: 0, last_error: null, clock_skew_ms: null, disk_free_bytes: '1000', seen: true });
  });

  it('a report arriving while a write runs goes out in the next write, not lost', async () => {
    tc = await startTestCentral();
    const { deviceId } = await enrol(tc, 'st-x');
    const pool = tc.central.app.db.pool;
    const writer = createStatusWriter(pool, () => undefined);
    writer.status(deviceId, { pendingUp: 5, lastError: null });
    await new Promise((r) => setImmediate(r)); // the first write has started
    writer.status(deviceId, { pendingUp: 2, lastError: 'disk low' });
    await writer.flushed();
    const r = await pool.query<{ pending_up: number; last_error: string | null }>('SELECT pending_up, last_error FROM devices WHERE device_id = $1', [deviceId]);
    expect(r.rows[0]).toEqual({ pending_up: 2, last_error: 'disk low' });
  });
});
