import { afterEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION } from '@outpost/shared';
import { readEnrolment, writeEnrolment } from './config.js';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { summarizeUnsent } from './offline-budget.js';
import { CentralPeer } from './testing/central-peer.js';
import { TempDirs, enrolledDir, sale } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';

describe('offline budget', () => {
  it('counts unsent events per kind and names the oldest', () => {
    expect(
      summarizeUnsent([
        { type: 'sale.completed', n: 38, oldest: '2026-11-29T11:02:00.000Z' },
        { type: 'return.received', n: 2, oldest: '2026-11-29T12:00:00.000Z' },
        { type: 'count.submitted', n: 1, oldest: '2026-11-29T10:59:30.000+00:00' },
        { type: 'stock.adjusted', n: 3, oldest: '2026-11-29T13:00:00.000Z' },
        { type: 'day.closed', n: 1, oldest: '2026-11-29T14:00:00.000Z' },
      ]),
    ).toEqual({ oldestAt: '2026-11-29T10:59:30.000+00:00', sales: 38, returns: 2, counts: 1, other: 4 });
  });
  it('is empty when everything is at central', () => {
    expect(summarizeUnsent([])).toEqual({ oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 });
  });
});

describe('offline budget of a running agent (real SQLite, real socket)', () => {
  const dirs = new TempDirs();
  const agents: Agent[] = [];
  const peers: CentralPeer[] = [];
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.stop();
    for (const p of peers.splice(0)) await p.close();
    dirs.cleanup();
  });
  const open = (dataDir: string, now: () => number) => {
    const a = createAgent({ dataDir, log: silentLogger, now, env: { OUTPOST_RECONNECT_MIN_MS: '20', OUTPOST_RECONNECT_MAX_MS: '200' } });
    agents.push(a);
    return a;
  };

  it('counts what central has not acked per kind, keeps the start of an outage across a restart, and clears it at hello', async () => {
    let t = Date.parse('2026-11-29T08:00:00Z');
    const now = () => t;
    const dir = enrolledDir(dirs); // central's address answers nothing
    const a = open(dir, now);
    await a.start({ http: false, inbox: false });
    expect(a.status()).toMatchObject({ online: false, offlineSince: '2026-11-29T08:00:00.000Z', protocolVersion: null });
    t += 60_000;
    a.capture.sale(sale('T-1'));
    t += 60_000;
    a.capture.return({ returnId: 'R-1', lines: [{ sku: 'SKU-1', qty: 1, refundAmount: 250, reasonCode: 'faulty', disposition: 'restock' }] });
    expect(a.status().unsent).toEqual({ oldestAt: '2026-11-29T08:01:00.000Z', sales: 1, returns: 1, counts: 0, other: 0 });
    await a.stop();

    // Restarted hours later, still cut off: the outage began at 08:00, not at the restart.
    t += 3 * 3600_000;
    const again = open(dir, now);
    await again.start({ http: false, inbox: false });
    expect(again.status()).toMatchObject({ online: false, offlineSince: '2026-11-29T08:00:00.000Z' });
    await again.stop();

    // Central reachable: hello clears the outage and the drain empties the budget.
    const p = await CentralPeer.start();
    peers.push(p);
    writeEnrolment(dir, { ...readEnrolment(dir), centralUrl: p.url });
    const back = open(dir, now);
    await back.start({ http: false, inbox: false });
    const s = await waitFor(() => (back.status().online && back.status().pendingUp === 0 ? back.status() : null), 'drained');
    expect(s).toMatchObject({ offlineSince: null, protocolVersion: PROTOCOL_VERSION, unsent: { oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 } });
  });
});
