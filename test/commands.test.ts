import { describe, expect, it } from 'vitest';
import { e2eContext, firstConnection, firstDevice, type DeviceRow } from './support/e2e.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { agentStatus, enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

async function device(central: CentralHandle, storeId: string): Promise<DeviceRow> {
  const d = await firstDevice(central, storeId);
  if (!d) throw new Error(`no device for ${storeId}`);
  return d;
}

describe('commands down to the store', () => {
  const { fx, dbUrl } = e2eContext();

  it('commands created while the store is offline apply once, in order, also across a crash between apply and ack', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-cmd', dataDir);
    await firstConnection(fx, dataDir);
    // The agent is not running: the store is offline while head office changes the item master.
    const puts = [
      ['SKU-1', 'Blue mug', 450],
      ['SKU-2', 'Red mug', 450],
      ['SKU-1', 'Blue mug large', 550],
      ['SKU-3', 'Tea towel', 300],
      ['SKU-1', 'Blue mug XL', 650],
      ['SKU-2', 'Red mug (sale)', 350],
    ] as const;
    for (const [sku, name, price] of puts) {
      const r = await central.api.put(`/items/${sku}`, { name, price, currency: 'EUR' });
      expect(r.status).toBe(200);
    }
    expect(await device(central, 'store-cmd')).toMatchObject({ appliedCommandSeq: 0, pendingCommands: 6 });

    // The agent SIGKILLs itself right after committing command 3, before acking it.
    const crashing = await startAgent(fx, { dataDir, env: { OUTPOST_FAULT: 'agent.crashAfterCommandApplied=3' }, waitReady: false });
    const exit = await crashing.proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    expect((await device(central, 'store-cmd')).appliedCommandSeq).toBeLessThan(3);

    const agent = await startAgent(fx, { dataDir });
    await waitFor(async () => (await device(central, 'store-cmd')).appliedCommandSeq === 6, { what: 'central to see command 6 acked' });
    const s = await agentStatus(agent);
    expect(s.appliedCommandSeq).toBe(6);
    expect((await device(central, 'store-cmd')).pendingCommands).toBe(0);

    const items = await agent.api.get<{ items: { sku: string; name: string; price: number; version: number }[] }>('/items');
    const bySku = Object.fromEntries(items.body.items.map((i) => [i.sku, i]));
    expect(bySku['SKU-1']).toMatchObject({ name: 'Blue mug XL', price: 650, version: 3 });
    expect(bySku['SKU-2']).toMatchObject({ name: 'Red mug (sale)', price: 350, version: 2 });
    expect(bySku['SKU-3']).toMatchObject({ name: 'Tea towel', version: 1 });

    // Each command was applied exactly once, in seq order: the agent's own journal of applied commands says so.
    await agent.proc.stop();
    const sqlite = new Database(join(dataDir, 'agent.db'), { readonly: true });
    try {
      const applied = sqlite.prepare('SELECT seq FROM applied_commands ORDER BY applied_order').all() as { seq: number }[];
      expect(applied.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    } finally {
      sqlite.close();
    }
  });

  it('pushes a command created while the agent is connected', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-live', dataDir);
    const agent = await startAgent(fx, { dataDir });
    await waitFor(async () => (await agentStatus(agent)).online, { what: 'agent online' });
    await central.api.put('/items/SKU-9', { name: 'Umbrella', price: 1299, currency: 'EUR' });
    await waitFor(async () => (await agentStatus(agent)).appliedCommandSeq === 1, { what: 'command applied' });
    const items = await agent.api.get<{ items: { sku: string; name: string }[] }>('/items?sku=SKU-9');
    expect(items.body.items).toEqual([expect.objectContaining({ sku: 'SKU-9', name: 'Umbrella' })]);
    await waitFor(async () => (await device(central, 'store-live')).appliedCommandSeq === 1, { what: 'ack at central' });
  });
});
