import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eContext, firstDevice, waitDrained, type DeviceRow } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { freePort } from './support/ports.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

async function device(central: CentralHandle, storeId: string): Promise<DeviceRow> {
  const d = await firstDevice(central, storeId);
  if (!d) throw new Error(`no device for ${storeId}`);
  return d;
}

function appliedJournal(dataDir: string): { seq: number; outcome: string }[] {
  const sqlite = new Database(join(dataDir, 'agent.db'), { readonly: true });
  try {
    return sqlite.prepare('SELECT seq, outcome FROM applied_commands ORDER BY applied_order').all() as { seq: number; outcome: string }[];
  } finally {
    sqlite.close();
  }
}

describe('several central nodes on one PostgreSQL', () => {
  const { fx, dbUrl } = e2eContext();

  it('commands made on node A reach an agent on node B once each, in order; node A shows it online', async () => {
    // One after the other: both nodes migrate the same database at start.
    const nodeA = await startCentral(fx, { databaseUrl: dbUrl() });
    const nodeB = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(nodeB, 'store-mn', dataDir);
    const agent = await startAgent(fx, { dataDir });
    await waitFor(async () => (await agentStatus(agent)).online, { what: 'agent online on node B' });

    const puts = [
      ['SKU-1', 'Blue mug', 450],
      ['SKU-2', 'Red mug', 450],
      ['SKU-1', 'Blue mug large', 550],
      ['SKU-1', 'Blue mug XL', 650],
    ] as const;
    for (const [sku, name, price] of puts) expect((await nodeA.api.put(`/items/${sku}`, { name, price, currency: 'EUR' })).status).toBe(200);

    await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq === 4, { what: 'agent applied command 4' });
    await waitFor(async () => (await device(nodeA, 'store-mn')).appliedCommandSeq === 4, { what: 'ack visible on node A' });
    const items = await agent.api.get<{ items: { sku: string; name: string; price: number; version: number }[] }>('/items');
    expect(items.body.items).toEqual([
      expect.objectContaining({ sku: 'SKU-1', name: 'Blue mug XL', price: 650, version: 3 }),
      expect.objectContaining({ sku: 'SKU-2', name: 'Red mug', price: 450, version: 1 }),
    ]);

    // Node A holds no socket of this agent, yet reports it online (it asks node B through the adapter).
    const onA = await nodeA.api.get<{ items: { storeId: string; online: boolean; devices: DeviceRow[] }[] }>('/stores');
    const store = onA.body.items.find((s) => s.storeId === 'store-mn');
    expect(store?.online).toBe(true);
    expect(store?.devices[0]?.online).toBe(true);

    await agent.proc.stop();
    expect(appliedJournal(dataDir)).toEqual([1, 2, 3, 4].map((seq) => ({ seq, outcome: 'applied' })));
    await waitFor(async () => !(await device(nodeA, 'store-mn')).online, { what: 'node A to see the agent gone' });
  });

  it('an agent that reconnects to the other node in the middle of a batch ends with every event stored once', async () => {
    const nodeA = await startCentral(fx, { databaseUrl: dbUrl() });
    const nodeB = await startCentral(fx, { databaseUrl: dbUrl() });
    // The agent only knows the proxy (a load balancer), which first points at a dead port: the store is offline
    // while it captures. Enrolment goes to A directly (the CLI runs synchronously here and would block the
    // in-process proxy), then agent.json is pointed at the proxy.
    const proxy: TcpProxy = await startTcpProxy(await freePort());
    try {
      const dataDir = fx.tempDir('outpost-agent-');
      const { deviceId } = await enrollAgent(nodeA, 'store-lb', dataDir);
      const cfgPath = join(dataDir, 'agent.json');
      writeFileSync(cfgPath, JSON.stringify({ ...(JSON.parse(readFileSync(cfgPath, 'utf8')) as object), centralUrl: proxy.url }, null, 2));
      const agent = await startAgent(fx, { dataDir, env: { OUTPOST_BATCH_EVENTS: '100' } });
      const N = 3000;
      const { captured } = await captureMany(agent, N);
      expect((await agentStatus(agent)).pendingUp).toBe(N);

      proxy.switchTo(nodeA.port);
      const atSwitch = await waitFor(
        async () => {
          const acked = (await device(nodeA, 'store-lb')).ackedSeq;
          return acked > 0 ? acked : null;
        },
        { intervalMs: 10, what: 'node A to store the first batches' },
      );
      const acceptedBefore = proxy.accepted;
      proxy.switchTo(nodeB.port); // cuts the link with batches in flight; the agent reconnects and lands on B
      expect(atSwitch).toBeLessThan(N);

      const drained = await waitDrained(agent);
      expect(drained.lastAckedSeq).toBe(N);
      expect(proxy.accepted).toBeGreaterThan(acceptedBefore);

      const events = await allEvents(nodeB, 'store-lb');
      expect(events.map((e) => e.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
      expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(captured.map((c) => c.eventId)));
      expect(events.every((e) => e.deviceId === deviceId)).toBe(true);
      expect((await allEvents(nodeA, 'store-lb')).length).toBe(N);
      expect((await agentStatus(agent)).pendingUp).toBe(0);
    } finally {
      await proxy.close();
    }
  });
});
