import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readEnrolment, writeEnrolment } from '../apps/store-agent/src/core/config.js';
import { saleBody } from './support/capture.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type AgentHandle } from './support/procs.js';
import { startTcpProxy } from './support/tcp-proxy.js';
import { waitFor } from './support/wait.js';

/**
 * Issue 15, retention at the store: a real agent with OUTPOST_RETENTION_DAYS=0 deletes what central acknowledged,
 * while sales keep coming in on several lanes, and never an event central does not hold yet; its database file
 * stops growing across repeated capture/ack cycles.
 */
const RETENTION = { OUTPOST_RETENTION_DAYS: '0', OUTPOST_RETENTION_INTERVAL_MS: '50', OUTPOST_RETENTION_BATCH: '40' };

/** Capture sales `from`..`from+n-1` with six requests in flight; answers the event ids by transaction id. */
async function sell(agent: AgentHandle, from: number, n: number): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  let next = from;
  const lane = async () => {
    while (next < from + n) {
      const i = next++;
      const r = await agent.api.post<{ eventId: string }>('/sales', saleBody(`T-${i}`, i));
      if (r.status !== 201) throw new Error(`sale T-${i}: ${r.status} ${JSON.stringify(r.body)}`);
      ids.set(`T-${i}`, r.body.eventId);
    }
  };
  await Promise.all(Array.from({ length: 6 }, lane));
  return ids;
}

describe('retention at the store (real agent and central)', () => {
  const { fx, dbUrl } = e2eContext();

  it('deletes acknowledged events, never an unacknowledged one, under concurrent capture; the file stops growing', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const proxy = await startTcpProxy(central.port); // the store's link: cut by pointing it at a closed port
    onTestFinished(() => proxy.close());
    const dataDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-r', dataDir);
    writeEnrolment(dataDir, { ...readEnrolment(dataDir), centralUrl: proxy.url });
    const agent = await startAgent(fx, { dataDir, env: RETENTION });
    expect(await agentStatus(agent)).toMatchObject({ retentionDays: 0 });

    // The test's own connection to the agent's file: reads, and a passive checkpoint before each size reading
    // so the main file shows the database as it is (not as of the last automatic checkpoint).
    const file = join(dataDir, 'agent.db');
    const db = new Database(file);
    onTestFinished(() => {
      db.close();
    });
    db.pragma('busy_timeout = 5000');
    const outbox = () => db.prepare('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM outbox').get() as { n: number; lo: number | null; hi: number | null };
    /** Every event the agent has not seen acknowledged is in its outbox, at its seq, gap-free. */
    const checkUnackedKept = async () => {
      const s = await agentStatus(agent);
      const r = db.prepare('SELECT count(*) AS n FROM outbox WHERE seq > ?').get(s.lastAckedSeq) as { n: number };
      // One read transaction: both reads see the same snapshot while the agent captures, acks and deletes.
      const { last, pending } = db.transaction(() => {
        const l = db.prepare('SELECT last_seq AS l, acked_seq AS a FROM sync_state').get() as { l: number; a: number };
        return { last: l, pending: db.prepare('SELECT count(*) AS n FROM outbox WHERE seq > ?').get(l.a) as { n: number } };
      })();
      expect(pending.n).toBe(last.l - last.a);
      return r.n;
    };

    const sold = new Map<string, string>();
    const sizes: number[] = [];
    const CYCLES = 8;
    const PER_CYCLE = 150;
    for (let c = 0; c < CYCLES; c++) {
      // Sales go in while acks come back and retention deletes beside them.
      const selling = sell(agent, c * PER_CYCLE, PER_CYCLE);
      const probes: Promise<number>[] = [];
      for (let k = 0; k < 5; k++) probes.push(checkUnackedKept());
      for (const [k, v] of await selling) sold.set(k, v);
      await Promise.all(probes);
      await waitDrained(agent);
      await waitFor(() => outbox().n === 0, { what: `cycle ${c}: retention to delete every acknowledged event`, timeoutMs: 60_000 });
      db.pragma('wal_checkpoint(PASSIVE)');
      sizes.push(statSync(file).size);
    }
    expect((await agentStatus(agent)).retentionDeletedEvents).toBe(CYCLES * PER_CYCLE);
    // Kept: each cycle's 150 sales (about 100 KiB in the file) would have added up to ~1 MiB.
    const settled = Math.max(sizes[0]!, sizes[1]!);
    for (const s of sizes.slice(2)) expect(s).toBeLessThanOrEqual(settled + 16 * 1024);

    // The link is cut: what is sold now is only at the store. Retention runs on (a later run is proof) and keeps it.
    proxy.switchTo(1);
    await waitFor(async () => !(await agentStatus(agent)).online, { what: 'agent offline' });
    const offline = await sell(agent, CYCLES * PER_CYCLE, 120);
    for (const [k, v] of offline) sold.set(k, v);
    const after = (await agentStatus(agent)).retentionRunAt;
    await waitFor(async () => {
      const s = await agentStatus(agent);
      return s.retentionRunAt !== null && s.retentionRunAt !== after;
    }, { what: 'a retention run after the offline sales' });
    expect(await checkUnackedKept()).toBe(120);
    expect((await agentStatus(agent)).pendingUp).toBe(120);
    expect(outbox().n).toBe(120);

    // Back online: everything reaches central exactly once, seq 1..N without a gap; then those go too.
    proxy.switchTo(central.port);
    await waitDrained(agent);
    const events = await allEvents(central, 'store-r');
    const total = CYCLES * PER_CYCLE + 120;
    expect(events).toHaveLength(total);
    expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(events.map((e) => e.eventId))).toEqual(new Set(sold.values()));
    await waitFor(() => outbox().n === 0, { what: 'retention after the catch-up' });
    // A sale after all that continues the seq (the counter lives in sync_state, not in the deleted rows).
    expect((await agent.api.post<{ seq: number }>('/sales', saleBody('T-last'))).body.seq).toBe(total + 1);
  });
});
