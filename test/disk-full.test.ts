import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeEnrolment } from '../apps/store-agent/src/core/config.js';
import { Fixture, agentStatus, startAgent } from './support/procs.js';
import { request } from './support/http.js';

/**
 * Issue 11: a full disk at the store. A real agent process whose data folder is on a real, small tmpfs that a
 * filler file then fills up: capture must answer 507 disk_full (not a bare 500), the status must say so, nothing
 * captured before may be lost, and capture works again once space is freed. Mounting needs root (CAP_SYS_ADMIN);
 * elsewhere the test is skipped, and the engine test with SQLite's max_page_count covers the same answer.
 */
function tryMount(dir: string): boolean {
  if (process.getuid?.() !== 0) return false;
  return spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir]).status === 0;
}

/** Write zeros until the file system refuses (ENOSPC). */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

const sale = (id: string) => ({ transactionId: id, lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] });

describe('a full disk at the store', () => {
  const fx = new Fixture();
  let mounted: string | null = null;
  afterEach(async () => {
    await fx.cleanup(); // kills the agent first, so the unmount finds no open file
    if (mounted) {
      spawnSync('umount', ['-l', mounted]);
      rmSync(mounted, { recursive: true, force: true });
    }
    mounted = null;
  });

  it('answers 507 disk_full, shows it in the status, keeps what was captured, and recovers when space is freed', async (ctx) => {
    const mnt = mkdtempSync(join(tmpdir(), 'outpost-tmpfs-'));
    mounted = mnt;
    if (!tryMount(mnt)) return ctx.skip();
    const dataDir = join(mnt, 'agent');
    mkdirSync(dataDir);
    writeEnrolment(dataDir, {
      centralUrl: 'http://127.0.0.1:9',
      storeId: 'store-d',
      deviceId: '01890a5d-ac96-774b-bcce-b302099a8057',
      token: 'test-token-0123456789abcdef',
      deviceName: 'Till 1',
      currency: 'EUR',
    });
    const agent = await startAgent(fx, { dataDir });
    for (let i = 1; i <= 5; i++) expect((await agent.api.post(`/sales`, sale(`T-${i}`))).status).toBe(201);

    const filler = join(mnt, 'filler');
    fill(filler);
    let full: Awaited<ReturnType<typeof request>> | null = null;
    // Free pages inside the database may still take a few sales; the first refusal must be the clear one.
    for (let i = 6; i < 2000 && !full; i++) {
      const r = await agent.api.post(`/sales`, sale(`T-${i}`));
      if (r.status !== 201) full = r;
    }
    expect(full).toMatchObject({ status: 507, body: { error: { code: 'disk_full', message: expect.stringMatching(/disk is full/) } } });
    const during = await agentStatus(agent);
    expect(during.lastError).toMatch(/disk is full/);
    const kept = during.pendingUp;
    expect(kept).toBeGreaterThanOrEqual(5);

    rmSync(filler);
    const again = await agent.api.post(`/sales`, sale('T-after'));
    expect(again.status).toBe(201);
    const after = await agentStatus(agent);
    expect(after.pendingUp).toBe(kept + 1);
    expect(after.lastError ?? '').not.toMatch(/disk is full/); // what is left is the offline agent's own note

    // Nothing was lost: a restarted agent finds every acknowledged sale (a repeat of each is a duplicate).
    await agent.proc.kill9();
    const back = await startAgent(fx, { dataDir });
    expect((await agentStatus(back)).pendingUp).toBe(kept + 1);
    for (const id of ['T-1', 'T-5', 'T-after']) expect((await back.api.post('/sales', sale(id))).status).toBe(200);
  });
});
