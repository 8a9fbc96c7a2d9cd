import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMAND_VERSIONS_BEFORE_V3, commandsMessageSchema, OUTPOST_VERSION, PROTOCOL_VERSION } from '@outpost/shared';
import { launchBrowser, pageErrors, screenshot } from './support/browser.js';
import { RawAgent } from './support/raw-agent.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { client } from './support/http.js';
import { freePort } from './support/ports.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral, type CentralHandle } from './support/procs.js';
import { V1Agent } from './support/v1-agent.js';
import { waitFor } from './support/wait.js';

// Rolling upgrades (issue 15), with real processes: central on the current protocol serves a till of protocol v1
// (test/support/v1-agent.ts, the v1 wire exactly) beside a current agent; an agent newer than central connects at
// central's version, and at its own once central is upgraded.

interface Device {
  deviceId: string;
  agentVersion: string | null;
  protocolVersion: number | null;
  appliedCommandSeq: number;
  heldCommand: unknown;
}
interface Store {
  storeId: string;
  commandSeq: number;
  devices: Device[];
}

async function store(central: CentralHandle, storeId: string): Promise<Store> {
  const r = await central.api.get<{ items: Store[] }>(`/stores?q=${storeId}`);
  const s = r.body.items.find((x) => x.storeId === storeId);
  if (!s) throw new Error(`no store ${storeId}`);
  return s;
}

async function enrolRaw(central: CentralHandle, storeId: string): Promise<{ storeId: string; deviceId: string; token: string }> {
  const code = await central.api.post<{ enrollmentCode: string }>('/stores', { storeId, name: `Store ${storeId}` });
  const r = await client(`${central.url}/api/v1`).post<{ storeId: string; deviceId: string; token: string }>('/enroll', { code: code.body.enrollmentCode, deviceName: `till-${storeId}` });
  if (r.status !== 200) throw new Error(`enroll ${r.status}`);
  return r.body;
}

function sale(n: number) {
  return { transactionId: `T-${n}`, lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 100 * n }], tenders: [{ method: 'cash', amount: 100 * n }] };
}

/** The agent's command journal: how many times each command seq was applied. */
function appliedTimes(dataDir: string): Map<number, number> {
  const db = new Database(join(dataDir, 'agent.db'), { readonly: true });
  try {
    const rows = db.prepare('SELECT seq, count(*) AS n FROM applied_commands GROUP BY seq').all() as { seq: number; n: number }[];
    return new Map(rows.map((r) => [r.seq, r.n]));
  } finally {
    db.close();
  }
}

