import { afterEach, describe, expect, it } from 'vitest';
import type { RawCommand } from '@outpost/shared';
import { createAgent, type Agent } from './engine.js';
import { silentLogger } from './log.js';
import { CentralPeer } from './testing/central-peer.js';
import { TempDirs, enrolledDir, itemCommand, sale } from './testing/fixtures.js';
import { waitFor } from './testing/wait.js';
import { localDate } from './capture.js';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readEnrolment } from './config.js';

const dirs = new TempDirs();
const agents: Agent[] = [];
const peers: CentralPeer[] = [];

async function peer(): Promise<CentralPeer> {
  const p = await CentralPeer.start();
  peers.push(p);
  return p;
}
function agentFor(p: CentralPeer, env: Record<string, string> = {}, dataDir = enrolledDir(dirs, { centralUrl: p.url })): Agent {
  const a = createAgent({
    dataDir,
    log: silentLogger,
    env: { OUTPOST_RECONNECT_MIN_MS: '20', OUTPOST_RECONNECT_MAX_MS: '200', ...env },
  });
  agents.push(a);
  return a;
}
function captureN(a: Agent, n: number, from = 0): string[] {
  return Array.from({ length: n }, (_, i) => a.capture.sale(sale(`T-${from + i}`)).eventId);
}
const drained = (a: Agent, what = 'outbox to drain') => waitFor(() => (a.status().online && a.status().pendingUp === 0 ? a.status() : null), what);

afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const p of peers.splice(0)) await p.close();
  dirs.cleanup();
});

