import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { e2eContext, firstConnection } from './support/e2e.js';
import { orderSystem } from './support/order-system.js';
import { freePort } from './support/ports.js';
import { agentStatus, enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

// Buy online, pick up in store, end to end (issue 4): real central and agent processes, real PostgreSQL and
// SQLite, socket.io over loopback, and a real HTTP receiver for the order-system webhook.

interface Reservation {
  reservationId: string;
  orderId: string;
  storeId: string;
  status: string;
  lines: { sku: string; qty: number; pickedQty: number | null }[];
  reroutedTo: string | null;
  history: { from: string | null; to: string; reason: string | null }[];
}
interface Pick {
  reservationId: string;
  status: string;
  lines: { sku: string; qty: number; pickedQty: number | null }[];
}

const FAST = { OUTPOST_RESERVATION_SWEEP_MS: '200' };

async function reservation(central: CentralHandle, id: string): Promise<Reservation> {
  const r = await central.api.get<Reservation>(`/reservations/${id}`);
  if (r.status !== 200) throw new Error(`GET /reservations/${id}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}
const reachesStatus = (central: CentralHandle, id: string, status: string) =>
  waitFor(async () => ((await reservation(central, id)).status === status ? reservation(central, id) : null), { what: `reservation ${id} ${status}` });

async function centralStock(central: CentralHandle, storeId: string, sku: string) {
  const r = await central.api.get<{ items: { onHand: number; reserved: number; available: number }[] }>(`/inventory?storeId=${storeId}&sku=${sku}`);
  return r.body.items[0];
}
async function agentStock(agent: AgentHandle, sku: string) {
  const r = await agent.api.get<{ items: { onHand: number; reserved: number; available: number }[] }>(`/stock?sku=${sku}`);
  return r.body.items[0];
}
async function picks(agent: AgentHandle, status?: string): Promise<Pick[]> {
  return (await agent.api.get<{ items: Pick[] }>(`/picks${status ? `?status=${status}` : ''}`)).body.items;
}
async function reserve(central: CentralHandle, body: Record<string, unknown>): Promise<string> {
  const r = await central.api.post<{ reservationId: string }>('/reservations', body);
  if (r.status !== 201) throw new Error(`POST /reservations: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.reservationId;
}
async function receive(central: CentralHandle, storeId: string, lines: { sku: string; qty: number }[]): Promise<void> {
  const r = await central.api.post(`/stores/${storeId}/receipts`, { receiptId: `stock-${storeId}-${lines.map((l) => l.sku).join('-')}`, lines });
  if (r.status !== 201) throw new Error(`receipt: ${r.status} ${JSON.stringify(r.body)}`);
}

/** An enrolled agent that reaches central only through a proxy, so a test can take the store offline and back. */
async function storeBehindProxy(fx: ReturnType<typeof e2eContext>['fx'], central: CentralHandle, storeId: string): Promise<{ agent: AgentHandle; link: TcpProxy; dataDir: string }> {
  const dataDir = fx.tempDir('outpost-agent-');
  await enrollAgent(central, storeId, dataDir);
  const link = await startTcpProxy(central.port);
  const cfgPath = join(dataDir, 'agent.json');
  writeFileSync(cfgPath, JSON.stringify({ ...(JSON.parse(readFileSync(cfgPath, 'utf8')) as object), centralUrl: link.url }, null, 2));
  const agent = await startAgent(fx, { dataDir });
  await waitFor(async () => (await agentStatus(agent)).online, { what: `${storeId} online` });
  return { agent, link, dataDir };
}

async function offline(link: TcpProxy, agent: AgentHandle): Promise<void> {
  link.switchTo(await freePort());
  await waitFor(async () => !(await agentStatus(agent)).online, { what: 'store offline' });
}

describe('reservations and picks, end to end', () => {
  const ctx = e2eContext();
  const { fx, dbUrl } = ctx;

  it('happy path: reserve → delivered → picked → collected, stock and statuses right at both ends', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: FAST });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'bopis-1', dataDir);
    const agent = await startAgent(fx, { dataDir });
    await receive(central, 'bopis-1', [{ sku: 'MUG', qty: 6 }]);
    await waitFor(async () => (await agentStock(agent, 'MUG'))?.onHand === 6, { what: 'receipt at the store' });

    const id = await reserve(central, { orderId: 'web-1001', storeId: 'bopis-1', lines: [{ sku: 'MUG', qty: 2 }] });
    expect(await centralStock(central, 'bopis-1', 'MUG')).toMatchObject({ onHand: 6, reserved: 2, available: 4 });
    await reachesStatus(central, id, 'delivered');
    await waitFor(async () => (await picks(agent)).length === 1, { what: 'pick listed at the store' });
    expect((await picks(agent))[0]).toMatchObject({ reservationId: id, status: 'delivered', lines: [{ sku: 'MUG', qty: 2, pickedQty: null }] });
    expect(await agentStock(agent, 'MUG')).toMatchObject({ onHand: 6, reserved: 2, available: 4 });
    expect((await agentStatus(agent)).pendingPicks).toBe(1);

    const confirm = await agent.api.post<{ status: string }>(`/picks/${id}/confirm`, { lines: [{ sku: 'MUG', pickedQty: 2 }] });
    expect(confirm.status).toBe(201);
    expect(confirm.body.status).toBe('picked');
    await reachesStatus(central, id, 'picked');

    const handover = await agent.api.post<{ status: string }>(`/picks/${id}/handover`);
    expect(handover.status).toBe(201);
    const done = await reachesStatus(central, id, 'collected');
    expect(done.history.map((h) => h.to)).toEqual(['requested', 'delivered', 'picked', 'collected']);
    expect(await centralStock(central, 'bopis-1', 'MUG')).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await agentStock(agent, 'MUG')).toMatchObject({ onHand: 4, reserved: 0, available: 4 });
    expect(await picks(agent)).toEqual([]);
    // Handing over twice is the same handover, not a second one.
    expect((await agent.api.post(`/picks/${id}/handover`)).status).toBe(200);
  });

  it('a reservation made and another cancelled while the store is offline apply once each, in order, on reconnect', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: FAST });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'bopis-2', dataDir);
    await firstConnection(fx, dataDir);
    await receive(central, 'bopis-2', [{ sku: 'TEA', qty: 5 }]);
    // The agent is not running: the store is offline.
    const kept = await reserve(central, { orderId: 'web-2001', storeId: 'bopis-2', lines: [{ sku: 'TEA', qty: 1 }] });
    const dropped = await reserve(central, { orderId: 'web-2002', storeId: 'bopis-2', lines: [{ sku: 'TEA', qty: 3 }] });
    expect((await central.api.post(`/reservations/${dropped}/cancel`, { reason: 'payment failed' })).status).toBe(200);
    expect(await centralStock(central, 'bopis-2', 'TEA')).toMatchObject({ reserved: 1, available: 4 });

    const agent = await startAgent(fx, { dataDir });
    await reachesStatus(central, kept, 'delivered');
    await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq === 4, { what: 'four commands applied' });
    expect((await picks(agent)).map((p) => p.reservationId)).toEqual([kept]);
    expect((await picks(agent, 'cancelled')).map((p) => p.reservationId)).toEqual([dropped]);
    expect(await agentStock(agent, 'TEA')).toMatchObject({ onHand: 5, reserved: 1, available: 4 });
    // The cancelled one never counts as delivered at central: it was closed before the store had it.
    expect((await reservation(central, dropped)).history.map((h) => h.to)).toEqual(['requested', 'cancelled']);

    await agent.proc.stop();
    const sqlite = new Database(join(dataDir, 'agent.db'), { readonly: true });
    try {
      const journal = sqlite.prepare('SELECT seq, type, outcome FROM applied_commands ORDER BY applied_order').all();
      expect(journal).toEqual([
        { seq: 1, type: 'stock.received', outcome: 'applied' },
        { seq: 2, type: 'reservation.created', outcome: 'applied' },
        { seq: 3, type: 'reservation.created', outcome: 'applied' },
        { seq: 4, type: 'reservation.cancelled', outcome: 'applied' },
      ]);
    } finally {
      sqlite.close();
    }
  });

  it('R5: a pick confirmed offline for a reservation cancelled meanwhile is kept, logged, and a restock task reaches the store', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: FAST });
    const { agent, link } = await storeBehindProxy(fx, central, 'bopis-3');
    await receive(central, 'bopis-3', [{ sku: 'JUG', qty: 3 }]);
    const id = await reserve(central, { orderId: 'web-3001', storeId: 'bopis-3', lines: [{ sku: 'JUG', qty: 2 }] });
    await reachesStatus(central, id, 'delivered');
    await waitFor(async () => (await picks(agent)).length === 1, { what: 'pick at the store' });

    await offline(link, agent);
    expect((await central.api.post(`/reservations/${id}/cancel`, { reason: 'customer cancelled online' })).status).toBe(200);
    // The associate, not knowing, picks it.
    expect((await agent.api.post(`/picks/${id}/confirm`, { lines: [{ sku: 'JUG', pickedQty: 2 }] })).status).toBe(201);

    link.switchTo(central.port);
    await waitFor(async () => (await central.api.get<{ items: unknown[] }>('/conflicts?kind=pick_after_cancel')).body.items.length === 1, { what: 'R5 conflict' });
    const r = await reservation(central, id);
    expect(r.status).toBe('cancelled');
    expect(r.lines).toEqual([{ sku: 'JUG', qty: 2, pickedQty: 2 }]);
    await waitFor(async () => (await picks(agent, 'cancelled')).length === 1, { what: 'cancellation at the store' });
    const tasks = await waitFor(async () => {
      const t = (await agent.api.get<{ items: { taskId: string; lines: unknown; status: string }[] }>('/tasks')).body.items;
      return t.length > 0 ? t : null;
    });
    // One task, though both the store (cancel after its pick) and central (R5) asked for it.
    expect(tasks).toEqual([expect.objectContaining({ taskId: `restock:${id}`, lines: [{ sku: 'JUG', qty: 2 }], status: 'open' })]);
    expect(await centralStock(central, 'bopis-3', 'JUG')).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    expect(await agentStock(agent, 'JUG')).toMatchObject({ onHand: 3, reserved: 0, available: 3 });
    await link.close();
  });

  it('R4: sales synced late oversell the store: one reservation is rerouted to a store with stock, the other raised as an exception', async () => {
    const receiverPort = await freePort();
    const secret = 'order-system-secret';
    const os = orderSystem(receiverPort, secret);
    await os.start();
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: { ...FAST, OUTPOST_ORDER_WEBHOOK_URL: os.url, OUTPOST_ORDER_WEBHOOK_SECRET: secret, OUTPOST_WEBHOOK_RETRY_BASE_MS: '100' },
    });
    try {
      const { agent, link } = await storeBehindProxy(fx, central, 'north');
      await central.api.post('/stores', { storeId: 'south', name: 'South' });
      await receive(central, 'north', [{ sku: 'LAMP', qty: 4 }]);
      await receive(central, 'south', [{ sku: 'LAMP', qty: 5 }]);
      await waitFor(async () => (await agentStock(agent, 'LAMP'))?.onHand === 4, { what: 'receipt at north' });

      await offline(link, agent);
      // Offline, the till sells 3 lamps; central, not knowing, promises 2 + 2 of the 4 it believes are there.
      const sale = await agent.api.post('/sales', { transactionId: 'pos-77', lines: [{ sku: 'LAMP', qty: 3, unitPrice: 3900 }], tenders: [{ method: 'card', amount: 11700 }] });
      expect(sale.status).toBe(201);
      const movable = await reserve(central, { orderId: 'web-4001', storeId: 'north', lines: [{ sku: 'LAMP', qty: 2 }], allowReroute: true });
      const fixed = await reserve(central, { orderId: 'web-4002', storeId: 'north', lines: [{ sku: 'LAMP', qty: 2 }] });

      link.switchTo(central.port);
      const original = await reachesStatus(central, movable, 'cancelled');
      expect(original.reroutedTo).not.toBeNull();
      expect(original.history.map((h) => h.to)).toContain('at_risk');
      const moved = await reservation(central, original.reroutedTo!);
      expect(moved).toMatchObject({ storeId: 'south', orderId: 'web-4001', status: 'requested' });
      expect((await reservation(central, fixed)).status).toBe('at_risk');
      // The physical sale stands: north is down to 1 with the exception's 2 still held; south holds the move.
      expect(await centralStock(central, 'north', 'LAMP')).toMatchObject({ onHand: 1, reserved: 2 });
      expect(await centralStock(central, 'south', 'LAMP')).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
      const oversold = await central.api.get<{ items: { inputs: { atRisk: string[] } }[] }>('/conflicts?kind=oversold');
      expect(oversold.body.items).toHaveLength(1);
      // The order system heard both outcomes, signed.
      await waitFor(() => [...os.applied.values()].some((b) => b.type === 'reservation.exception' && b.reservationId === fixed), { what: 'exception webhook' });
      await waitFor(() => [...os.applied.values()].some((b) => b.reservationId === moved.reservationId && b.status === 'requested'), { what: 'reroute webhook' });
      expect(os.received.every((r) => r.signatureOk)).toBe(true);
      // The store learns its rerouted reservation is gone.
      await waitFor(async () => (await picks(agent, 'cancelled')).some((p) => p.reservationId === movable), { what: 'north told of the reroute' });
      await link.close();
    } finally {
      await os.stop();
    }
  });

  it('webhook: a receiver down for a few retries gets every delivery once it is back, without anyone replaying', async () => {
    const receiverPort = await freePort();
    const os = orderSystem(receiverPort, 'k');
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: { ...FAST, OUTPOST_ORDER_WEBHOOK_URL: os.url, OUTPOST_ORDER_WEBHOOK_SECRET: 'k', OUTPOST_WEBHOOK_RETRY_BASE_MS: '100', OUTPOST_WEBHOOK_RETRY_MAX_MS: '300' },
    });
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'bopis-6', dataDir);
      await startAgent(fx, { dataDir });
      await receive(central, 'bopis-6', [{ sku: 'CUP', qty: 2 }]);
      const id = await reserve(central, { orderId: 'web-6001', storeId: 'bopis-6', lines: [{ sku: 'CUP', qty: 1 }] });
      await central.api.post(`/reservations/${id}/cancel`, { reason: 'changed mind' });
      await waitFor(
        async () => {
          const r = await central.api.get<{ items: { attempts: number }[] }>('/webhooks/deliveries?status=retrying');
          return r.body.items.some((d) => d.attempts >= 2);
        },
        { what: 'a delivery retried twice' },
      );
      await os.start();
      await waitFor(async () => (await central.api.get<{ items: unknown[] }>('/webhooks/deliveries?status=delivered')).body.items.length >= 1 && os.applied.size >= 1, {
        what: 'delivered after the receiver came back',
      });
      const statuses = await waitFor(async () => {
        const all = (await central.api.get<{ items: { status: string; body: { status: string } }[] }>('/webhooks/deliveries')).body.items;
        return all.every((d) => d.status === 'delivered') ? all.map((d) => d.body.status) : null;
      });
      expect([...os.applied.values()].map((b) => b.status)).toEqual(statuses);
    } finally {
      await os.stop();
    }
  });

  it('webhook: the receiver down for a while; deliveries retried, none lost, none applied twice; failed ones listed and replayed', async () => {
    const receiverPort = await freePort();
    const secret = 'whsec-0123';
    const os = orderSystem(receiverPort, secret);
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: {
        ...FAST,
        OUTPOST_ORDER_WEBHOOK_URL: os.url,
        OUTPOST_ORDER_WEBHOOK_SECRET: secret,
        OUTPOST_WEBHOOK_RETRY_BASE_MS: '100',
        OUTPOST_WEBHOOK_RETRY_MAX_MS: '400',
        OUTPOST_WEBHOOK_MAX_ATTEMPTS: '4',
      },
    });
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'bopis-5', dataDir);
      const agent = await startAgent(fx, { dataDir });
      await receive(central, 'bopis-5', [{ sku: 'PEN', qty: 10 }]);
      // The receiver is down: three reservations go through their whole life meanwhile.
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push(await reserve(central, { orderId: `web-500${i}`, storeId: 'bopis-5', lines: [{ sku: 'PEN', qty: 1 }] }));
      for (const id of ids) await reachesStatus(central, id, 'delivered');
      await waitFor(async () => (await picks(agent)).length === 3, { what: 'three picks at the store' });
      for (const id of ids) {
        expect((await agent.api.post(`/picks/${id}/confirm`, { lines: [{ sku: 'PEN', pickedQty: 1 }] })).status).toBe(201);
        expect((await agent.api.post(`/picks/${id}/handover`)).status).toBe(201);
      }
      for (const id of ids) await reachesStatus(central, id, 'collected');
      // With 4 attempts and the receiver down, every delivery ends as failed (each reservation's in order: a
      // later one waits while an earlier one is still being retried), listed for an operator.
      const failed = await waitFor(async () => {
        const r = await central.api.get<{ items: { id: string; reservationId: string; attempts: number; lastError: string }[] }>('/webhooks/deliveries?status=failed');
        return r.body.items.length === 9 ? r.body.items : null;
      }, { what: 'nine failed deliveries' });
      expect(failed.every((d) => d.attempts === 4 && /ECONNREFUSED|fetch failed/.test(d.lastError))).toBe(true);

      // The receiver comes back, and crashes before answering the first time it sees each key.
      os.failFirstAnswer = true;
      await os.start();
      for (const d of failed) expect((await central.api.post(`/webhooks/deliveries/${d.id}/replay`)).status).toBe(200);
      const expectedKeys = ids.flatMap((id) => [2, 3, 4].map((v) => `${id}:v${v}`));
      await waitFor(() => expectedKeys.every((k) => os.applied.has(k)), { what: 'every transition applied at the receiver' });
      await waitFor(async () => (await central.api.get<{ items: unknown[] }>('/webhooks/deliveries?status=delivered')).body.items.length === 9, {
        what: 'every delivery marked delivered',
      });
      // At-least-once on the wire, exactly once at the receiver: repeats happened and were dropped by key.
      expect(os.applied.size).toBe(9);
      expect(os.received.length).toBeGreaterThan(9);
      // In order per reservation: delivered, picked, collected.
      for (const id of ids) {
        const order = [...os.applied.values()].filter((b) => b.reservationId === id).map((b) => b.status);
        expect(order).toEqual(['delivered', 'picked', 'collected']);
      }
      expect(os.received.every((r) => r.signatureOk)).toBe(true);
    } finally {
      await os.stop();
    }
  });
});
