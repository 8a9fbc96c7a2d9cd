import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { captureMany } from './support/capture.js';
import { appendRawOutboxEvent } from './support/agent-db.js';

interface QuarantineItem {
  id: string;
  storeId: string;
  seq: number;
  eventId: string | null;
  error: string;
  status: string;
}

describe('quarantine', () => {
  const { fx, dbUrl } = e2eContext();

  it('a batch holding one schema-invalid event: it is quarantined with a readable error, the rest stored, the agent moves on', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-q', dataDir);
    await central.proc.stop();

    let agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 10);
    await agent.proc.stop();
    // An older agent build with a bug wrote a sale with a negative quantity into the outbox (capture validates
    // today, so the test writes the row itself, as that build would have).
    const bad = appendRawOutboxEvent(dataDir, (env) => {
      const payload = env.payload as { lines: { qty: number }[] };
      payload.lines[0]!.qty = -2;
    });
    agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 10, { start: 100 });

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    await waitDrained(agent, 'agent to drain past the bad event');

    const events = await allEvents(back, 'store-q');
    expect(events).toHaveLength(20);
    expect(events.map((e) => e.seq)).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), ...Array.from({ length: 10 }, (_, i) => i + 12)]);
    const q = await back.api.get<{ items: QuarantineItem[]; next: string | null }>('/quarantine?storeId=store-q');
    expect(q.status).toBe(200);
    expect(q.body.items).toHaveLength(1);
    const item = q.body.items[0]!;
    expect(item).toMatchObject({ storeId: 'store-q', seq: 11, eventId: bad.eventId, status: 'open' });
    expect(item.error).toMatch(/payload\.lines\.0\.qty/);
    expect(item.error).toMatch(/positive/);

    // Replaying it without a fix keeps it in quarantine and says why.
    const replay = await back.api.post<{ error: { code: string; message: string } }>(`/quarantine/${item.id}/replay`);
    expect(replay.status).toBe(422);
    expect(replay.body.error.message).toMatch(/qty/);
  });
});
