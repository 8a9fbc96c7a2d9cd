import { afterEach, describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { RawAgent } from './support/raw-agent.js';
import { captureMany } from './support/capture.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait.js';

describe('who may send what', () => {
  const { fx, dbUrl } = e2eContext();
  const raws: RawAgent[] = [];
  afterEach(() => {
    for (const r of raws.splice(0)) r.close();
  });

  it("refuses a token of store A sending store B's events, and stores nothing of that batch", async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const a = await enrollAgent(central, 'store-a', fx.tempDir());
    const b = await enrollAgent(central, 'store-b', fx.tempDir());
    const raw = new RawAgent(central.url, a.token, a.storeId, a.deviceId);
    raws.push(raw);
    await raw.connected();

    // Claiming to be store B in hello is refused outright.
    const liar = await raw.hello({ storeId: 'store-b', deviceId: b.deviceId });
    expect(liar).toMatchObject({ ok: false, error: { code: 'wrong_store' } });

    expect(await raw.hello()).toMatchObject({ ok: true, storedSeq: 0 });
    const ack = await raw.batch(1, [raw.sale(1), raw.sale(2, { storeId: 'store-b', deviceId: b.deviceId })]);
    expect(ack).toMatchObject({ ok: false, error: { code: 'wrong_store' } });
    expect(await allEvents(central, 'store-a')).toHaveLength(0);
    expect(await allEvents(central, 'store-b')).toHaveLength(0);

    // The connection survives and an honest batch is then stored.
    expect(await raw.batch(1, [raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1, stored: 1 });
  });

  it('refuses unknown and revoked tokens; a revoked agent shows why and keeps its outbox', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir();
    const a = await enrollAgent(central, 'store-r', dataDir);

    const stranger = new RawAgent(central.url, 'x'.repeat(43), 'store-r', a.deviceId);
    raws.push(stranger);
    await expect(stranger.connected()).rejects.toMatchObject({ data: { code: 'unauthorized' } });

    const agent = await startAgent(fx, { dataDir });
    await waitFor(async () => (await agentStatus(agent)).online, { what: 'agent online' });
    const rev = await central.api.post(`/devices/${a.deviceId}/revoke`);
    expect(rev.status).toBe(200);
    const refused = await waitFor(async () => {
      const s = await agentStatus(agent);
      return !s.online && s.lastError && /revoked/i.test(s.lastError) ? s : null;
    }, { what: 'agent to be disconnected and show the revocation' });
    expect(refused.online).toBe(false);

    // Capture still works while refused: the store keeps selling, nothing is dropped.
    await captureMany(agent, 20);
    expect((await agentStatus(agent)).pendingUp).toBe(20);
    expect(await allEvents(central, 'store-r')).toHaveLength(0);

    const revoked = new RawAgent(central.url, a.token, a.storeId, a.deviceId);
    raws.push(revoked);
    await expect(revoked.connected()).rejects.toMatchObject({ data: { code: 'revoked' } });

    // Without the admin token, the admin API refuses with the JSON error shape.
    const anon = await request('POST', `${central.url}/api/v1/devices/${a.deviceId}/revoke`);
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('refuses an oversize batch with a clear error; the connection survives and an agent adapts its batches', async () => {
    const limits = { OUTPOST_MAX_BATCH_BYTES: '16384', OUTPOST_MAX_BATCH_EVENTS: '100' };
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: limits });
    const a = await enrollAgent(central, 'store-s', fx.tempDir());
    const dataDirT = fx.tempDir();
    await enrollAgent(central, 'store-t', dataDirT);

    const raw = new RawAgent(central.url, a.token, a.storeId, a.deviceId);
    raws.push(raw);
    await raw.connected();
    const hello = await raw.hello();
    expect(hello).toMatchObject({ ok: true, limits: { maxBatchBytes: 16384, maxBatchEvents: 100 } });
    const big = Array.from({ length: 60 }, (_, i) => raw.sale(i + 1));
    const tooBig = await raw.batch(1, big);
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'batch_too_large', details: { maxBatchBytes: 16384 } } });
    if (!tooBig.ok) expect(tooBig.error.message).toMatch(/bytes|size|large/i);
    const tooMany = await raw.batch(1, Array.from({ length: 101 }, (_, i) => raw.sale(i + 1)));
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'batch_too_large' } });
    expect(raw.socket.connected).toBe(true);
    expect(await raw.batch(1, big.slice(0, 10))).toMatchObject({ ok: true, storedSeq: 10 });

    // A real agent configured for much larger batches drains through the small bound without losing anything.
    const agent = await startAgent(fx, { dataDir: dataDirT, env: { OUTPOST_BATCH_BYTES: '4194304', OUTPOST_BATCH_EVENTS: '5000' } });
    await captureMany(agent, 400);
    await waitDrained(agent, 'agent to drain through small batches');
    expect(await allEvents(central, 'store-t')).toHaveLength(400);
  });
});
