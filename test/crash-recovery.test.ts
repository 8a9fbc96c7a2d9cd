import { describe, expect, it } from 'vitest';
import { e2eContext, firstDevice, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { captureMany, documentFor } from './support/capture.js';
import { waitFor } from './support/wait.js';

async function storedSeq(central: CentralHandle, storeId: string): Promise<number> {
  return (await firstDevice(central, storeId))?.ackedSeq ?? 0;
}

function expectExactlyOnce(events: { eventId: string; seq: number }[], ids: string[], total: number) {
  expect(events).toHaveLength(total);
  expect(new Set(events.map((e) => e.eventId)).size).toBe(total);
  expect(events.map((e) => e.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  const have = new Set(events.map((e) => e.eventId));
  for (const id of ids) expect(have.has(id)).toBe(true);
}

describe('crashes in the middle of a sync', () => {
  const { fx, dbUrl } = e2eContext();

  it('agent killed -9 after sending a batch, before its ack: restart loses nothing and duplicates nothing', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-k', dataDir);
    await central.proc.stop();

    // Small batches so the crash lands in the middle; the fault SIGKILLs the agent right after it emits batch 3.
    const env = { OUTPOST_BATCH_EVENTS: '200', OUTPOST_FAULT: 'agent.crashAfterBatchSent=3' };
    const agent = await startAgent(fx, { dataDir, env });
    const { captured } = await captureMany(agent, 3000);
    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    const exit = await agent.proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    const partial = await storedSeq(back, 'store-k');
    expect(partial).toBeLessThan(3000);

    const again = await startAgent(fx, { dataDir, env: { OUTPOST_BATCH_EVENTS: '200' } });
    const s = await waitDrained(again, 'drain after agent crash');
    expect(s.lastAckedSeq).toBe(3000);
    expectExactlyOnce(await allEvents(back, 'store-k'), captured.map((c) => c.eventId), 3000);
  });

  it('agent killed -9 from outside while capturing and forwarding: every acknowledged capture arrives once', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-x', dataDir);
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_BATCH_EVENTS: '50' } });

    // Tills keep posting while central ingests; kill -9 the agent once central holds some of it.
    const acknowledged: string[] = [];
    let i = 0;
    let stop = false;
    const lane = async () => {
      while (!stop) {
        const doc = documentFor(i++);
        try {
          const r = await agent.api.post<{ eventId: string }>(doc.path, doc.body);
          if (r.status === 201) acknowledged.push(r.body.eventId);
        } catch {
          return; // the agent is gone: this request was never acknowledged
        }
      }
    };
    const lanes = Promise.all([lane(), lane(), lane(), lane()]);
    await waitFor(async () => (await storedSeq(central, 'store-x')) >= 300, { what: 'central to hold 300 events' });
    await agent.proc.kill9();
    stop = true;
    await lanes;
    expect(acknowledged.length).toBeGreaterThanOrEqual(300);

    const again = await startAgent(fx, { dataDir });
    const s = await waitDrained(again, 'drain after external kill -9');
    // Captures committed but not yet answered when the process died are kept too: seq stays gap-free.
    const events = await allEvents(central, 'store-x');
    expect(s.lastAckedSeq).toBe(events.length);
    expectExactlyOnce(events, acknowledged, events.length);
  });

  it('central killed -9 inside a batch transaction: the batch is redone once after restart', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-c', dataDir);
    await central.proc.stop();

    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_BATCH_EVENTS: '200' } });
    const { captured } = await captureMany(agent, 2000);
    // This central SIGKILLs itself after inserting batch 2's rows, before COMMIT.
    const crashing = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port, env: { OUTPOST_FAULT: 'central.crashBeforeCommit=2' }, waitReady: false });
    const exit = await crashing.proc.exited;
    expect(exit.signal).toBe('SIGKILL');
    const mid = await agentStatus(agent);
    expect(mid.lastAckedSeq).toBeLessThanOrEqual(200);
    expect(mid.pendingUp).toBeGreaterThanOrEqual(1800);

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    await waitDrained(agent, 'drain after central crash');
    expectExactlyOnce(await allEvents(back, 'store-c'), captured.map((c) => c.eventId), 2000);
  });
});
