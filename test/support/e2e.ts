import { afterEach, beforeEach } from 'vitest';
import { createTestDatabase } from './pg.js';
import { Fixture, agentStatus, startAgent, type AgentHandle, type AgentStatus, type CentralHandle } from './procs.js';
import { waitFor } from './wait.js';

/**
 * The per-test setting of an end-to-end suite: a fresh PostgreSQL database and a fixture that kills every
 * process it started and removes its folders afterwards, whatever the test did.
 */
export function e2eContext(): { fx: Fixture; dbUrl: () => string } {
  const fx = new Fixture();
  let db: Awaited<ReturnType<typeof createTestDatabase>> | null = null;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await fx.cleanup();
    await db?.drop();
    db = null;
  });
  return {
    fx,
    dbUrl: () => {
      if (!db) throw new Error('no test database outside a test');
      return db.url;
    },
  };
}

/** Wait until the agent is connected and central has acked everything it captured. */
export function waitDrained(agent: AgentHandle, what = 'agent outbox to drain'): Promise<AgentStatus> {
  return waitFor(
    async () => {
      const s = await agentStatus(agent);
      return s.online && s.pendingUp === 0 ? s : null;
    },
    { timeoutMs: 120_000, what },
  );
}

export interface DeviceRow {
  deviceId: string;
  online: boolean;
  ackedSeq: number;
  appliedCommandSeq: number;
  pendingCommands: number;
}

/** The first device of a store as central's fleet list shows it. */
export async function firstDevice(central: CentralHandle, storeId: string): Promise<DeviceRow | undefined> {
  const r = await central.api.get<{ items: { storeId: string; devices: DeviceRow[] }[] }>('/stores');
  return r.body.items.find((s) => s.storeId === storeId)?.devices[0];
}

/**
 * Start a freshly enrolled agent once, until it took its seed, and stop it: a till that has been online, so what
 * central creates afterwards reaches it through the command stream, one command at a time, rather than inside
 * the store's picture a new till gets at its first connection (`seed`).
 */
export async function firstConnection(fx: Fixture, dataDir: string): Promise<void> {
  const agent = await startAgent(fx, { dataDir });
  await waitFor(async () => !(await agent.api.get<{ seed: { wanted: boolean } }>('/status')).body.seed.wanted, { timeoutMs: 120_000, what: 'the till seeded' });
  await agent.proc.stop();
}
