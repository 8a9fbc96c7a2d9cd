import { cpSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle } from './support/procs.js';
import { waitFor } from './support/wait.js';

// A till restored from an older copy of its data folder, with real processes: its command journal goes back, so
// central resends the store's commands from there, and its own record of picks and handovers made since is gone.
// The restored till must not offer those reservations to pick again, and what it does again before it hears from
// central (offline) must not move stock twice.

interface Pick {
  reservationId: string;
  status: string;
}
interface Reservation {
  status: string;
  lines: { sku: string; qty: number; pickedQty: number | null }[];
  history: { to: string }[];
}

async function reserve(central: CentralHandle, orderId: string, qty: number): Promise<string> {
  const r = await central.api.post<{ reservationId: string }>('/reservations', { orderId, storeId: 'store-rp', lines: [{ sku: 'A', qty }] });
  if (r.status !== 201) throw new Error(`POST /reservations: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.reservationId;
}
async function picks(agent: AgentHandle, status: string): Promise<string[]> {
  const r = await agent.api.get<{ items: Pick[] }>(`/picks?status=${status}`);
  if (r.status !== 200) throw new Error(`GET /picks: ${r.status}`);
  return r.body.items.map((p) => p.reservationId).sort();
}
async function pickAndHandOver(agent: AgentHandle, reservationId: string, qty: number): Promise<void> {
  const c = await agent.api.post(`/picks/${reservationId}/confirm`, { lines: [{ sku: 'A', pickedQty: qty }] });
  if (c.status !== 201) throw new Error(`confirm ${reservationId}: ${c.status} ${JSON.stringify(c.body)}`);
  const h = await agent.api.post(`/picks/${reservationId}/handover`, {});
  if (h.status !== 201) throw new Error(`handover ${reservationId}: ${h.status} ${JSON.stringify(h.body)}`);
}
async function reservation(central: CentralHandle, id: string): Promise<Reservation> {
  return (await central.api.get<Reservation>(`/reservations/${id}`)).body;
}
async function onHand(central: CentralHandle): Promise<number> {
  return (await central.api.get<{ items: { onHand: number }[] }>('/inventory?storeId=store-rp&sku=A')).body.items[0]!.onHand;
}

describe('a till restored from an older copy, with reservations', () => {
  const { fx, dbUrl } = e2eContext();

  it('shows what was picked and collected since the copy as such, and a pick and handover done again offline move stock once', async () => {
    let central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    const backup = fx.tempDir('outpost-agent-copy-');
    await enrollAgent(central, 'store-rp', dataDir);
    expect((await central.api.post('/stores/store-rp/receipts', { receiptId: 'RC-1', lines: [{ sku: 'A', qty: 10 }] })).status).toBe(201);
    let agent = await startAgent(fx, { dataDir });

    // Two reservations reach the till; then its folder is copied (a PC image backup).
    const r0 = await reserve(central, 'O-0', 2);
    const r1 = await reserve(central, 'O-1', 1);
    await waitFor(async () => (await picks(agent, 'delivered')).length === 2, { what: 'two reservations at the till' });
    await agent.proc.kill9();
    cpSync(dataDir, backup, { recursive: true });

    // After the copy: both are picked and handed over, and a third is reserved and collected.
    agent = await startAgent(fx, { dataDir, port: agent.port });
    await pickAndHandOver(agent, r0, 2);
    await pickAndHandOver(agent, r1, 1);
    const r2 = await reserve(central, 'O-2', 3);
    await waitFor(async () => (await picks(agent, 'delivered')).includes(r2), { what: 'the third reservation at the till' });
    await pickAndHandOver(agent, r2, 3);
    await waitDrained(agent, 'picks and handovers to sync');
    for (const id of [r0, r1, r2]) await waitFor(async () => (await reservation(central, id)).status === 'collected', { what: `${id} collected at central` });
    expect(await onHand(central)).toBe(4);
    const r1History = (await reservation(central, r1)).history;
    await agent.proc.kill9();

    // The old copy is put back and the till starts while central is unreachable: it still offers r0 and r1.
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(backup, dataDir, { recursive: true });
    await central.proc.stop();
    agent = await startAgent(fx, { dataDir, port: agent.port });
    expect(await picks(agent, 'delivered')).toEqual([r0, r1].sort());
    // The associate picks r1 again and hands it over (the till cannot know better yet).
    await pickAndHandOver(agent, r1, 1);

    central = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    await waitDrained(agent, 'the restored till to sync');
    // Central's word reaches the till: nothing is left to pick, r0 and r2 show as collected.
    await waitFor(async () => (await picks(agent, 'delivered')).length === 0, { what: 'the pick list of the restored till to empty' });
    await waitFor(async () => (await picks(agent, 'collected')).length === 3, { what: 'three collected reservations at the restored till' });
    expect(await picks(agent, 'collected')).toEqual([r0, r1, r2].sort());

    // The second pick and handover of r1 are stored as the till's record, logged, and applied to nothing.
    const events = (await central.api.get<{ items: { type: string; payload: { reservationId?: string } }[] }>('/events?storeId=store-rp&limit=1000')).body.items;
    expect(events.filter((e) => e.payload.reservationId === r1).map((e) => e.type)).toEqual(['pick.confirmed', 'pickup.completed', 'pick.confirmed', 'pickup.completed']);
    const repeats = await central.api.get<{ items: { inputs: { type: string; reservationId: string } }[] }>('/conflicts?storeId=store-rp&kind=pick_repeated');
    expect(repeats.body.items.map((c) => [c.inputs.type, c.inputs.reservationId]).sort()).toEqual([
      ['pick.confirmed', r1],
      ['pickup.completed', r1],
    ]);
    expect(await onHand(central)).toBe(4);
    expect((await reservation(central, r1)).history).toEqual(r1History);
  });
});
