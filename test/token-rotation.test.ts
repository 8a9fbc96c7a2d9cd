import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { RawAgent } from './support/raw-agent.js';
import { waitFor } from './support/wait.js';

function storedToken(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as { token: string }).token;
}

/** The handshake answer central gives `token`: 'connected' or the refusal code. */
async function handshake(central: CentralHandle, dev: { storeId: string; deviceId: string }, token: string): Promise<string> {
  const raw = new RawAgent(central.url, token, dev.storeId, dev.deviceId);
  try {
    await raw.connected();
    return 'connected';
  } catch (err) {
    return String((err as { data?: { code?: string } }).data?.code ?? (err as Error).message);
  } finally {
    raw.close();
  }
}

async function expectOnce(central: CentralHandle, storeId: string, ids: string[]): Promise<void> {
  const events = await allEvents(central, storeId);
  expect(events).toHaveLength(ids.length);
  expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(ids));
  expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
}

describe('device token rotation between real processes', () => {
  const { fx, dbUrl } = e2eContext();

  it('a device rotated while online keeps syncing; sales before and after reach central once; the old token is refused', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    const dev = await enrollAgent(central, 'store-rot', dataDir);
    const agent = await startAgent(fx, { dataDir });
    const before = await captureMany(agent, 30);
    await waitDrained(agent, 'sales before the rotation');

    expect((await central.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    await waitFor(() => storedToken(dataDir) !== dev.token, { what: 'agent.json holds the new token' });
    await waitFor(async () => (await handshake(central, dev, dev.token)) === 'unauthorized', { what: 'old token refused' });

    const after = await captureMany(agent, 30, { start: 30 });
    await waitDrained(agent, 'sales after the rotation');
    // A restart reads the rotated token from agent.json and connects with it.
    await agent.proc.stop();
    const again = await startAgent(fx, { dataDir });
    const more = await captureMany(again, 5, { start: 60 });
    await waitDrained(again, 'sales after a restart');
    await expectOnce(central, 'store-rot', [...before.captured, ...after.captured, ...more.captured].map((c) => c.eventId));
    expect(await handshake(central, dev, dev.token)).toBe('unauthorized');
  });

  it('agent killed -9 after storing a new token, before its ack: the restart connects and syncs; the old token is refused', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    const dev = await enrollAgent(central, 'store-kill', dataDir);
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_FAULT: 'agent.crashAfterTokenStored=1' } });
    const before = await captureMany(agent, 20);
    await waitDrained(agent, 'sales before the rotation');

    expect((await central.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    const exit = await agent.proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    const fresh = storedToken(dataDir);
    expect(fresh).not.toBe(dev.token);
    // Never acked: central still takes either token until one of them confirms the new one.
    expect(await handshake(central, dev, dev.token)).toBe('connected');

    const back = await startAgent(fx, { dataDir });
    const after = await captureMany(back, 20, { start: 20 });
    await waitDrained(back, 'sales after the crash');
    expect(await handshake(central, dev, dev.token)).toBe('unauthorized');
    expect(storedToken(dataDir)).toBe(fresh);
    await expectOnce(central, 'store-kill', [...before.captured, ...after.captured].map((c) => c.eventId));
  });

  it('OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS: a token older than that is rotated when the agent says hello', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: { OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS: '30' } });
    const dataDir = fx.tempDir('outpost-agent-');
    const dev = await enrollAgent(central, 'store-age', dataDir);
    const db = new pg.Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      await db.query(`UPDATE devices SET token_issued_at = now() - interval '31 days' WHERE device_id = $1`, [dev.deviceId]);
    } finally {
      await db.end();
    }
    const agent = await startAgent(fx, { dataDir });
    await waitFor(() => storedToken(dataDir) !== dev.token, { what: 'aged token rotated' });
    await waitFor(async () => (await handshake(central, dev, dev.token)) === 'unauthorized', { what: 'old token refused' });
    const { captured } = await captureMany(agent, 10);
    await waitDrained(agent);
    await expectOnce(central, 'store-age', captured.map((c) => c.eventId));
  });
});