describe('protocol versions across a fleet (real processes)', () => {
  const { fx, dbUrl } = e2eContext();

  it('central on the current protocol serves a v1 till and a current agent side by side: both sync sales and get each command once', async () => {
    const central = await startCentral(fx, { databaseUrl: dbUrl() });
    const dir = fx.tempDir('outpost-agent-');
    await enrollAgent(central, 'store-cur', dir);
    const agent = await startAgent(fx, { dataDir: dir });
    const old = await enrolRaw(central, 'store-v1');
    const v1 = new V1Agent(central.url, old.token, old.storeId, old.deviceId);
    // A till of a build that applies stock.received v1 only (it says so in its v3 hello): its receipt must wait.
    const h = await enrolRaw(central, 'store-held');
    const held = new RawAgent(central.url, h.token, h.storeId, h.deviceId);
    const heldGot: number[] = [];
    held.socket.on('commands', (msg: unknown, ack: (a: unknown) => void) => {
      const cmds = commandsMessageSchema.parse(msg).commands;
      heldGot.push(...cmds.map((c) => c.seq));
      ack({ appliedSeq: cmds.at(-1)!.seq });
    });
    try {
      await held.connected();
      expect(await held.hello({ agentVersion: '0.1.5', commandVersions: { ...COMMAND_VERSIONS_BEFORE_V3, 'stock.received': [1] } })).toMatchObject({ ok: true, protocolVersion: PROTOCOL_VERSION });
      for (const n of [1, 2, 3]) {
        expect((await agent.api.post('/sales', sale(n))).status).toBe(201);
        v1.sell(`V1-${n}`, 100 * n);
      }
      // Commands to both stores: an item for every store, a receipt (stock.received v2, which v1 tills apply) for each.
      expect((await central.api.put('/items/SKU-1', { name: 'Cup', price: 450, currency: 'EUR' })).status).toBe(200);
      for (const s of ['store-cur', 'store-v1', 'store-held']) {
        expect((await central.api.post(`/stores/${s}/receipts`, { receiptId: `R-${s}`, lines: [{ sku: 'SKU-1', qty: 10 }] })).status).toBe(201);
      }
      expect((await central.api.put('/items/SKU-1', { name: 'Cup', price: 500, currency: 'EUR' })).status).toBe(200);
      for (const n of [4, 5]) {
        expect((await agent.api.post('/sales', sale(n))).status).toBe(201);
        v1.sell(`V1-${n}`, 100 * n);
      }

      await waitDrained(agent);
      await waitFor(async () => v1.pendingUp === 0 && (await allEvents(central, 'store-v1')).length === 5, { what: 'the v1 till drained' });
      for (const s of ['store-cur', 'store-v1']) {
        await waitFor(async () => {
          const st = await store(central, s);
          return st.commandSeq === 3 && st.devices[0]?.appliedCommandSeq === 3;
        }, { what: `${s} to apply its 3 commands` });
      }

      // Sales: each once, in seq order, on both.
      const cur = await allEvents(central, 'store-cur');
      const v1Events = await allEvents(central, 'store-v1');
      expect(cur.map((e) => [e.seq, e.payload.transactionId])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `T-${n}`]));
      expect(v1Events.map((e) => [e.seq, e.payload.transactionId])).toEqual([1, 2, 3, 4, 5].map((n) => [n, `V1-${n}`]));
      expect((await central.api.get<{ items: unknown[] }>('/quarantine')).body.items).toEqual([]);

      // Commands: each once, in order, on both.
      expect(v1.applied.map((c) => [c.seq, c.type, c.schemaVersion])).toEqual([
        [1, 'item.upserted', 1],
        [2, 'stock.received', 2],
        [3, 'item.upserted', 1],
      ]);
      expect(v1.received).toEqual([1, 2, 3]);
      expect(v1.unknown).toEqual([]); // nothing of v2 or v3 (token.rotate...) reached the v1 till
      expect([...appliedTimes(dir)].sort(([a], [b]) => a - b)).toEqual([[1, 1], [2, 1], [3, 1]]);
      expect((await agent.api.get<{ items: { sku: string; price: number }[] }>('/items')).body.items).toEqual([expect.objectContaining({ sku: 'SKU-1', price: 500 })]);

      // Each connection runs at its own version, and central says so.
      expect(v1.hellos.every((h) => h.protocolVersion === 1)).toBe(true);
      expect((await agentStatus(agent)) as unknown).toMatchObject({ online: true, protocolVersion: PROTOCOL_VERSION });
      expect((await store(central, 'store-v1')).devices[0]).toMatchObject({ agentVersion: '0.0.0-v1', protocolVersion: 1, heldCommand: null });
      expect((await store(central, 'store-cur')).devices[0]).toMatchObject({ agentVersion: OUTPOST_VERSION, protocolVersion: PROTOCOL_VERSION, heldCommand: null });
      // The till that cannot apply stock.received v2 got the item, and the stream waits at the receipt.
      await waitFor(async () => (await store(central, 'store-held')).devices[0]?.heldCommand !== null, { what: 'the receipt held for store-held' });
      expect((await store(central, 'store-held')).devices[0]).toMatchObject({ appliedCommandSeq: 1, heldCommand: { seq: 2, type: 'stock.received', schemaVersion: 2 } });
      expect(heldGot).toEqual([1]);

      const summary = await central.api.get<{ versions: unknown[] }>('/fleet/summary');
      expect(summary.body.versions).toEqual(
        expect.arrayContaining([
          { agentVersion: OUTPOST_VERSION, protocolVersion: PROTOCOL_VERSION, stores: 1, devices: 1 },
          { agentVersion: '0.0.0-v1', protocolVersion: 1, stores: 1, devices: 1 },
        ]),
      );

      // The console shows both: releases across the fleet, and the command waiting for an upgrade.
      const browser = await launchBrowser();
      try {
        const page = await browser.page();
        const errors = pageErrors(page);
        await page.goto(`${central.url}/`);
        await page.fill('#token', central.adminToken);
        await page.click('#signin-form button[type=submit]');
        await page.waitForSelector('[data-testid="sum-versions"]', { timeout: 30_000 });
        const versions = (await page.textContent('[data-testid="sum-versions"] .card-value')) ?? '';
        expect(versions).toContain(`${OUTPOST_VERSION} (v${PROTOCOL_VERSION}): 1 store`);
        expect(versions).toContain('0.0.0-v1 (v1): 1 store');
        expect(versions).toContain(`0.1.5 (v${PROTOCOL_VERSION}): 1 store`);
        expect(await page.textContent('[data-testid="sum-held"] .card-value')).toBe('1');
        await page.waitForSelector('#view tr[data-store-id="store-held"] [data-col="held-command"]', { timeout: 30_000 });
        expect(await page.textContent('#view tr[data-store-id="store-held"] [data-col="held-command"]')).toBe('command 2 (stock.received v2) waits for an upgrade');
        expect(await page.textContent('#view tr[data-store-id="store-v1"] [data-col="version"]')).toContain('0.0.0-v1 · protocol v1');
        await screenshot(page, 'protocol-versions', 'fleet-versions');
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    } finally {
      v1.close();
      held.close();
    }
  });

  it('an agent newer than central connects at central\'s version, and at its own once central is upgraded', async () => {
    const centralPort = await freePort();
    // Central answering as a v2 central does: it refuses the v3 handshake.
    const oldCentral = await startCentral(fx, { databaseUrl: dbUrl(), port: centralPort, env: { OUTPOST_PROTOCOL_MAX_VERSION: '2' } });
    const dir = fx.tempDir('outpost-agent-');
    await enrollAgent(oldCentral, 'store-ring', dir);
    const agent = await startAgent(fx, { dataDir: dir });
    for (const n of [1, 2]) expect((await agent.api.post('/sales', sale(n))).status).toBe(201);
    const atV2 = await waitDrained(agent);
    expect(atV2 as unknown).toMatchObject({ protocolVersion: 2, offlineSince: null });
    expect((await store(oldCentral, 'store-ring')).devices[0]).toMatchObject({ protocolVersion: 2 });
    expect(agent.proc.lines.some((l) => l.includes('central speaks an older protocol'))).toBe(true);
    // A v2 connection carries no v3 field: central has no offline budget for the device.
    expect((await store(oldCentral, 'store-ring')).devices[0]).toMatchObject({ unsent: null });

    // Central upgraded (same database, same address): the agent comes back at v3, nothing lost or doubled.
    await oldCentral.proc.kill9();
    expect((await agent.api.post('/sales', sale(3))).status).toBe(201);
    const newCentral = await startCentral(fx, { databaseUrl: dbUrl(), port: centralPort });
    await waitFor(async () => ((await agentStatus(agent)) as unknown as { protocolVersion: number | null }).protocolVersion === PROTOCOL_VERSION, { timeoutMs: 60_000, what: 'agent at the new version' });
    await waitDrained(agent);
    await waitFor(async () => (await store(newCentral, 'store-ring')).devices[0]?.protocolVersion === PROTOCOL_VERSION, { what: 'central to record v3' });
    expect((await allEvents(newCentral, 'store-ring')).map((e) => [e.seq, e.payload.transactionId])).toEqual([1, 2, 3].map((n) => [n, `T-${n}`]));
  });
});