describe('sync client against a real socket.io peer', () => {
  it('says hello, drains the outbox in bounded batches, reports status, and sends new captures as they come', async () => {
    const p = await peer();
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '7' });
    const ids = captureN(a, 50);
    await a.start({ http: false });
    const s = await drained(a);
    expect(s.lastAckedSeq).toBe(50);
    expect(s.lastSyncAt).not.toBeNull();
    expect(p.events.map((e) => e.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(p.events.map((e) => e.eventId)).toEqual(ids);
    expect(Math.max(...p.batches.map((b) => b.count))).toBe(7);
    expect(p.hellos[0]).toMatchObject({ storeId: 'store-t', highestSeq: 50, pendingUp: 50, appliedCommandSeq: 0 });
    await waitFor(() => p.statuses.at(-1)?.pendingUp === 0, 'a status with an empty backlog');

    const more = captureN(a, 3, 100);
    await waitFor(() => p.storedSeq === 53, 'live captures to arrive');
    expect(p.events.slice(50).map((e) => e.eventId)).toEqual(more);
    await drained(a);
  });

  it('answers a message from central it does not know with a refusal, and keeps syncing', async () => {
    const p = await peer();
    const a = agentFor(p);
    await a.start({ http: false });
    await waitFor(() => a.status().online, 'online');
    expect(await p.emitToAll('reboot-till', {})).toEqual([
      { ok: false, error: { code: 'bad_request', message: expect.stringMatching(/reboot-till/), details: { known: ['commands', 'token.rotate', 'seed'] } } },
    ]);
    captureN(a, 2);
    await drained(a);
  });

  it('measures its clock against central at hello; 22 h ahead, it dates and stamps captures by central time and says so', async () => {
    const p = await peer();
    const DAY_MS = 22 * 3600_000;
    p.serverTimeOffsetMs = -DAY_MS;
    const dir = enrolledDir(dirs, { centralUrl: p.url });
    const a = agentFor(p, {}, dir);
    await a.start({ http: false });
    await waitFor(() => a.status().online, 'online');
    const s = a.status();
    expect(s.clockCorrected).toBe(true);
    expect(Math.abs((s.clockSkewMs ?? 0) - DAY_MS)).toBeLessThan(60_000);
    await waitFor(() => p.statuses.some((x) => Math.abs((x.clockSkewMs ?? 0) - DAY_MS) < 60_000), 'the skew in a status message');

    a.capture.sale(sale('T-skew'));
    const centralNow = Date.now() - DAY_MS;
    const row = a.db.sqlite.prepare('SELECT body FROM outbox WHERE seq = 1').get() as { body: string };
    const ev = JSON.parse(row.body) as { hlc: string; occurredAt: string; payload: { businessDate: string } };
    expect(ev.payload.businessDate).toBe(localDate(centralNow));
    expect(Math.abs(Number(ev.hlc.slice(0, 15)) - centralNow)).toBeLessThan(60_000);
    expect(Math.abs(Date.parse(ev.occurredAt) - centralNow)).toBeLessThan(60_000);

    // The measurement outlives a restart: offline, the next capture is still dated by central's time.
    await a.stop();
    const b = agentFor(p, {}, dir);
    expect(b.status()).toMatchObject({ online: false, clockCorrected: true });
    b.capture.sale(sale('T-skew-2'));
    const row2 = b.db.sqlite.prepare('SELECT body FROM outbox WHERE seq = 2').get() as { body: string };
    expect((JSON.parse(row2.body) as { payload: { businessDate: string } }).payload.businessDate).toBe(localDate(Date.now() - DAY_MS));
  });

  it('keeps its own clock when the skew is within the tolerance', async () => {
    const p = await peer();
    p.serverTimeOffsetMs = -30_000;
    const a = agentFor(p);
    await a.start({ http: false });
    await waitFor(() => a.status().online, 'online');
    expect(a.status()).toMatchObject({ clockCorrected: false });
    expect(Math.abs((a.status().clockSkewMs ?? 0) - 30_000)).toBeLessThan(10_000);
  });

  it('stores a rotated token in agent.json before acking it, and uses it for the next handshake', async () => {
    const p = await peer();
    const dataDir = enrolledDir(dirs, { centralUrl: p.url });
    const before = readEnrolment(dataDir);
    const a = agentFor(p, {}, dataDir);
    await a.start({ http: false });
    await waitFor(() => a.status().online, 'online');
    expect(p.handshakeTokens).toEqual([before.token]);

    // Nonsense is refused and changes nothing.
    expect(await p.emitToAll('token.rotate', { token: 'short' })).toEqual([{ ok: false, error: expect.objectContaining({ code: 'bad_request' }) }]);
    expect(readEnrolment(dataDir)).toEqual(before);

    const fresh = 'rotated-token-0123456789abcdefghijklmnop';
    expect(await p.emitToAll('token.rotate', { token: fresh })).toEqual([{ ok: true }]);
    expect(readEnrolment(dataDir)).toEqual({ ...before, token: fresh });
    expect(statSync(join(dataDir, 'agent.json')).mode & 0o777).toBe(0o600);
    expect(existsSync(join(dataDir, 'agent.json.tmp'))).toBe(false);

    p.disconnectAll();
    await waitFor(() => p.handshakeTokens.length === 2 && a.status().online, 'reconnected');
    expect(p.handshakeTokens[1]).toBe(fresh);
    captureN(a, 2);
    await drained(a);
  });

  it('keeps several batches in flight, up to the bound', async () => {
    const p = await peer();
    p.holdUntilOutstanding = 3; // acks are held until three batches are outstanding at once
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '5', OUTPOST_MAX_IN_FLIGHT: '3' });
    captureN(a, 30);
    await a.start({ http: false });
    await drained(a);
    expect(p.maxOutstanding).toBe(3);
    expect(p.storedSeq).toBe(30);
  });

  it('resends what central lost and continues numbering after what a restored PC never saw', async () => {
    const p = await peer();
    const a = agentFor(p);
    const ids = captureN(a, 10);
    a.outbox.markAcked(10);
    p.storedSeq = 4; // central restored from a backup: it holds 1..4 only
    p.events.push(...ids.slice(0, 4).map((eventId, i) => ({ seq: i + 1, eventId })));
    await a.start({ http: false });
    await drained(a, 'the lost events to be resent');
    expect(p.events.map((e) => e.eventId)).toEqual(ids);
    await a.stop();

    const p2 = await peer();
    p2.storedSeq = 25; // this device's stream already went further (the PC was restored from an old copy)
    const b = agentFor(p2, {}, enrolledDir(dirs, { centralUrl: p2.url }));
    const reborn = captureN(b, 3); // seqs 1..3 again, but other events than central's 1..3
    await b.start({ http: false });
    await drained(b);
    // Central's event-id check refused them (seq_conflict): renumbered after 25, ids kept, none skipped.
    expect(p2.refusals.map((r) => !r.ok && r.error.code)).toEqual(['seq_conflict']);
    expect(p2.events).toEqual(reborn.map((eventId, i) => ({ seq: 26 + i, eventId })));
    expect(b.status().lastAckedSeq).toBe(28);
    expect(b.capture.sale(sale('after-restore')).seq).toBe(29);
    await waitFor(() => p2.storedSeq === 29, 'the new event after the renumbered ones');
  });

  it('a restored copy whose first unacked events central does hold: those are duplicates, only the new ones move', async () => {
    const p = await peer();
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '3' });
    const ids = captureN(a, 8); // the copy: 1..8 captured, only 1..2 acked when it was taken
    a.outbox.markAcked(2);
    // The original sent 1..5 and then 6..12 of its own before it was replaced by the copy.
    p.events.push(...ids.slice(0, 5).map((eventId, i) => ({ seq: i + 1, eventId })));
    p.events.push(...Array.from({ length: 7 }, (_, i) => ({ seq: 6 + i, eventId: `other-${i}` })));
    p.storedSeq = 12;
    await a.start({ http: false });
    await drained(a);
    expect(p.events.filter((e) => e.seq > 12)).toEqual(ids.slice(5).map((eventId, i) => ({ seq: 13 + i, eventId })));
    expect(a.status().lastAckedSeq).toBe(15);
  });

  it('a clone racing the original: seqs already sent above central stay, only the colliding ones move behind', async () => {
    const p = await peer();
    p.holdUntilOutstanding = 4; // all four batches are in flight before central answers any of them
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '3', OUTPOST_MAX_IN_FLIGHT: '4' });
    const ids = captureN(a, 10);
    p.intercept = (_b, n) => {
      if (n === 1) {
        // Meanwhile the other copy of this device stored its own seqs 1..5.
        p.events.push(...Array.from({ length: 5 }, (_, i) => ({ seq: i + 1, eventId: `clone-${i}` })));
        p.storedSeq = 5;
      }
      return null;
    };
    await a.start({ http: false });
    await drained(a);
    expect(p.refusals.map((r) => !r.ok && r.error.code)).toEqual(['seq_conflict', 'seq_conflict', 'seq_gap', 'seq_gap']);
    expect(p.events.filter((e) => e.seq > 5)).toEqual([
      ...ids.slice(5).map((eventId, i) => ({ seq: 6 + i, eventId })),
      ...ids.slice(0, 5).map((eventId, i) => ({ seq: 11 + i, eventId })),
    ]);
    expect(a.status().lastAckedSeq).toBe(15);
  });

  it('on seq_gap waits for its acks, resumes from the expected seq and drains', async () => {
    const p = await peer();
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '4' });
    const ids = captureN(a, 20);
    a.outbox.markAcked(10);
    // Central holds 1..6 only but its hello says 10 (e.g. a node whose database was restored meanwhile): the
    // first batch (from 11) is refused with seq_gap.
    p.events.push(...ids.slice(0, 6).map((eventId, i) => ({ seq: i + 1, eventId })));
    p.storedSeq = 6;
    p.helloStoredSeq = 10;
    await a.start({ http: false });
    const s = await drained(a);
    expect(s.lastAckedSeq).toBe(20);
    expect(p.refusals.length).toBeGreaterThanOrEqual(1);
    expect(p.refusals.every((r) => !r.ok && r.error.code === 'seq_gap')).toBe(true);
    expect(p.events.map((e) => e.eventId)).toEqual(ids);
  });

  it('says plainly when central lost events this till already deleted after its retention', async () => {
    const p = await peer();
    const a = agentFor(p, { OUTPOST_RETENTION_DAYS: '0', OUTPOST_RETENTION_INTERVAL_MS: '20' });
    captureN(a, 8);
    await a.start({ http: false });
    await drained(a);
    await waitFor(() => a.db.sqlite.prepare('SELECT count(*) AS n FROM outbox').pluck().get() === 0, 'retention to delete the acknowledged events');
    // Central comes back from a backup that holds 1..3 only; the till keeps selling.
    p.storedSeq = 3;
    p.events.splice(3);
    p.disconnectAll();
    captureN(a, 2, 100);
    const s = await waitFor(() => (a.status().lastError?.includes('seq 4-8') ? a.status() : null), 'the lost range named in the status');
    expect(s.lastError).toMatch(/cannot be sent again/);
    expect(s.pendingUp).toBe(7); // 4..10: nothing is marked forwarded that central does not hold
  });

  it('on batch_too_large lowers its bounds to central’s and drains', async () => {
    const p = await peer();
    p.enforce = { maxBatchEvents: 5, maxBatchBytes: 1 << 20 }; // stricter than what hello advertised
    const a = agentFor(p, { OUTPOST_BATCH_EVENTS: '500' });
    const ids = captureN(a, 23);
    await a.start({ http: false });
    await drained(a);
    expect(p.refusals[0]).toMatchObject({ ok: false, error: { code: 'batch_too_large' } });
    expect(a.sync.currentLimits.maxBatchEvents).toBe(5);
    const accepted = p.batches.filter((b) => b.count <= 5);
    expect(accepted.reduce((n, b) => n + b.count, 0)).toBe(23);
    expect(p.events.map((e) => e.eventId)).toEqual(ids);
  });

  it('waits on retry_after and records other refusals as lastError until a batch goes through', async () => {
    const p = await peer();
    p.intercept = (_b, n) =>
      n === 1
        ? { ok: false, error: { code: 'retry_after', message: 'busy', details: { retryAfterMs: 30 } } }
        : n === 2
          ? { ok: false, error: { code: 'internal', message: 'database down', details: null } }
          : null;
    const a = agentFor(p);
    captureN(a, 5);
    await a.start({ http: false });
    await waitFor(() => a.status().lastError?.includes('database down'), 'lastError to show the refusal');
    const s = await drained(a);
    expect(s.lastError).toBeNull();
    expect(p.batches.length).toBeGreaterThanOrEqual(3);
    expect(p.storedSeq).toBe(5);
  });

  it('answered "busy, retry after X" at hello, says hello again on the same connection without an error, then drains', async () => {
    const p = await peer();
    const busy = { ok: false, error: { code: 'retry_after', message: 'busy', details: { retryAfterMs: 40 } } };
    p.helloAnswers.push(busy, busy);
    const a = agentFor(p);
    captureN(a, 3);
    const errors: (string | null)[] = [];
    await a.start({ http: false });
    const s = await waitFor(() => {
      errors.push(a.status().lastError);
      return a.status().online && a.status().pendingUp === 0 ? a.status() : null;
    }, 'drained after two busy answers');
    expect(p.hellos).toHaveLength(3);
    expect(p.handshakeTokens).toHaveLength(1); // one connection: no reconnect, no second handshake
    expect(errors.every((e) => e === null)).toBe(true);
    expect(s.lastAckedSeq).toBe(3);
  });

  it('an unanswered hello is an error that shows, and the agent reconnects', async () => {
    const p = await peer();
    p.ignoreHellos = true;
    const a = agentFor(p, { OUTPOST_HELLO_TIMEOUT_MS: '50' });
    await a.start({ http: false });
    await waitFor(() => a.status().lastError === 'central did not answer hello in time', 'the hello timeout to show');
    await waitFor(() => p.handshakeTokens.length >= 2, 'a reconnect');
    p.ignoreHellos = false;
    await waitFor(() => (a.status().online && a.status().lastError === null ? true : null), 'online once hello is answered');
  });

  it('applies pushed commands in order and acks the applied seq; a gap is not skipped', async () => {
    const p = await peer();
    const a = agentFor(p);
    await a.start({ http: false });
    await waitFor(() => a.status().online, 'online');
    const cmd = itemCommand;
    expect(await p.push([cmd(1, 'A', 1), cmd(2, 'B', 1), cmd(3, 'A', 2)])).toEqual([{ appliedSeq: 3 }]);
    expect(await p.push([cmd(5, 'C', 1)])).toEqual([{ appliedSeq: 3 }]);
    expect(await p.push([cmd(3, 'A', 2), cmd(4, 'D', 1), cmd(5, 'C', 1)])).toEqual([{ appliedSeq: 5 }]);
    expect(a.status().appliedCommandSeq).toBe(5);
    expect(a.db.sqlite.prepare('SELECT sku, version FROM items ORDER BY sku').all()).toEqual([
      { sku: 'A', version: 2 },
      { sku: 'B', version: 1 },
      { sku: 'C', version: 1 },
      { sku: 'D', version: 1 },
    ]);
    // A message that breaks the shared schema is still answered with where the agent stands.
    expect(await p.push([{ seq: 6, nonsense: true } as unknown as RawCommand])).toEqual([{ appliedSeq: 6 }]);
    expect(a.db.sqlite.prepare('SELECT seq FROM command_quarantine').pluck().all()).toEqual([6]);
  });

  it('shows a revoked token as lastError, stays offline, and keeps capturing', async () => {
    const p = await peer();
    p.refuseHandshake = { code: 'revoked', message: 'device revoked' };
    const a = agentFor(p);
    await a.start({ http: false });
    await waitFor(() => /revoked/.test(a.status().lastError ?? ''), 'the revocation to show');
    captureN(a, 2);
    expect(a.status()).toMatchObject({ online: false, pendingUp: 2 });
    expect(p.connected).toBe(0);
  });

  it('reconnects after central drops the connection and resumes from hello', async () => {
    const p = await peer();
    const a = agentFor(p);
    captureN(a, 3);
    await a.start({ http: false });
    await drained(a);
    p.disconnectAll(); // server-side disconnect: socket.io-client does not reconnect on its own
    await waitFor(() => p.hellos.length >= 2 && a.status().online, 'a second hello');
    captureN(a, 2, 10);
    await waitFor(() => p.storedSeq === 5, 'events after the reconnect');
    expect(p.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });
});
