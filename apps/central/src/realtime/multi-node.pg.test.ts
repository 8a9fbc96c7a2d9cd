import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandsMessageSchema, type RawCommand } from '@outpost/shared';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../testing/harness.js';

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

    // Presence is per node: B sees the device online, A does not hold its socket.
    type Fleet = { items: { devices: { online: boolean; appliedCommandSeq: number }[] }[] };
    await waitFor(async () => (await nodeB.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.appliedCommandSeq === 1, { what: 'ack recorded' });
    expect((await nodeB.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.online).toBe(true);
    expect((await nodeA.api.get<Fleet>('/stores')).body.items[0]!.devices[0]!.online).toBe(false);

    const dropped = new Promise<string>((resolve) => raw.socket.once('disconnect', (reason) => resolve(reason)));
    expect((await nodeA.api.post(`/devices/${dev.deviceId}/revoke`)).status).toBe(200);
    expect(await dropped).toBe('io server disconnect');
  });
});
