import { cpSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type AgentHandle } from './support/procs.js';
import { saleBody } from './support/capture.js';

// Issue 11, case 1, with real processes: a till's data folder restored from an older copy numbers new sales with
// seqs central already holds under other event ids. Every one of them must reach central, once.

async function sell(agent: AgentHandle, from: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    const r = await agent.api.post<{ eventId: string }>('/sales', saleBody(`T-${i}`, i));
    if (r.status !== 201) throw new Error(`sale T-${i}: ${r.status} ${JSON.stringify(r.body)}`);
    ids.push(r.body.eventId);
  }
  return ids;
}

describe('a till restored from an older copy of its data folder', () => {
  const { fx, dbUrl } = e2eContext();

  it('loses no sale: its new events are renumbered after central, every sale stored once, seq gap-free', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    const backup = fx.tempDir('outpost-agent-copy-');
    await enrollAgent(central, 'store-rs', dataDir);

    let agent = await startAgent(fx, { dataDir });
    const acked: string[] = await sell(agent, 0, 20);
    await waitDrained(agent, 'first 20 sales to sync');
    // The copy is taken the way an image backup is: of a folder whose process died mid-flight.
    await agent.proc.kill9();
    cpSync(dataDir, backup, { recursive: true });

    agent = await startAgent(fx, { dataDir, port: agent.port });
    acked.push(...(await sell(agent, 20, 30)));
    await waitDrained(agent, 'next 30 sales to sync');
    expect((await agentStatus(agent)).lastAckedSeq).toBe(50);
    await agent.proc.kill9();

    // Put the old copy back and sell 40 more while central is unreachable: every one is answered 201.
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(backup, dataDir, { recursive: true });
    await central.proc.stop();
    agent = await startAgent(fx, { dataDir, port: agent.port });
    expect((await agentStatus(agent)).lastAckedSeq).toBe(20);
    acked.push(...(await sell(agent, 50, 40)));
    expect(await agentStatus(agent)).toMatchObject({ online: false, pendingUp: 40 });

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    const s = await waitDrained(agent, 'restored till to drain');
    expect(s.lastAckedSeq).toBe(90);

    const events = await allEvents(back, 'store-rs');
    expect(events).toHaveLength(90);
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(acked));
    expect(events.map((e) => e.payload.transactionId).sort()).toEqual(Array.from({ length: 90 }, (_, i) => `T-${i}`).sort());
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 90 }, (_, i) => i + 1));
    // The 40 sold after the restore took seqs 51..90 in the order they were sold.
    const restoredSeqs = events.filter((e) => Number(String(e.payload.transactionId).slice(2)) >= 50).sort((a, b) => a.seq - b.seq);
    expect(restoredSeqs.map((e) => e.payload.transactionId)).toEqual(Array.from({ length: 40 }, (_, i) => `T-${50 + i}`));
    expect(restoredSeqs[0]!.seq).toBe(51);
    expect((await back.api.get<{ items: unknown[] }>('/quarantine?storeId=store-rs')).body.items).toHaveLength(0);

    // Central says what happened, where an operator looks.
    const conflicts = await back.api.get<{ items: { kind: string; resolution: string }[] }>('/conflicts?storeId=store-rs&kind=device_restored');
    expect(conflicts.body.items).toHaveLength(1);
    expect(conflicts.body.items[0]!.resolution).toMatch(/restored from an older copy.*40 events from seq 21 renumbered after seq 50/);

    // A till retrying a sale sold after the restore gets the same event, under its new seq.
    const retry = await agent.api.post<{ eventId: string; seq: number }>('/sales', saleBody('T-50', 50));
    expect(retry.status).toBe(200);
    expect(retry.body).toMatchObject({ eventId: acked[50], seq: 51 });
    expect((await sell(agent, 90, 1)).length).toBe(1);
    const last = await waitDrained(agent, 'a sale after the restore to sync');
    expect(last.lastAckedSeq).toBe(91);
  });
});
