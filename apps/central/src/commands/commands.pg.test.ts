import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandsMessageSchema, parseCommandPayload, type RawCommand } from '@outpost/shared';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { appendCommand, CommandNotices } from './command-stream.js';
import { withTransaction } from '../platform/index.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

interface DeviceRow {
  appliedCommandSeq: number;
  pendingCommands: number;
}

async function device(tc: TestCentral, storeId: string): Promise<DeviceRow & { commandSeq: number }> {
  const r = await tc.api.get<{ items: { storeId: string; commandSeq: number; devices: DeviceRow[] }[] }>('/stores');
  const s = r.body.items.find((x) => x.storeId === storeId);
  if (!s?.devices[0]) throw new Error(`no device in ${storeId}`);
  return { ...s.devices[0], commandSeq: s.commandSeq };
}

/** A hand-driven agent that records every `commands` message and acks what `applied` decides. */
function recordCommands(raw: RawAgent, applied: (cmds: RawCommand[]) => number = (cmds) => cmds.at(-1)!.seq) {
  const received: RawCommand[] = [];
  raw.socket.on('commands', (msg: unknown, ack: (a: unknown) => void) => {
    const parsed = commandsMessageSchema.parse(msg);
    received.push(...parsed.commands);
    ack({ appliedSeq: applied(parsed.commands) });
  });
  return received;
}

