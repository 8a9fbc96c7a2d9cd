import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { agentSocket, enrol, protocolVersion, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

interface DeviceRow {
  deviceId: string;
  online: boolean;
  ackedSeq: number;
  pendingUp: number | null;
  lastError: string | null;
  agentVersion: string | null;
  lastSeenAt: string | null;
  clockSkewMs: number | null;
}

async function device(tc: TestCentral, storeId: string): Promise<DeviceRow> {
  const r = await tc.api.get<{ items: { storeId: string; devices: DeviceRow[] }[] }>('/stores');
  const d = r.body.items.find((s) => s.storeId === storeId)?.devices[0];
  if (!d) throw new Error(`no device in ${storeId}`);
  return d;
}

async function events(tc: TestCentral, storeId: string): Promise<{ eventId: string; seq: number }[]> {
  const r = await tc.api.get<{ items: { eventId: string; seq: number }[] }>(`/events?storeId=${storeId}&limit=1000`);
  return r.body.items;
}

/** Resolves with the connect_error data, or rejects if the socket connects. */
function refusedWith(socket: Socket): Promise<unknown> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected, expected a refusal')));
    socket.once('connect_error', (err: Error & { data?: unknown }) => resolve(err.data));
  });
}

describe('agent gateway: upstream batches', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  const sockets: Socket[] = [];
  beforeEach(async () => {
    tc = await startTestCentral({ limits: { maxBatchBytes: 16_384, maxBatchEvents: 100 } });
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    for (const s of sockets.splice(0)) s.close();
    await tc.close();
  });

  async function connect(storeId: string, opts: { createStore?: boolean } = {}) {
    const a = await enrol(tc, storeId, opts);
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    raws.push(raw);
    await raw.connected();
    return { raw, ...a };
  }

  it('answers hello with the stored seq and limits, and records the agent', async () => {
    const { raw, deviceId } = await connect('store-h');
    const hello = await raw.hello({ pendingUp: 7 });
    expect(hello).toMatchObject({
      ok: true,
      protocolVersion,
      storedSeq: 0,
      limits: { maxBatchBytes: 16_384, maxBatchEvents: 100, maxInFlight: 4 },
      centralVersion: expect.any(String),
    });
    if (hello.ok) expect(Math.abs(hello.serverTime - Date.now())).toBeLessThan(60_000);
    expect(await device(tc, 'store-h')).toMatchObject({ deviceId, online: true, pendingUp: 7, agentVersion: 'raw-test', lastSeenAt: expect.any(String) });

    expect(await raw.batch(1, [raw.sale(1), raw.sale(2)])).toMatchObject({ ok: true, storedSeq: 2 });
    raw.close();
    await waitFor(async () => !(await device(tc, 'store-h')).online, { what: 'device offline after disconnect' });
  });

  it('answers a message it does not know with a bad_request refusal, before and after hello, and keeps the connection', async () => {
    const { raw } = await connect('store-u');
    const unknown = await raw.socket.timeout(10_000).emitWithAck('frobnicate', { x: 1 });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringMatching(/frobnicate/), details: { known: ['hello', 'batch', 'status', 'import.rejected'] } } });
    expect(await raw.hello()).toMatchObject({ ok: true });
    expect(await raw.socket.timeout(10_000).emitWithAck('commands-ack')).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await raw.batch(1, [raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1 });
  });

  it('stores a till-file report whose reason quotes a NUL or a lone surrogate (shown replaced), instead of refusing it for ever', async () => {
    const { raw } = await connect('store-ir');
    const report = { file: 'till\u0000.csv', line: 2, reason: 'line 2: sku "A\u0000B\ud800" is not storable', rejectedAt: new Date().toISOString() };
    expect(await raw.socket.timeout(10_000).emitWithAck('import.rejected', { reports: [report] })).toMatchObject({ ok: false, error: { code: 'not_ready' } });
    await raw.hello();
    expect(await raw.socket.timeout(10_000).emitWithAck('import.rejected', { reports: [report] })).toEqual({ ok: true, received: 1 });
    const listed = await tc.api.get<{ items: { file: string; reason: string }[] }>('/stores/store-ir/import-rejections');
    expect(listed.body.items).toEqual([expect.objectContaining({ file: 'till\ufffd.csv', reason: 'line 2: sku "A\ufffdB\ufffd" is not storable' })]);
  });

  it('records the clock skew an agent reports in status; a protocol v1 agent (no skew field) is still served and keeps it', async () => {
    const { raw, token, deviceId } = await connect('store-k');
    await raw.hello();
    raw.socket.emit('status', { pendingUp: 2, lastError: null, clockSkewMs: 5 * 3600_000 });
    await waitFor(async () => (await device(tc, 'store-k')).clockSkewMs === 5 * 3600_000, { what: 'skew recorded' });
    raw.close();

    const v1 = agentSocket(tc.url, { token, protocolVersion: 1 });
    sockets.push(v1);
    await new Promise<void>((resolve, reject) => {
      v1.once('connect', () => resolve());
      v1.once('connect_error', reject);
    });
    const hello = await v1.timeout(10_000).emitWithAck('hello', { protocolVersion: 1, agentVersion: 'old', storeId: 'store-k', deviceId, highestSeq: 0, pendingUp: 0, appliedCommandSeq: 0 });
    expect(hello).toMatchObject({ ok: true });
    v1.emit('status', { pendingUp: 7, lastError: null });
    await waitFor(async () => (await device(tc, 'store-k')).pendingUp === 7, { what: 'v1 status recorded' });
    expect((await device(tc, 'store-k')).clockSkewMs).toBe(5 * 3600_000);
  });

  it('stores a batch once; the same batch again is all duplicates; an overlap stores only the new part', async () => {
    const { raw } = await connect('store-d');
    await raw.hello();
    const batch = [1, 2, 3].map((s) => raw.sale(s));
    expect(await raw.batch(1, batch)).toEqual({ ok: true, storedSeq: 3, stored: 3, duplicates: 0, quarantined: 0 });
    expect(await raw.batch(1, batch)).toEqual({ ok: true, storedSeq: 3, stored: 0, duplicates: 3, quarantined: 0 });
    const overlap = [...batch.slice(1), raw.sale(4), raw.sale(5)];
    expect(await raw.batch(2, overlap)).toEqual({ ok: true, storedSeq: 5, stored: 2, duplicates: 2, quarantined: 0 });
    const stored = await events(tc, 'store-d');
    expect(stored.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(stored.map((e) => e.eventId)).size).toBe(5);
    expect((await device(tc, 'store-d')).ackedSeq).toBe(5);
    // hello after a reconnect reports what central holds
    expect(await raw.hello()).toMatchObject({ ok: true, storedSeq: 5 });
  });

  it('refuses a batch that leaves a gap, with the expected seq, and stores nothing of it', async () => {
    const { raw } = await connect('store-g');
    await raw.hello();
    expect(await raw.batch(1, [raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1 });
    const gap = await raw.batch(3, [raw.sale(3)]);
    expect(gap).toMatchObject({ ok: false, error: { code: 'seq_gap', details: { expectedSeq: 2 } } });
    expect(await events(tc, 'store-g')).toHaveLength(1);
    expect(await raw.batch(2, [raw.sale(2), raw.sale(3)])).toMatchObject({ ok: true, storedSeq: 3, stored: 2 });
  });

  it('quarantines one invalid event with a readable error, stores the rest, and storedSeq covers all', async () => {
    const { raw } = await connect('store-q');
    await raw.hello();
    const bad = raw.sale(2, { payload: { transactionId: 'T', businessDate: '2026-11-23', currency: 'EUR', lines: [{ sku: 'A', qty: -2, unitPrice: 1 }], tenders: [] } });
    const sent = [raw.sale(1), bad, raw.sale(3)];
    const ack = await raw.batch(1, sent);
    expect(ack).toEqual({ ok: true, storedSeq: 3, stored: 2, duplicates: 0, quarantined: 1 });
    expect((await events(tc, 'store-q')).map((e) => e.seq)).toEqual([1, 3]);

    const q = await tc.api.get<{ items: { id: string; seq: number; eventId: string; error: string; status: string; raw: unknown }[]; next: string | null }>(
      '/quarantine?storeId=store-q&status=open',
    );
    expect(q.status).toBe(200);
    expect(q.body.items).toHaveLength(1);
    const item = q.body.items[0]!;
    expect(item).toMatchObject({ seq: 2, eventId: bad.eventId, status: 'open', raw: bad });
    expect(item.error).toMatch(/payload\.lines\.0\.qty: quantity must be positive/);

    // Resending the same batch quarantines nothing twice.
    expect(await raw.batch(1, sent)).toMatchObject({ ok: true, stored: 0, duplicates: 3, quarantined: 0 });
    expect((await tc.api.get<{ items: unknown[] }>('/quarantine?storeId=store-q')).body.items).toHaveLength(1);

    const replay = await tc.api.post<{ error: { code: string; message: string } }>(`/quarantine/${item.id}/replay`);
    expect(replay.status).toBe(422);
    expect(replay.body.error.message).toMatch(/qty/);
    expect((await tc.api.get<{ items: { status: string }[] }>('/quarantine?storeId=store-q')).body.items[0]!.status).toBe('open');
  });

  it('quarantines what PostgreSQL could not store (a NUL character) instead of failing the batch', async () => {
    const { raw } = await connect('store-nul');
    await raw.hello();
    const nul = raw.sale(2, { payload: { transactionId: 'T\u0000', businessDate: '2026-11-23', currency: 'EUR', lines: [{ sku: 'A', qty: 1, unitPrice: 1 }], tenders: [] } });
    expect(await raw.batch(1, [raw.sale(1), nul])).toEqual({ ok: true, storedSeq: 2, stored: 1, duplicates: 0, quarantined: 1 });
    const q = await tc.api.get<{ items: { seq: number; error: string; raw: { payload: { transactionId: string } } }[] }>('/quarantine?storeId=store-nul');
    expect(q.body.items).toHaveLength(1);
    expect(q.body.items[0]!.error).toMatch(/NUL/);
    expect(q.body.items[0]!.raw.payload.transactionId).toBe('T\u0000'); // kept exactly as it arrived
    expect((await tc.api.get<{ items: unknown[]; next: null }>('/events?after=99999999999999999999')).body).toEqual({ items: [], next: null });
  });

  it('replays a quarantined event that is valid now into the events, once', async () => {
    const { raw, deviceId } = await connect('store-rp');
    const good = raw.sale(1);
    // An event quarantined by an older central whose schemas did not know it yet: written as that central would.
    const c = new pg.Client({ connectionString: tc.dbUrl });
    await c.connect();
    try {
      await c.query(`INSERT INTO quarantine (store_id, device_id, seq, event_id, raw, error) VALUES ($1, $2, 1, $3, $4, 'unknown schemaVersion')`, [
        'store-rp',
        deviceId,
        good.eventId,
        JSON.stringify(good),
      ]);
    } finally {
      await c.end();
    }
    const list = await tc.api.get<{ items: { id: string }[] }>('/quarantine?status=open');
    const id = list.body.items[0]!.id;
    const replay = await tc.api.post(`/quarantine/${id}/replay`);
    expect(replay).toEqual({ status: 200, body: { id, status: 'replayed', eventId: good.eventId } });
    expect((await events(tc, 'store-rp')).map((e) => e.eventId)).toEqual([good.eventId]);
    // It takes effect as if it had arrived valid: the sale moves central's stock (once).
    const sold = (good.payload as { lines: { sku: string; qty: number }[] }).lines[0]!;
    const inv = await tc.api.get<{ items: { onHand: number }[] }>(`/inventory?storeId=store-rp&sku=${sold.sku}`);
    expect(inv.body.items[0]?.onHand).toBe(-sold.qty);
    // ... and is posted to the ERP like any sale.
    const postings = await tc.api.get<{ items: { kind: string; storeId: string }[] }>('/erp/postings?storeId=store-rp');
    expect(postings.body.items.map((p) => p.kind)).toEqual(['sale']);
    expect((await tc.api.post<{ error: { code: string } }>(`/quarantine/${id}/replay`)).status).toBe(409);
    expect((await tc.api.get<{ items: unknown[] }>('/quarantine?status=open')).body.items).toHaveLength(0);
    expect((await tc.api.post(`/quarantine/999999/replay`)).status).toBe(404);
  });

  it("refuses another store's identity in hello and in a batch, storing nothing of that batch", async () => {
    const a = await connect('store-a');
    const b = await enrol(tc, 'store-b');
    expect(await a.raw.hello({ storeId: 'store-b', deviceId: b.deviceId })).toMatchObject({ ok: false, error: { code: 'wrong_store' } });
    expect(await a.raw.batch(1, [a.raw.sale(1)])).toMatchObject({ ok: false, error: { code: 'not_ready' } });
    expect(await a.raw.hello()).toMatchObject({ ok: true, storedSeq: 0 });

    const ack = await a.raw.batch(1, [a.raw.sale(1), a.raw.sale(2, { storeId: 'store-b', deviceId: b.deviceId })]);
    expect(ack).toMatchObject({ ok: false, error: { code: 'wrong_store' } });
    expect(await events(tc, 'store-a')).toHaveLength(0);
    expect(await events(tc, 'store-b')).toHaveLength(0);
    expect((await tc.api.get<{ items: unknown[] }>('/quarantine')).body.items).toHaveLength(0);
    expect((await device(tc, 'store-a')).ackedSeq).toBe(0);
    expect(await a.raw.batch(1, [a.raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1, stored: 1 });
  });

  it('refuses unknown, revoked and wrong-protocol handshakes, and drops a live socket on revocation', async () => {
    const { raw, deviceId, token } = await connect('store-r');
    await raw.hello();

    const stranger = agentSocket(tc.url, { token: 'x'.repeat(43), protocolVersion });
    sockets.push(stranger);
    expect(await refusedWith(stranger)).toMatchObject({ code: 'unauthorized' });
    const noAuth = agentSocket(tc.url, {});
    sockets.push(noAuth);
    expect(await refusedWith(noAuth)).toMatchObject({ code: 'bad_request' });
    const future = agentSocket(tc.url, { token, protocolVersion: protocolVersion + 1 });
    sockets.push(future);
    expect(await refusedWith(future)).toMatchObject({ code: 'protocol_unsupported' });

    const dropped = new Promise<string>((resolve) => raw.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await tc.api.post(`/devices/${deviceId}/revoke`)).status).toBe(200);
    expect(await dropped).toBe('io server disconnect');

    const revoked = agentSocket(tc.url, { token, protocolVersion });
    sockets.push(revoked);
    expect(await refusedWith(revoked)).toMatchObject({ code: 'revoked', message: expect.stringMatching(/revoked/) });
    await waitFor(async () => !(await device(tc, 'store-r')).online, { what: 'revoked device offline' });
  });

  it('refuses an oversize batch with batch_too_large and keeps the connection', async () => {
    const { raw } = await connect('store-s');
    await raw.hello();
    const big = Array.from({ length: 60 }, (_, i) => raw.sale(i + 1));
    expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(16_384);
    const tooBig = await raw.batch(1, big);
    expect(tooBig).toMatchObject({ ok: false, error: { code: 'batch_too_large', details: { maxBatchBytes: 16_384, maxBatchEvents: 100 } } });
    if (!tooBig.ok) expect(tooBig.error.message).toMatch(/bytes/);
    const tooMany = await raw.batch(1, Buffer.from(JSON.stringify(Array.from({ length: 101 }, () => 0))), 101);
    expect(tooMany).toMatchObject({ ok: false, error: { code: 'batch_too_large' } });
    expect(raw.socket.connected).toBe(true);
    expect(await events(tc, 'store-s')).toHaveLength(0);
    expect(await raw.batch(1, big.slice(0, 10))).toMatchObject({ ok: true, storedSeq: 10 });
  });

  it('refuses malformed batches as bad_request and keeps going', async () => {
    const { raw } = await connect('store-m');
    await raw.hello();
    expect(await raw.batch(1, Buffer.from('[1, 2'), 2)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await raw.batch(1, [raw.sale(1)], 2)).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    const notABuffer = await raw.socket.timeout(5000).emitWithAck('batch', { firstSeq: 1, count: 1, events: 'nope' });
    expect(notABuffer).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(await raw.batch(1, [raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1 });
  });

  it('applies batches sent back to back strictly in order', async () => {
    const { raw } = await connect('store-o');
    await raw.hello();
    const acks = await Promise.all([0, 1, 2, 3].map((b) => raw.batch(b * 5 + 1, Array.from({ length: 5 }, (_, i) => raw.sale(b * 5 + i + 1)))));
    expect(acks.map((a) => a.ok && a.storedSeq)).toEqual([5, 10, 15, 20]);
    expect((await events(tc, 'store-o')).map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  });

  it('records status reports for the fleet table', async () => {
    const { raw } = await connect('store-st');
    await raw.hello();
    raw.socket.emit('status', { pendingUp: 42, lastError: 'disk nearly full' });
    await waitFor(async () => {
      const d = await device(tc, 'store-st');
      return d.pendingUp === 42 && d.lastError === 'disk nearly full';
    }, { what: 'status recorded' });
  });

  it('a second device of the same store keeps its own seq stream', async () => {
    const one = await connect('store-2d');
    const two = await connect('store-2d', { createStore: false });
    await one.raw.hello();
    await two.raw.hello();
    expect(await one.raw.batch(1, [one.raw.sale(1), one.raw.sale(2)])).toMatchObject({ ok: true, storedSeq: 2 });
    expect(await two.raw.batch(1, [two.raw.sale(1)])).toMatchObject({ ok: true, storedSeq: 1, stored: 1 });
    const all = await tc.api.get<{ items: { deviceId: string; seq: number }[] }>('/events?storeId=store-2d');
    expect(all.body.items.map((e) => [e.deviceId, e.seq])).toEqual([
      [one.deviceId, 1],
      [one.deviceId, 2],
      [two.deviceId, 1],
    ]);
  });
});
