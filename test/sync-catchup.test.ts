import { describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { captureMany } from './support/capture.js';

describe('offline capture then catch-up', () => {
  const { fx, dbUrl } = e2eContext();

  it('5,000 events captured offline, with repeated POS ids, reach central exactly once in seq order', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dataDir = fx.tempDir('outpost-agent-');
    const { deviceId } = await enrollAgent(central, 'store-a', dataDir);
    await central.proc.stop(); // the link to head office is down from here on

    const agent = await startAgent(fx, { dataDir });
    const { captured, repeats } = await captureMany(agent, 5000, { repeatEvery: 10 });
    expect(captured).toHaveLength(5000);
    // A POS transaction id captured twice yields the first event, not a second one.
    expect(repeats.length).toBe(500);
    for (const r of repeats) {
      expect(r.status).toBe(200);
      expect(r.again).toBe(r.first);
    }
    const offline = await agentStatus(agent);
    expect(offline.online).toBe(false);
    expect(offline.pendingUp).toBe(5000);
    // The per-device seq is gap-free: exactly 1..5000.
    expect(captured.map((c) => c.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));

    const back = await startCentral(fx, { databaseUrl: dbUrl(), port: central.port });
    const drained = await waitDrained(agent);
    expect(drained.lastAckedSeq).toBe(5000);

    const events = await allEvents(back, 'store-a');
    expect(events).toHaveLength(5000);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(5000);
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(captured.map((c) => c.eventId)));
    // Stored in seq order for the device.
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(events.every((e) => e.deviceId === deviceId && e.storeId === 'store-a')).toBe(true);
    const saleIds = events.filter((e) => e.type === 'sale.completed').map((e) => e.payload.transactionId);
    expect(new Set(saleIds).size).toBe(saleIds.length);

    const stores = await back.api.get<{ items: { storeId: string; devices: { deviceId: string; ackedSeq: number; online: boolean }[] }[] }>('/stores');
    const dev = stores.body.items.find((s) => s.storeId === 'store-a')?.devices.find((d) => d.deviceId === deviceId);
    expect(dev?.ackedSeq).toBe(5000);
    expect(dev?.online).toBe(true);
  });
});