describe('agent gateway: command push', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    tc = await startTestCentral({ commandAckTimeoutMs: 2000 });
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await tc.close();
  });

  async function connect(storeId: string, createStore = true) {
    const a = await enrol(tc, storeId, { createStore });
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    raws.push(raw);
    await raw.connected();
    return { raw, ...a };
  }

  it('pushes commands created while connected, in order, and the ack advances appliedCommandSeq', async () => {
    const { raw } = await connect('store-live');
    const received = recordCommands(raw);
    expect(await raw.hello()).toMatchObject({ ok: true });
    for (const [sku, price] of [['SKU-1', 100], ['SKU-2', 200], ['SKU-1', 150]] as const) {
      expect((await tc.api.put(`/items/${sku}`, { name: sku, price, currency: 'EUR' })).status).toBe(200);
    }
    await waitFor(async () => (await device(tc, 'store-live')).appliedCommandSeq === 3, { what: 'central to record command 3 applied' });
    expect(received.map((c) => c.seq)).toEqual([1, 2, 3]);
    const parsed = received.map((c) => parseCommandPayload(c));
    expect(parsed.every((p) => p.ok)).toBe(true);
    expect(received.map((c) => [c.type, c.storeId, (c.payload as { sku: string; version: number }).sku, (c.payload as { version: number }).version])).toEqual([
      ['item.upserted', 'store-live', 'SKU-1', 1],
      ['item.upserted', 'store-live', 'SKU-2', 1],
      ['item.upserted', 'store-live', 'SKU-1', 2],
    ]);
    expect(await device(tc, 'store-live')).toMatchObject({ appliedCommandSeq: 3, pendingCommands: 0, commandSeq: 3 });
  });

  it('pushes a command created before connect after hello, from the seq the agent says it applied', async () => {
    const a = await enrol(tc, 'store-off');
    const b = await enrol(tc, 'store-off2');
    for (const price of [100, 200, 300]) await tc.api.put('/items/SKU-9', { name: 'Umbrella', price, currency: 'EUR' });
    expect(await device(tc, 'store-off')).toMatchObject({ appliedCommandSeq: 0, pendingCommands: 3, commandSeq: 3 });

    const rawA = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    raws.push(rawA);
    await rawA.connected();
    const gotA = recordCommands(rawA);
    // Nothing is pushed before hello: the agent has not said where it stands.
    expect(await rawA.hello({ appliedCommandSeq: 1 })).toMatchObject({ ok: true });
    await waitFor(async () => (await device(tc, 'store-off')).appliedCommandSeq === 3, { what: 'store-off caught up' });
    expect(gotA.map((c) => c.seq)).toEqual([2, 3]);

    const rawB = new RawAgent(tc.url, b.token, b.storeId, b.deviceId);
    raws.push(rawB);
    await rawB.connected();
    const gotB = recordCommands(rawB);
    await rawB.hello();
    await waitFor(async () => (await device(tc, 'store-off2')).appliedCommandSeq === 3, { what: 'store-off2 caught up' });
    expect(gotB.map((c) => (c.payload as { price: number }).price)).toEqual([100, 200, 300]);
    expect(gotB.every((c) => c.storeId === 'store-off2')).toBe(true);
  });

  it('resumes after an agent that stopped short: the unapplied commands come again on the next trigger', async () => {
    const { raw } = await connect('store-short');
    let budget = 1;
    // Applies one command per message only, as an agent failing on the second would.
    const received = recordCommands(raw, (cmds) => {
      const upTo = cmds[0]!.seq - 1 + Math.min(budget, cmds.length);
      budget = 99;
      return upTo;
    });
    await tc.api.put('/items/A', { name: 'A', price: 1, currency: 'EUR' });
    await tc.api.put('/items/B', { name: 'B', price: 2, currency: 'EUR' });
    await raw.hello();
    await waitFor(async () => (await device(tc, 'store-short')).appliedCommandSeq === 1, { what: 'first command applied' });
    await tc.api.put('/items/C', { name: 'C', price: 3, currency: 'EUR' });
    await waitFor(async () => (await device(tc, 'store-short')).appliedCommandSeq === 3, { what: 'all applied after the next trigger' });
    expect(received.map((c) => c.seq)).toEqual([1, 2, 2, 3]);
  });

  it('a second device of the store gets the same stream, with its own acks', async () => {
    const one = await connect('store-two');
    const two = await connect('store-two', false);
    const gotOne = recordCommands(one.raw);
    const gotTwo = recordCommands(two.raw, () => 0); // never applies anything
    await one.raw.hello();
    await two.raw.hello();
    await tc.api.put('/items/X', { name: 'X', price: 5, currency: 'EUR' });
    await waitFor(() => gotOne.length === 1 && gotTwo.length === 1, { what: 'both devices to receive the command' });
    type Fleet = { items: { devices: { deviceId: string; appliedCommandSeq: number; pendingCommands: number }[] }[] };
    const fleet = await waitFor(async () => {
      const r = await tc.api.get<Fleet>('/stores');
      const devices = Object.fromEntries(r.body.items[0]!.devices.map((d) => [d.deviceId, d]));
      return devices[one.deviceId]?.appliedCommandSeq === 1 ? devices : null;
    }, { what: 'device one ack recorded' });
    expect(fleet[one.deviceId]).toMatchObject({ appliedCommandSeq: 1, pendingCommands: 0 });
    expect(fleet[two.deviceId]).toMatchObject({ appliedCommandSeq: 0, pendingCommands: 1 });
  });
});

describe('agent gateway: a command whose notice was lost', () => {
  it('still reaches a connected store through the periodic re-check', async () => {
    const tc = await startTestCentral({ commandAckTimeoutMs: 2000, commandRecheckMs: 200 });
    const a = await enrol(tc, 'store-quiet');
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId);
    try {
      await raw.connected();
      const received = recordCommands(raw);
      expect(await raw.hello()).toMatchObject({ ok: true });
      // Committed, but the notice is never sent (as if central crashed between COMMIT and the notify).
      await withTransaction(tc.central.app.db.pool, (tx) =>
        appendCommand(tx, new CommandNotices(), 'store-quiet', 'item.upserted', { sku: 'SKU-Q', name: 'Quiet', price: 1, currency: 'EUR', version: 1 }, 'corr-q'),
      );
      await waitFor(() => received.length === 1, { what: 'the command pushed without a notice' });
      expect(received[0]).toMatchObject({ seq: 1, type: 'item.upserted' });
    } finally {
      raw.close();
      await tc.close();
    }
  });
});
