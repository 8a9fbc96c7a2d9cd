import { afterEach, describe, expect, it, vi } from 'vitest';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import { buildCommandVersions, commandsMessageSchema, COMMAND_VERSIONS_BEFORE_V3, PROTOCOL_VERSION, type centralApi, type RawCommand } from '@outpost/shared';
import type { z } from 'zod';
import { waitFor } from '../../../../test/support/wait.js';
import { agentSocket, enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

type Store = z.infer<typeof centralApi.storeStatusSchema>;
type Summary = z.infer<typeof centralApi.fleetSummarySchema>;

// Protocol versions at the gateway (docs/protocol.md "Versions"): the handshake chooses the highest version both
// sides speak and hello.ack names it; older agents are upcast at the edge; a command of a version an agent did not
// name waits at central.

const sockets: Socket[] = [];
const centrals: TestCentral[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const c of centrals.splice(0)) await c.close();
});

async function central(opts: Parameters<typeof startTestCentral>[0] = {}): Promise<TestCentral> {
  const tc = await startTestCentral(opts);
  centrals.push(tc);
  return tc;
}

function open(tc: TestCentral, auth: unknown): Promise<{ socket: Socket; refused: null } | { socket: Socket; refused: Record<string, unknown> }> {
  const socket = agentSocket(tc.url, auth);
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket, refused: null }));
    socket.once('connect_error', (err: Error & { data?: Record<string, unknown> }) => resolve({ socket, refused: err.data ?? { message: err.message } }));
  });
}

function hello(socket: Socket, a: { storeId: string; deviceId: string }, over: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  return socket.timeout(10_000).emitWithAck('hello', { protocolVersion: 1, agentVersion: 'test', storeId: a.storeId, deviceId: a.deviceId, highestSeq: 0, pendingUp: 0, appliedCommandSeq: 0, ...over });
}

async function store(tc: TestCentral, storeId: string): Promise<Store> {
  const r = await tc.api.get<{ items: Store[] }>(`/stores?q=${storeId}`);
  const s = r.body.items.find((x) => x.storeId === storeId);
  if (!s) throw new Error(`no store ${storeId}`);
  return s;
}

