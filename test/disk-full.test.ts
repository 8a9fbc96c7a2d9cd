import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { e2eContext, waitDrained } from './support/e2e.js';
import { agentStatus, allEvents, enrollAgent, startAgent, startCentral } from './support/procs.js';
import { request } from './support/http.js';
import { waitFor } from './support/wait.js';

/**
 * Issues 11 and 15: a full disk at the store. A real agent process (and a real central) whose data folder is on a
 * real, small tmpfs that filler files then fill up: first the agent warns (status diskLow, central's disk_low
 * alert) while capture still works; then capture must answer 507 disk_full (not a bare 500), the status must say
 * so, nothing captured before may be lost or kept from central, and capture works again once space is freed.
 * Mounting needs root (CAP_SYS_ADMIN); elsewhere the test is skipped with the reason (never passed), and the engine
 * test with SQLite's max_page_count covers the same answer.
 */
function tryMount(dir: string): string | null {
  if (process.getuid?.() !== 0) return 'not root: mounting a small tmpfs needs CAP_SYS_ADMIN (CI runs .ci/run as root)';
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? null : `mount -t tmpfs was refused (${r.status}): ${(r.stderr || r.error?.message || '').trim()}`;
}

/** Write zeros until the file system refuses (ENOSPC), or until `limit` bytes are written. */
function fill(file: string, limit = Number.MAX_SAFE_INTEGER): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let written = 0;
  try {
    while (written < limit) written += writeSync(fd, chunk, 0, Math.min(chunk.length, limit - written));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

const freeOn = (dir: string) => {
  const s = statfsSync(dir);
  return Number(s.bavail) * Number(s.bsize);
};
const MIB = 1024 * 1024;

const sale = (id: string) => ({ transactionId: id, lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] });

describe('a full disk at the store', () => {
  const { fx, dbUrl } = e2eContext();
  let mounted: string | null = null;
  afterEach(async () => {
    await fx.cleanup(); // kills the agent first, so the unmount finds no open file (cleanup twice is harmless)
    if (mounted) {
      spawnSync('umount', ['-l', mounted]);
      rmSync(mounted, { recursive: true, force: true });
    }
    mounted = null;
  });

  it('warns while space runs low, answers 507 disk_full when full, keeps and forwards what was captured, and recovers', async (ctx) => {
    const mnt = mkdtempSync(join(tmpdir(), 'outpost-tmpfs-'));
    mounted = mnt;
    const cannot = tryMount(mnt);
    if (cannot) {
      mounted = null;
      rmSync(mnt, { recursive: true, force: true });
      ctx.skip(`skipped, NOT passed: ${cannot}`);
      return;
    }
    const central = await startCentral(fx, { databaseUrl: dbUrl(), env: { OUTPOST_ALERT_DISK_LOW_MIB: '3', OUTPOST_ALERT_EVALUATE_MS: '200' } });
    const dataDir = join(mnt, 'agent');
    mkdirSync(dataDir);
    await enrollAgent(central, 'store-d', dataDir);
    const agent = await startAgent(fx, { dataDir, env: { OUTPOST_DISK_LOW_MIB: '3' } });
    const accepted: string[] = [];
    const sell = async (id: string) => {
      const r = await agent.api.post(`/sales`, sale(id));
      if (r.status === 201) accepted.push(id);
      return r;
    };
    for (let i = 1; i <= 5; i++) expect((await sell(`T-${i}`)).status).toBe(201);
    await waitDrained(agent);
    const roomy = await agentStatus(agent);
    expect(roomy).toMatchObject({ diskLow: false });
    expect(roomy.dbBytes).toBeGreaterThan(0);
    expect(roomy.diskFreeBytes).toBeGreaterThan(3 * MIB);

    // Space runs low (2 MiB left, under the 3 MiB threshold): a warning everywhere, and capture still works.
    const filler = join(mnt, 'filler');
    fill(filler, freeOn(mnt) - 2 * MIB);
    expect((await sell('T-low')).status).toBe(201);
    const low = await waitFor(async () => {
      const s = await agentStatus(agent);
      return s.diskLow ? s : null;
    }, { what: 'the agent to say the disk is low' });
    expect(low.diskFreeBytes).toBeLessThan(3 * MIB);
    await waitDrained(agent);
    await waitFor(async () => {
      const r = await central.api.get<{ items: { kind: string; storeId?: string }[] }>('/alerts?state=open&kind=disk_low');
      return r.body.items.some((a) => a.storeId === 'store-d');
    }, { what: "central's disk_low alert for the store" });

    const filler2 = join(mnt, 'filler2');
    fill(filler2);
    let full: Awaited<ReturnType<typeof request>> | null = null;
    // Free pages inside the database may still take a few sales; the first refusal must be the clear one.
    for (let i = 6; i < 2000 && !full; i++) {
      const r = await sell(`T-${i}`);
      if (r.status !== 201) full = r;
    }
    expect(full).toMatchObject({ status: 507, body: { error: { code: 'disk_full', message: expect.stringMatching(/disk is full/) } } });
    const during = await agentStatus(agent);
    expect(during.lastError).toMatch(/disk is full/);
    expect(during.diskLow).toBe(true);

    rmSync(filler);
    rmSync(filler2);
    expect((await sell('T-after')).status).toBe(201);
    const after = await agentStatus(agent);
    expect(after.lastError ?? '').not.toMatch(/disk is full/);

    // Every sale the till was told was saved reaches central, once; the refused one is not there.
    await waitDrained(agent);
    const events = await allEvents(central, 'store-d');
    const ids = events.map((e) => e.payload.transactionId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set(accepted));
    expect((await agentStatus(agent)).diskLow).toBe(false);

    // Nothing was lost locally either: a restarted agent finds every accepted sale (a repeat of each is a duplicate).
    await agent.proc.kill9();
    const back = await startAgent(fx, { dataDir, env: { OUTPOST_DISK_LOW_MIB: '3' } });
    for (const id of ['T-1', 'T-5', 'T-low', 'T-after']) expect((await back.api.post('/sales', sale(id))).status).toBe(200);
  });
});
