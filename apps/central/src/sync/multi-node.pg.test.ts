import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandsMessageSchema, type RawCommand } from '@outpost/shared';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

// Two central nodes in one process on one database: nothing is shared but PostgreSQL (no module-level state).
describe('two central nodes on one database', () => {
  let nodeA: TestCentral;
  let nodeB: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    nodeA = await startTestCentral();
    nodeB = await startTestCentral({ shareWith: nodeA });
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await nodeB.close();
    await nodeA.close();
  });

  it('a command created on node A reaches an agent connected to node B; a revocation on A drops it from B', async () => {
    const dev = await enrol(nodeA, 'store-mn');
    const raw = new RawAgent(nodeB.url, dev.token, dev.storeId, dev.deviceId);
    raws.push(raw);
    await raw.connected();
    const received: RawCommand[] = [];
    raw.socket.on('commands', (msg: unknown, ack: (a: unknown) => void) => {
      const m = commandsMessageSchema.parse(msg);
      received.push(...m.commands);
      ack({ appliedSeq: m.commands.at(-1)!.seq });
    });
    expect(await raw.hello()).toMatchObject({ ok: true });

    expect((await nodeA.api.put('/items/SKU-MN', { name: 'Lamp', price: 2500, currency: 'EUR' })).status).toBe(200);
    await waitFor(() => received.length === 1, { what: 'command pushed by node B' });
    expect(received[0]).toMatchObject({ seq: 1, type: 'item.upserted', payload: { sku: 'SKU-MN', version: 1 } });

    // Presence is cluster-wide: B holds the socket, A asks B through the adapter.
    type Fleet = { items: { online: boolean; devices: { online: boolean; appliedCommandSeq: number }[] }[] };
    await waitFor(async () => (await nodeB.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.appliedCommandSeq === 1, { what: 'ack recorded' });
    expect((await nodeB.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.online).toBe(true);
    await waitFor(async () => (await nodeA.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.online, { what: 'node A sees the device on node B' });
    expect((await nodeA.api.get<Fleet>('/stores')).body.items[0]!.online).toBe(true);

    const dropped = new Promise<string>((resolve) => raw.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await nodeA.api.post(`/devices/${dev.deviceId}/revoke`)).status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
    await waitFor(async () => !(await nodeA.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.online, { what: 'node A sees it go' });
  });

  it('one device streaming the same batches through both nodes at once: every event stored once, both answered ok', async () => {
    // Two sockets with one token (a reconnect racing its own ghost): ingest's row lock on the device serialises them.
    const dev = await enrol(nodeA, 'store-race');
    const onA = new RawAgent(nodeA.url, dev.token, dev.storeId, dev.deviceId);
    const onB = new RawAgent(nodeB.url, dev.token, dev.storeId, dev.deviceId);
    raws.push(onA, onB);
    await Promise.all([onA.connected(), onB.connected()]);
    expect(await onA.hello()).toMatchObject({ ok: true });
    expect(await onB.hello()).toMatchObject({ ok: true });
    const events = Array.from({ length: 300 }, (_, i) => onA.sale(i + 1));
    for (let first = 1; first <= 300; first += 100) {
      const batch = events.slice(first - 1, first + 99);
      const [a, b] = await Promise.all([onA.batch(first, batch), onB.batch(first, batch)]);
      expect(a).toMatchObject({ ok: true, storedSeq: first + 99 });
      expect(b).toMatchObject({ ok: true, storedSeq: first + 99 });
      // Exactly one of the two stored the batch; the other found it all there.
      expect([(a as { stored: number }).stored, (b as { stored: number }).stored].sort((x, y) => x - y)).toEqual([0, 100]);
    }
    const stored = await nodeB.api.get<{ items: { seq: number }[] }>(`/events?storeId=${dev.storeId}&limit=1000`);
    expect(stored.body.items.map((e) => e.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });
});