describe('protocol versions at the gateway', () => {
  it('a v1 agent connects at v1: hello.ack names v1 and the fleet shows it', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-v1');
    const { socket, refused } = await open(tc, { token: a.token, protocolVersion: 1 });
    expect(refused).toBeNull();
    expect(await hello(socket, a)).toMatchObject({ ok: true, protocolVersion: 1 });
    await waitFor(async () => (await store(tc, 'store-v1')).devices[0]?.protocolVersion === 1, { what: 'protocol version recorded' });
    expect((await store(tc, 'store-v1')).devices[0]).toMatchObject({ agentVersion: 'test', protocolVersion: 1 });
  });

  it('an agent speaking a range above central connects at central\'s highest version', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-new');
    const { socket, refused } = await open(tc, { token: a.token, protocolVersion: PROTOCOL_VERSION + 1, minProtocolVersion: 2 });
    expect(refused).toBeNull();
    expect(await hello(socket, a, { protocolVersion: PROTOCOL_VERSION + 1 })).toMatchObject({ ok: true, protocolVersion: PROTOCOL_VERSION });
  });

  it('refuses a version it does not speak and names its range', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-future');
    const { refused } = await open(tc, { token: a.token, protocolVersion: PROTOCOL_VERSION + 1 });
    expect(refused).toMatchObject({ code: 'protocol_unsupported', minVersion: 1, maxVersion: PROTOCOL_VERSION });
  });

  it('a central held at v2 (OUTPOST_PROTOCOL_MAX_VERSION) answers as v2 did: a v3 offer is refused without a range, v2 is served', async () => {
    const tc = await central({ protocolRange: { min: 1, max: 2 } });
    const a = await enrol(tc, 'store-held');
    const refused = (await open(tc, { token: a.token, protocolVersion: 3, minProtocolVersion: 2 })).refused;
    expect(refused).toMatchObject({ code: 'protocol_unsupported' });
    expect(refused).not.toHaveProperty('maxVersion');
    const { socket, refused: none } = await open(tc, { token: a.token, protocolVersion: 2 });
    expect(none).toBeNull();
    expect(await hello(socket, a, { protocolVersion: 2 })).toMatchObject({ ok: true, protocolVersion: 2 });
  });

  it('a central of v3 takes the range a v3 agent offers: no refusal round trip', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-range');
    const { socket, refused } = await open(tc, { token: a.token, protocolVersion: 3, minProtocolVersion: 2 });
    expect(refused).toBeNull();
    expect(await hello(socket, a, { protocolVersion: 3 })).toMatchObject({ ok: true, protocolVersion: 3 });
  });

  it('holds a command whose version the agent did not name until an upgraded agent says hello, then delivers it once', async () => {
    const tc = await central({ commandAckTimeoutMs: 5000 });
    const a = await enrol(tc, 'store-hold');
    const received: RawCommand[] = [];
    const record = (socket: Socket) =>
      socket.on('commands', (msg: unknown, ack: (x: unknown) => void) => {
        const cmds = commandsMessageSchema.parse(msg).commands;
        received.push(...cmds);
        ack({ appliedSeq: cmds.at(-1)!.seq });
      });
    expect((await tc.api.put('/items/SKU-1', { name: 'Cup', price: 100, currency: 'EUR' })).status).toBe(200); // seq 1, item.upserted v1
    expect((await tc.api.post('/stores/store-hold/receipts', { receiptId: 'R-1', lines: [{ sku: 'SKU-1', qty: 5 }] })).status).toBe(201); // seq 2, stock.received v2
    expect((await tc.api.put('/items/SKU-2', { name: 'Jug', price: 200, currency: 'EUR' })).status).toBe(200); // seq 3

    // An agent that can apply stock.received v1 only: it gets seq 1, and the stream waits at the receipt.
    const old = await open(tc, { token: a.token, protocolVersion: 3 });
    record(old.socket);
    expect(await hello(old.socket, a, { protocolVersion: 3, commandVersions: { ...COMMAND_VERSIONS_BEFORE_V3, 'stock.received': [1] } })).toMatchObject({ ok: true });
    await waitFor(
      async () => {
        const d = (await store(tc, 'store-hold')).devices[0];
        return d?.heldCommand?.seq === 2 && d.appliedCommandSeq === 1;
      },
      { what: 'seq 1 applied and the receipt held' },
    );
    const held = (await store(tc, 'store-hold')).devices[0]!;
    expect(held).toMatchObject({ appliedCommandSeq: 1, pendingCommands: 2, heldCommand: { seq: 2, type: 'stock.received', schemaVersion: 2 } });
    expect(received.map((c) => c.seq)).toEqual([1]);
    expect((await tc.api.get<Summary>('/fleet/summary')).body.commandsHeld).toBe(1);
    old.socket.close();

    // Upgraded: the same device names v2; the receipt and what came after it arrive, once each, in order.
    const upgraded = await open(tc, { token: a.token, protocolVersion: 3 });
    record(upgraded.socket);
    expect(await hello(upgraded.socket, a, { protocolVersion: 3, appliedCommandSeq: 1, commandVersions: buildCommandVersions() })).toMatchObject({ ok: true });
    await waitFor(async () => (await store(tc, 'store-hold')).devices[0]?.appliedCommandSeq === 3, { what: 'the rest delivered' });
    expect(received.map((c) => c.seq)).toEqual([1, 2, 3]);
    expect((await store(tc, 'store-hold')).devices[0]?.heldCommand).toBeNull();
    expect((await tc.api.get<Summary>('/fleet/summary')).body.commandsHeld).toBe(0);
  });

  it('records the held command only when it changes: a connection of an agent that can apply everything writes none', async () => {
    const tc = await central({ commandAckTimeoutMs: 5000 });
    const a = await enrol(tc, 'store-nohold');
    expect((await tc.api.put('/items/SKU-1', { name: 'Cup', price: 100, currency: 'EUR' })).status).toBe(200);
    const spy = vi.spyOn(pg.Client.prototype, 'query');
    const c = await open(tc, { token: a.token, protocolVersion: 3 });
    c.socket.on('commands', (msg: unknown, ack: (x: unknown) => void) => ack({ appliedSeq: commandsMessageSchema.parse(msg).commands.at(-1)!.seq }));
    expect(await hello(c.socket, a, { protocolVersion: 3, commandVersions: buildCommandVersions() })).toMatchObject({ ok: true });
    await waitFor(async () => (await store(tc, 'store-nohold')).devices[0]?.appliedCommandSeq === 1, { what: 'the command applied' });
    const sql = (x: unknown[]) => (typeof x[0] === 'string' ? x[0] : ((x[0] as { text?: string } | null)?.text ?? ''));
    const heldWrites = spy.mock.calls.filter((x) => /SET held_command_seq/.test(sql(x))).length;
    spy.mockRestore();
    // 2,000 agents reconnecting after a restart would otherwise write 2,000 device rows for nothing.
    expect(heldWrites).toBe(0);
    expect((await store(tc, 'store-nohold')).devices[0]?.heldCommand).toBeNull();
  });

  it('records a v3 status\'s offline budget, keeps it from a v2 status, and sorts stores by how long they are at risk', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-risk-a');
    const b = await enrol(tc, 'store-risk-b');
    await enrol(tc, 'store-risk-c');
    const sa = (await open(tc, { token: a.token, protocolVersion: 3 })).socket;
    const sb = (await open(tc, { token: b.token, protocolVersion: 3 })).socket;
    await hello(sa, a, { protocolVersion: 3 });
    await hello(sb, b, { protocolVersion: 3 });
    sa.emit('status', { pendingUp: 3, lastError: null, unsent: { oldestAt: '2026-11-29T11:02:00.000Z', sales: 2, returns: 1, counts: 0, other: 0 } });
    sb.emit('status', { pendingUp: 1, lastError: null, unsent: { oldestAt: '2026-11-29T08:00:00.000Z', sales: 0, returns: 0, counts: 1, other: 0 } });
    await waitFor(async () => (await store(tc, 'store-risk-b')).devices[0]?.unsent?.counts === 1 && (await store(tc, 'store-risk-a')).devices[0]?.unsent?.sales === 2, { what: 'budgets recorded' });
    expect((await store(tc, 'store-risk-a')).devices[0]?.unsent).toEqual({ oldestAt: '2026-11-29T11:02:00.000Z', sales: 2, returns: 1, counts: 0, other: 0 });
    expect((await store(tc, 'store-risk-a')).atRiskSince).toBe('2026-11-29T11:02:00.000Z');

    const sorted = await tc.api.get<{ items: Store[] }>('/stores?sort=atRisk&q=store-risk');
    expect(sorted.body.items.map((s) => s.storeId)).toEqual(['store-risk-b', 'store-risk-a', 'store-risk-c']);
    const page1 = await tc.api.get<{ items: Store[]; next: string }>('/stores?sort=atRisk&q=store-risk&limit=1');
    const page2 = await tc.api.get<{ items: Store[] }>(`/stores?sort=atRisk&q=store-risk&limit=5&after=${page1.body.next}`);
    expect([...page1.body.items, ...page2.body.items].map((s) => s.storeId)).toEqual(['store-risk-b', 'store-risk-a', 'store-risk-c']);

    // A v2 connection's status carries no budget: what was known stays (it is upcast, not zeroed).
    sa.close();
    const v2 = (await open(tc, { token: a.token, protocolVersion: 2 })).socket;
    await hello(v2, a, { protocolVersion: 2 });
    v2.emit('status', { pendingUp: 9, lastError: null, unsent: { oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 } });
    await waitFor(async () => (await store(tc, 'store-risk-a')).devices[0]?.pendingUp === 9, { what: 'v2 status recorded' });
    expect((await store(tc, 'store-risk-a')).devices[0]?.unsent?.sales).toBe(2);
  });

  it('the fleet summary counts stores and devices per agent release and protocol version', async () => {
    const tc = await central();
    const a = await enrol(tc, 'store-r1');
    const b = await enrol(tc, 'store-r2');
    await hello((await open(tc, { token: a.token, protocolVersion: 1 })).socket, a, { agentVersion: '0.0.9' });
    await hello((await open(tc, { token: b.token, protocolVersion: 3 })).socket, b, { protocolVersion: 3, agentVersion: '0.2.0' });
    const s = (await tc.api.get<Summary>('/fleet/summary')).body;
    expect(s.versions).toEqual([
      { agentVersion: '0.2.0', protocolVersion: 3, stores: 1, devices: 1 },
      { agentVersion: '0.0.9', protocolVersion: 1, stores: 1, devices: 1 },
    ]);
  });
});
