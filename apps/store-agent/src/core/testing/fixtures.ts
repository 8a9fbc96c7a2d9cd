import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { uuidv7, type RawCommand } from '@outpost/shared';
import { writeEnrolment, type Enrolment } from '../config.js';
import { createAgent, type Agent } from '../engine.js';
import { silentLogger } from '../log.js';

/** Test helpers (not shipped behaviour): a temp data folder with an enrolment, and cleanup of everything made. */
export class TempDirs {
  private readonly dirs: string[] = [];
  make(prefix = 'outpost-agent-test-'): string {
    const d = mkdtempSync(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }
  cleanup(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

export const TEST_DEVICE = '01890a5d-ac96-774b-bcce-b302099a8057';

export function enrolledDir(dirs: TempDirs, over: Partial<Enrolment> = {}): string {
  const dir = dirs.make();
  writeEnrolment(dir, {
    centralUrl: 'http://127.0.0.1:9',
    storeId: 'store-t',
    deviceId: TEST_DEVICE,
    token: 'test-token-0123456789abcdef',
    deviceName: 'test till',
    currency: 'EUR',
    ...over,
  });
  return dir;
}

export function sale(transactionId: string, over: Record<string, unknown> = {}) {
  return {
    transactionId,
    lines: [{ sku: 'SKU-1', qty: 2, unitPrice: 250 }],
    tenders: [{ method: 'cash', amount: 500 }],
    ...over,
  };
}

/**
 * The setting of an engine test: temp data folders and the agents opened on them, all stopped and removed after
 * each test. `open` builds a real agent (real SQLite file) without starting its socket or HTTP server.
 */
export function agentTestContext(): { dirs: TempDirs; open: (dataDir: string, now?: () => number) => Agent } {
  const dirs = new TempDirs();
  const agents: Agent[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    dirs.cleanup();
  });
  return {
    dirs,
    open: (dataDir, now) => {
      const a = createAgent({ dataDir, log: silentLogger, env: {}, ...(now ? { now } : {}) });
      agents.push(a);
      return a;
    },
  };
}

/** An `item.upserted` command of the test store's stream, as central would push it. */
export function itemCommand(seq: number, sku = `SKU-${seq}`, version = 1): RawCommand {
  return {
    seq,
    commandId: uuidv7(),
    storeId: 'store-t',
    type: 'item.upserted',
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    correlationId: uuidv7(),
    payload: { sku, name: `item ${sku}`, price: 100, currency: 'EUR', version },
  };
}
