import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandsMessageSchema, refusal, seedSchema, type RawCommand, type Seed } from '@outpost/shared';
import { RawAgent } from '../../../../test/support/raw-agent.js';
import { waitFor } from '../../../../test/support/wait.js';
import { enrol, startTestCentral, type TestCentral } from '../../../../test/support/central.js';

interface StoreRow {
  storeId: string;
  commandSeq: number;
  devices: { deviceId: string; appliedCommandSeq: number }[];
}

/** A hand-driven till that records, in arrival order, every `seed` and `commands` message and acks them. */
function record(raw: RawAgent, seedAnswer: (s: Seed) => unknown = (s) => ({ ok: true, appliedSeq: s.atSeq })) {
  const log: ({ kind: 'seed'; seed: Seed } | { kind: 'commands'; commands: RawCommand[] })[] = [];
  raw.socket.on('seed', (msg: unknown, ack: (a: unknown) => void) => {
    const seed = seedSchema.parse(msg);
    log.push({ kind: 'seed', seed });
    ack(seedAnswer(seed));
  });
  raw.socket.on('commands', (msg: unknown, ack: (a: unknown) => void) => {
    const { commands } = commandsMessageSchema.parse(msg);
    log.push({ kind: 'commands', commands });
    ack({ appliedSeq: commands.at(-1)!.seq });
  });
  return {
    log,
    seqs: () => log.flatMap((m) => (m.kind === 'commands' ? m.commands.map((c) => c.seq) : [])),
  };
}

describe('store seed for a till that holds no picture (protocol v3)', () => {
  let tc: TestCentral;
  const raws: RawAgent[] = [];
  beforeEach(async () => {
    tc = await startTestCentral({ commandAckTimeoutMs: 5000 });
  });
  afterEach(async () => {
    for (const r of raws.splice(0)) r.close();
    await tc.close();
  });

  async function till(storeId: string, createStore: boolean, protocolVersion?: number) {
    const a = await enrol(tc, storeId, { createStore });
    const raw = new RawAgent(tc.url, a.token, a.storeId, a.deviceId, protocolVersion);
    raws.push(raw);
    await raw.connected();
    return { raw, ...a };
  }
  const store = async (storeId: string) => (await tc.api.get<{ items: StoreRow[] }>('/stores')).body.items.find((s) => s.storeId === storeId)!;

  /** A store with an item master, received stock and two open reservations, all through central's API. */
  async function storeWithHistory(storeId: string) {
    const first = await till(storeId, true);
    for (const [sku, price] of [['MUG', 450], ['TEA', 300], ['MUG', 500]] as const) {
      expect((await tc.api.put(`/items/${sku}`, { name: sku, price, currency: 'EUR' })).status).toBe(200);
    }
    expect((await tc.api.post(`/stores/${storeId}/receipts`, { receiptId: 'RCV-1', lines: [{ sku: 'MUG', qty: 10 }, { sku: 'TEA', qty: 5 }] })).status).toBe(201);
    for (const [orderId, sku, qty] of [['web-1', 'MUG', 2], ['web-2', 'TEA', 1]] as const) {
      expect((await tc.api.post('/reservations', { orderId, storeId, lines: [{ sku, qty }] })).status).toBe(201);
    }
    return first;
  }

  it('sends the picture at the store\'s command seq before the stream, appends no command, and resumes after it', async () => {
    const old = await storeWithHistory('store-s');
    const oldLog = record(old.raw);
    expect(await old.raw.hello()).toMatchObject({ ok: true });
    const before = await store('store-s');
    expect(before.commandSeq).toBe(6); // 3 items, 1 receipt, 2 reservations
    await waitFor(async () => oldLog.seqs().length === 6, { what: 'the old till to get the whole stream' });

    const repl = await till('store-s', false);
    const replLog = record(repl.raw);
    expect(await repl.raw.hello({ seed: true })).toMatchObject({ ok: true });
    await waitFor(async () => (await store('store-s')).devices.find((d) => d.deviceId === repl.deviceId)?.appliedCommandSeq === 6, { what: 'the seed acked' });

    expect(replLog.log.map((m) => m.kind)).toEqual(['seed']);
    const seed = (replLog.log[0] as { seed: Seed }).seed;
    expect(seed.atSeq).toBe(6);
    expect(seed.deviceStoredSeq).toBe(0);
    expect(seed.items).toEqual([
      { sku: 'MUG', name: 'MUG', price: 500, currency: 'EUR', version: 2 },
      { sku: 'TEA', name: 'TEA', price: 300, currency: 'EUR', version: 1 },
    ]);
    expect(seed.stock).toEqual([
      { sku: 'MUG', onHand: 10, damaged: 0, quarantine: 0 },
      { sku: 'TEA', onHand: 5, damaged: 0, quarantine: 0 },
    ]);
    expect(seed.picks.map((p) => [p.orderId, p.status, p.lines, p.createdSeq])).toEqual(
      expect.arrayContaining([
        ['web-1', 'delivered', [{ sku: 'MUG', qty: 2, pickedQty: null }], 5],
        ['web-2', 'delivered', [{ sku: 'TEA', qty: 1, pickedQty: null }], 6],
      ]),
    );
    expect((await store('store-s')).commandSeq).toBe(6); // reading the picture created no command

    // The next command reaches both tills once; the replacement never sees a seq at or below the seed's.
    await tc.api.put('/items/TEA', { name: 'Green tea', price: 320, currency: 'EUR' });
    await waitFor(async () => replLog.seqs().length === 1 && oldLog.seqs().length === 7, { what: 'command 7 at both tills' });
    expect(replLog.seqs()).toEqual([7]);
    expect(oldLog.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('a seed that carries reservations tells the order system they are delivered, with no command after it', async () => {
    await storeWithHistory('store-d'); // its first till never connects: both reservations stay requested
    const statusOf = async () =>
      (await tc.api.get<{ items: { orderId: string; status: string }[] }>('/reservations?storeId=store-d')).body.items.map((r) => [r.orderId, r.status]).sort();
    expect(await statusOf()).toEqual([['web-1', 'requested'], ['web-2', 'requested']]);
    const t = await till('store-d', false);
    record(t.raw);
    expect(await t.raw.hello({ seed: true })).toMatchObject({ ok: true });
    await waitFor(async () => (await statusOf()).every(([, s]) => s === 'delivered'), { what: 'both reservations delivered' });
  });

  it('answers a till that does not ask, or speaks protocol v2, with the whole stream as before', async () => {
    await storeWithHistory('store-v2');
    const v2 = await till('store-v2', false, 2);
    const log = record(v2.raw);
    expect(await v2.raw.hello({ seed: true })).toMatchObject({ ok: true, protocolVersion: 2 });
    await waitFor(async () => log.seqs().length === 6, { what: 'the whole stream' });
    expect(log.log.some((m) => m.kind === 'seed')).toBe(false);
  });

  it('goes on with the stream from hello when the till refuses the seed', async () => {
    await storeWithHistory('store-r');
    const t = await till('store-r', false);
    const log = record(t.raw, () => refusal('bad_request', 'this till is not waiting for a seed'));
    expect(await t.raw.hello({ seed: true })).toMatchObject({ ok: true });
    await waitFor(async () => log.seqs().length === 6, { what: 'the stream after a refused seed' });
    expect(log.log[0]?.kind).toBe('seed');
    expect(log.seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
