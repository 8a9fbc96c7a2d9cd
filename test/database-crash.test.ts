import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { e2eContext, firstDevice, waitDrained } from './support/e2e.js';
import { ADMIN_TOKEN, ROOT, agentStatus, allEvents, enrollAgent, startAgent, startCentral, type AgentHandle, type CentralHandle, type Fixture } from './support/procs.js';
import { startKillablePostgres } from './support/scratch-postgres.js';
import { documentFor } from './support/capture.js';
import { client, request } from './support/http.js';
import { freePort } from './support/ports.js';
import { waitFor } from './support/wait.js';

const CENTRAL_BIN = join(ROOT, 'apps/central/bin/outpost-central.js');

/** Central on its own embedded PostgreSQL (no database URL), as a real process. */
async function startEmbeddedCentral(fx: Fixture, dataDir: string): Promise<CentralHandle> {
  const port = await freePort();
  // DATABASE_URL empty: whatever the runner's environment holds, this central runs the embedded default.
  const proc = fx.spawn('central', [CENTRAL_BIN, 'start', '--port', String(port), '--data-dir', dataDir], { OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN, DATABASE_URL: '' });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (!proc.alive) throw new Error(`central exited:\n${proc.tail()}`);
      return (await request('GET', `${url}/readyz`)).status === 200;
    },
    { timeoutMs: 180_000, what: 'embedded central /readyz' },
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\n--- central output ---\n${proc.tail()}`);
  });
  return { proc, url, port, adminToken: ADMIN_TOKEN, api: client(`${url}/api/v1`, ADMIN_TOKEN) };
}

function postmasterPid(pgDir: string): number {
  const pid = Number(readFileSync(join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  if (!Number.isSafeInteger(pid) || pid <= 0) throw new Error(`no pid in ${pgDir}/postmaster.pid`);
  return pid;
}

function readPostmasterPid(pgDir: string): number | null {
  try {
    return postmasterPid(pgDir);
  } catch {
    return null;
  }
}

/** `p`, unless central exits first: then fail at once with its last output. */
async function untilExit<T>(central: CentralHandle, p: Promise<T>): Promise<T> {
  const exited = central.proc.exited.then((x) => {
    throw new Error(`central exited (${JSON.stringify(x)}):\n${central.proc.tail(60)}`);
  });
  try {
    return await Promise.race([p, exited]);
  } catch (e) {
    throw new Error(`${String(e)}\n--- central output ---\n${central.proc.tail(60)}`);
  }
}

async function storedSeq(central: CentralHandle, storeId: string): Promise<number> {
  return (await firstDevice(central, storeId))?.ackedSeq ?? 0;
}

/** Tills posting documents without pause until stopped; keeps the event id of every capture answered 201. */
function captureContinuously(agent: AgentHandle, lanes = 3) {
  const acknowledged: string[] = [];
  let i = 0;
  let stop = false;
  const lane = async () => {
    while (!stop) {
      const doc = documentFor(i++);
      const r = await agent.api.post<{ eventId: string }>(doc.path, doc.body);
      if (r.status !== 201) throw new Error(`capture ${doc.key}: ${r.status} ${JSON.stringify(r.body)}`);
      acknowledged.push(r.body.eventId);
    }
  };
  const running = Promise.all(Array.from({ length: lanes }, lane));
  return {
    acknowledged,
    async stop() {
      stop = true;
      await running;
    },
  };
}

function expectExactlyOnce(events: { eventId: string; seq: number }[], acknowledged: string[]) {
  const total = events.length;
  expect(new Set(events.map((e) => e.eventId)).size).toBe(total);
  expect(events.map((e) => e.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  const have = new Set(events.map((e) => e.eventId));
  expect(acknowledged.filter((id) => !have.has(id))).toEqual([]);
}

describe('central outlives its database', () => {
  const { fx } = e2eContext();

  it('embedded PostgreSQL killed -9 three times under load: central stays up, restarts it, and every sale lands once', async () => {
    const dataDir = fx.tempDir('outpost-central-');
    const pgDir = join(dataDir, 'pg');
    const central = await startEmbeddedCentral(fx, dataDir);
    const agentDir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-db', agentDir);
    const agent = await startAgent(fx, { dataDir: agentDir, env: { OUTPOST_BATCH_EVENTS: '20' } });
    const tills = captureContinuously(agent);

    let killed = 0;
    try {
      for (let round = 1; round <= 3; round++) {
        const before = await storedSeq(central, 'store-db');
        // Kill while batches are flowing: central holds more than it did, and the agent still has some waiting.
        await waitFor(async () => (await storedSeq(central, 'store-db')) >= before + 100, { timeoutMs: 120_000, what: `ingest to move (round ${round})` });
        const pid = postmasterPid(pgDir);
        process.kill(pid, 'SIGKILL');
        killed++;
        // A new postmaster (another pid) answers, central never exited, and is ready again without a hand.
        await untilExit(
          central,
          waitFor(
            async () => {
              const now = readPostmasterPid(pgDir);
              return now !== null && now !== pid && (await request('GET', `${central.url}/readyz`)).status === 200;
            },
            { timeoutMs: 120_000, what: `central ready on a restarted PostgreSQL (round ${round})` },
          ),
        );
      }
    } finally {
      await tills.stop();
    }
    expect(killed).toBe(3);
    expect(central.proc.alive).toBe(true);
    const s = await waitDrained(agent, 'agent drained after the database restarts');
    const events = await allEvents(central, 'store-db');
    expect(s.lastAckedSeq).toBe(events.length);
    expect(tills.acknowledged.length).toBe(events.length);
    expectExactlyOnce(events, tills.acknowledged);
    // The ERP worker came back too: every sale, return and count posted to the ledger, none left behind. (A lease
    // its node could not release while the database was gone runs out by itself within seconds.)
    const postable = events.filter((e) => ['sale.completed', 'return.received', 'count.submitted'].includes(e.type)).length;
    const erp = await waitFor(
      async () => {
        const r = await central.api.get<{ postings: Record<string, number> }>('/erp/status');
        return r.body.postings.posted === postable ? r.body.postings : null;
      },
      { timeoutMs: 120_000, what: `${postable} postings posted` },
    );
    expect(erp).toMatchObject({ pending: 0, retrying: 0, dead: 0, posted: postable });
  });

  it('external PostgreSQL killed -9 and brought back by its operator: central answers 503 meanwhile, then reconnects by itself', async () => {
    const pg = await startKillablePostgres('outpost-ext-pg-');
    try {
      const central = await startCentral(fx, { databaseUrl: pg.adminUrl });
      const agentDir = fx.tempDir('outpost-agent-');
      await enrollAgent(central, 'store-ext', agentDir);
      const agent = await startAgent(fx, { dataDir: agentDir, env: { OUTPOST_BATCH_EVENTS: '20' } });
      const tills = captureContinuously(agent);
      try {
        await waitFor(async () => (await storedSeq(central, 'store-ext')) >= 100, { timeoutMs: 120_000, what: 'ingest to move' });
        await pg.kill9();
        // Nobody restarts an external database for central: it stays up and says it is not ready.
        const notReady = await untilExit(
          central,
          waitFor(async () => {
            const r = await request<{ error: { code: string } }>('GET', `${central.url}/readyz`);
            return r.status === 503 ? r : null;
          }, { timeoutMs: 60_000, what: '/readyz 503 while the database is down' }),
        );
        expect(notReady.body.error.code).toBe('not_ready');
        expect((await request('GET', `${central.url}/healthz`)).status).toBe(200);
        // The API says the database is away (503, the house error shape), not that central broke.
        const stores = await central.api.get<{ error: { code: string } }>('/stores');
        expect(stores).toMatchObject({ status: 503, body: { error: { code: 'database_unavailable' } } });
        expect((await agentStatus(agent)).pendingUp).toBeGreaterThan(0); // the tills kept selling meanwhile
        await pg.restart();
        await untilExit(central, waitFor(async () => (await request('GET', `${central.url}/readyz`)).status === 200, { timeoutMs: 120_000, what: '/readyz after the database is back' }));
        const after = await storedSeq(central, 'store-ext');
        await waitFor(async () => (await storedSeq(central, 'store-ext')) >= after + 100, { timeoutMs: 120_000, what: 'ingest to move again' });
      } finally {
        await tills.stop();
      }
      expect(central.proc.alive).toBe(true);
      const s = await waitDrained(agent, 'agent drained after the database came back');
      const events = await allEvents(central, 'store-ext');
      expect(s.lastAckedSeq).toBe(events.length);
      expect(tills.acknowledged.length).toBe(events.length);
      expectExactlyOnce(events, tills.acknowledged);
    } finally {
      await fx.cleanup();
      await pg.stop();
    }
  });
});
