import { afterEach, describe, expect, it } from 'vitest';
import { tokenRotateSchema } from '@outpost/shared';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

type Answer = 'ack' | 'silent';

/** A raw agent that records each `token.rotate` it gets and acks it (or, to play a crash, never answers). */
function listen(raw: RawAgent, answer: Answer = 'ack'): string[] {
  const tokens: string[] = [];
  raw.socket.on('token.rotate', (msg: unknown, ack: (a: unknown) => void) => {
    tokens.push(tokenRotateSchema.parse(msg).token);
    if (answer === 'ack') ack({ ok: true });
  });
  return tokens;
}

/** The refusal code of a handshake with `token`, or 'connected'. */
async function handshake(tc: TestCentral, dev: { storeId: string; deviceId: string }, token: string): Promise<string> {
  const raw = new RawAgent(tc.url, token, dev.storeId, dev.deviceId);
  try {
    await raw.connected();
    return 'connected';
  } catch (err) {
    return String((err as { data?: { code?: string } }).data?.code);
  } finally {
    raw.close();
  }
}

describe('device token rotation', () => {
  const nodes: TestCentral[] = [];
  const raws: RawAgent[] = [];
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    for (const n of nodes.splice(0).reverse()) await n.close();
  });

  async function node(opts: Parameters<typeof startTestCentral>[0] = {}): Promise<TestCentral> {
    const n = await startTestCentral(opts);
    nodes.push(n);
    return n;
  }

  function agent(tc: TestCentral, dev: { storeId: string; deviceId: string }, token: string, protocolVersion?: number): RawAgent {
    const raw = new RawAgent(tc.url, token, dev.storeId, dev.deviceId, protocolVersion);
    raws.push(raw);
    return raw;
  }

  it('on demand while connected: the agent acks, the new token works and the old one is refused; audited', async () => {
    const tc = await node();
    const dev = await enrol(tc, 'store-rot');
    const raw = agent(tc, dev, dev.token);
    const got = listen(raw);
    await raw.connected();
    expect(await raw.hello()).toMatchObject({ ok: true });

    const r = await tc.api.post<{ deviceId: string; requestedAt: string }>(`/devices/${dev.deviceId}/rotate`);
    expect(r.status).toBe(202);
    expect(r.body.deviceId).toBe(dev.deviceId);
    await waitFor(() => got.length === 1, { what: 'token.rotate sent' });
    const fresh = got[0]!;
    expect(fresh).not.toBe(dev.token);
    // The ack confirms it: from then on only the new token opens a connection.
    await waitFor(async () => (await handshake(tc, dev, dev.token)) === 'unauthorized', { what: 'old token refused' });
    expect(await handshake(tc, dev, fresh)).toBe('connected');
    // The live connection keeps working (it proved itself at its handshake).
    const ack = await raw.batch(1, [raw.sale(1)]);
    expect(ack).toMatchObject({ ok: true, storedSeq: 1 });

    const audit = await tc.api.get<{ entries: { action: string; target: string }[] }>('/audit?action=device.token_rotated');
    expect(audit.body.entries.map((e) => [e.action, e.target])).toEqual([['device.token_rotated', dev.deviceId]]);
    // Neither token appears in the audit row.
    expect(JSON.stringify(audit.body)).not.toContain(fresh);
    expect(JSON.stringify(audit.body)).not.toContain(dev.token);
  });

  it('an agent that stored the new token and died before its ack connects with it; the old token is then refused', async () => {
    const tc = await node();
    const dev = await enrol(tc, 'store-crash');
    const raw = agent(tc, dev, dev.token);
    const got = listen(raw, 'silent');
    await raw.connected();
    expect(await raw.hello()).toMatchObject({ ok: true });
    expect((await tc.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    await waitFor(() => got.length === 1, { what: 'token.rotate sent' });
    raw.close(); // the "crash": no ack ever

    // Until confirmed, both tokens open a connection (the agent may hold either).
    expect(await handshake(tc, dev, dev.token)).toBe('connected');
    const back = agent(tc, dev, got[0]!);
    await back.connected(); // this handshake confirms the new token
    expect(await back.hello()).toMatchObject({ ok: true });
    expect(await handshake(tc, dev, dev.token)).toBe('unauthorized');
  });

  it('an agent that died before storing keeps its old token; the pending rotation is redone at its next connection', async () => {
    const tc = await node();
    const dev = await enrol(tc, 'store-early');
    const first = agent(tc, dev, dev.token);
    const lost = listen(first, 'silent');
    await first.connected();
    expect(await first.hello()).toMatchObject({ ok: true });
    expect((await tc.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    await waitFor(() => lost.length === 1, { what: 'token.rotate sent' });
    first.close();

    const again = agent(tc, dev, dev.token);
    const got = listen(again);
    await again.connected();
    expect(await again.hello()).toMatchObject({ ok: true });
    await waitFor(() => got.length === 1, { what: 'rotation redone after reconnect' });
    expect(got[0]).not.toBe(lost[0]);
    await waitFor(async () => (await handshake(tc, dev, dev.token)) === 'unauthorized', { what: 'old token refused' });
    // The token of the offer that was never stored was replaced, and does not work either.
    expect(await handshake(tc, dev, lost[0]!)).toBe('unauthorized');
    expect(await handshake(tc, dev, got[0]!)).toBe('connected');
  });

  it('asked again while a rotation waits for its ack: a second rotation follows the first', async () => {
    const tc = await node();
    const dev = await enrol(tc, 'store-twice');
    const raw = agent(tc, dev, dev.token);
    const got: string[] = [];
    const acks: ((a: unknown) => void)[] = [];
    raw.socket.on('token.rotate', (msg: unknown, ack: (a: unknown) => void) => {
      got.push(tokenRotateSchema.parse(msg).token);
      acks.push(ack);
    });
    await raw.connected();
    expect(await raw.hello()).toMatchObject({ ok: true });
    expect((await tc.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    await waitFor(() => got.length === 1, { what: 'first token.rotate' });
    expect((await tc.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    acks[0]!({ ok: true });
    await waitFor(() => got.length === 2, { what: 'second token.rotate' });
    acks[1]!({ ok: true });
    await waitFor(async () => (await handshake(tc, dev, got[0]!)) === 'unauthorized', { what: 'first rotated token refused' });
    expect(await handshake(tc, dev, dev.token)).toBe('unauthorized');
    expect(await handshake(tc, dev, got[1]!)).toBe('connected');
  });

  it('asked on node A while the device is connected to node B: B rotates it', async () => {
    const a = await node();
    const b = await node({ shareWith: a });
    const dev = await enrol(a, 'store-mn-rot');
    const raw = agent(b, dev, dev.token);
    const got = listen(raw);
    await raw.connected();
    expect(await raw.hello()).toMatchObject({ ok: true });
    expect((await a.api.post(`/devices/${dev.deviceId}/rotate`)).status).toBe(202);
    await waitFor(() => got.length === 1, { what: 'token.rotate from node B' });
    await waitFor(async () => (await handshake(a, dev, dev.token)) === 'unauthorized', { what: 'old token refused' });
    expect(await handshake(a, dev, got[0]!)).toBe('connected');
  });

  it('by age: a token issued before the maximum age is rotated at hello; a v1 agent is never sent token.rotate', async () => {
    const tc = await node({ tokenMaxAgeMs: 30 * 86_400_000 });
    const old = await enrol(tc, 'store-old');
    const v1 = await enrol(tc, 'store-v1');
    const fresh = await enrol(tc, 'store-fresh');
    await tc.central.app.db.pool.query(`UPDATE devices SET token_issued_at = now() - interval '31 days' WHERE device_id = ANY($1)`, [
      [old.deviceId, v1.deviceId],
    ]);

    const rawOld = agent(tc, old, old.token);
    const gotOld = listen(rawOld);
    await rawOld.connected();
    expect(await rawOld.hello()).toMatchObject({ ok: true });
    await waitFor(() => gotOld.length === 1, { what: 'aged token rotated at hello' });
    await waitFor(async () => (await handshake(tc, old, old.token)) === 'unauthorized', { what: 'old token refused' });
    const issued = await tc.central.app.db.pool.query<{ fresh: boolean }>(
      `SELECT token_issued_at > now() - interval '1 day' AS fresh FROM devices WHERE device_id = $1`,
      [old.deviceId],
    );
    expect(issued.rows[0]?.fresh).toBe(true);

    const rawV1 = agent(tc, v1, v1.token, 1);
    const gotV1 = listen(rawV1);
    const rawFresh = agent(tc, fresh, fresh.token);
    const gotFresh = listen(rawFresh);
    await Promise.all([rawV1.connected(), rawFresh.connected()]);
    expect(await rawV1.hello()).toMatchObject({ ok: true });
    expect(await rawFresh.hello()).toMatchObject({ ok: true });
    // A round trip after hello on each: a rotation would have been offered by now (it is started right after hello).
    expect(await rawV1.batch(1, [rawV1.sale(1)])).toMatchObject({ ok: true });
    expect(await rawFresh.batch(1, [rawFresh.sale(1)])).toMatchObject({ ok: true });
    const next = await tc.central.app.db.pool.query<{ n: string }>('SELECT count(*) AS n FROM devices WHERE next_token_hash IS NOT NULL');
    expect(next.rows[0]?.n).toBe('0');
    expect(gotV1).toEqual([]);
    expect(gotFresh).toEqual([]);
    expect(await handshake(tc, v1, v1.token)).toBe('connected');
  });

  it('refuses to rotate an unknown (404) or revoked (409) device', async () => {
    const tc = await node();
    const dev = await enrol(tc, 'store-rev');
    expect((await tc.api.post('/devices/00000000-0000-4000-8000-000000000000/rotate')).status).toBe(404);
    expect((await tc.api.post(`/devices/${dev.deviceId}/revoke`)).status).toBe(200);
    const r = await tc.api.post<{ error: { code: string } }>(`/devices/${dev.deviceId}/rotate`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('conflict');
  });
});
