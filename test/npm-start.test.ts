import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { Fixture, ROOT } from './support/procs.js';
import { freePort } from './support/ports.js';
import { client } from './support/http.js';
import { waitFor } from './support/wait.js';

/** `npm start` as a newcomer runs it: embedded PostgreSQL, central, one enrolled demo agent. */
describe('npm start (the main job, on the embedded default)', () => {
  const fx = new Fixture();
  const groups: ChildProcess[] = [];
  afterEach(async () => {
    for (const g of groups.splice(0)) killGroup(g);
    await fx.cleanup();
  });

  function killGroup(g: ChildProcess): void {
    try {
      if (g.pid) process.kill(-g.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  function npmStart(env: Record<string, string>): { child: ChildProcess; out: () => string } {
    let out = '';
    // Its own process group, like a terminal session, so the test can kill -9 all of it at once.
    const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    groups.push(child);
    return { child, out: () => out };
  }

  it('brings up central and the demo agent, and recovers after kill -9 of the whole process group', async () => {
    const env = {
      OUTPOST_DATA_ROOT: fx.tempDir('outpost-start-'),
      OUTPOST_CENTRAL_PORT: String(await freePort()),
      OUTPOST_AGENT_PORT: String(await freePort()),
      OUTPOST_RECONNECT_MIN_MS: '100',
      OUTPOST_RECONNECT_MAX_MS: '1000',
    };
    delete (env as Record<string, string | undefined>).OUTPOST_ADMIN_TOKEN;
    const centralUrl = `http://127.0.0.1:${env.OUTPOST_CENTRAL_PORT}`;
    const agentUrl = `http://127.0.0.1:${env.OUTPOST_AGENT_PORT}`;

    const first = npmStart(env);
    const printed = await waitFor(() => /Admin token\s+(\S+)/.exec(first.out()), { timeoutMs: 180_000, what: 'npm start to print the admin token' }).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${first.out()}`);
    });
    const token = printed[1]!;
    expect(first.out()).toContain(centralUrl);
    expect(first.out()).toContain(agentUrl);

    const central = client(`${centralUrl}/api/v1`, token);
    const agent = client(`${agentUrl}/api/v1`);
    expect((await client(centralUrl).get('/readyz')).status).toBe(200);
    const sale = { transactionId: 'START-1', lines: [{ sku: 'SKU-1', qty: 1, unitPrice: 450 }], tenders: [{ method: 'cash', amount: 450 }] };
    expect((await agent.post('/sales', sale)).status).toBe(201);
    await waitFor(async () => {
      const s = await agent.get<{ online: boolean; pendingUp: number; storeId: string }>('/status');
      return s.body.online && s.body.pendingUp === 0 && s.body.storeId === 'store-001';
    }, { what: 'demo agent online and synced' });
    const page = await fetch(`${agentUrl}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);

    // kill -9 of everything npm start started (npm, the launcher, central, PostgreSQL, agent).
    killGroup(first.child);
    await waitFor(async () => {
      try {
        await fetch(`${centralUrl}/healthz`);
        return false;
      } catch {
        return true;
      }
    }, { what: 'central to be gone' });

    const second = npmStart(env);
    await waitFor(() => /Admin token\s+(\S+)/.exec(second.out()), { timeoutMs: 180_000, what: 'second start' }).catch((e: unknown) => {
      throw new Error(`${String(e)}\n${second.out()}`);
    });
    expect(second.out()).toContain(token); // same data folder, same admin token, same enrolled store
    expect((await agent.post('/sales', { ...sale, transactionId: 'START-2' })).status).toBe(201);
    await waitFor(async () => {
      const s = await agent.get<{ online: boolean; pendingUp: number }>('/status');
      return s.body.online && s.body.pendingUp === 0;
    }, { what: 'agent synced after restart' });
    const events = await central.get<{ items: { payload: { transactionId?: string } }[] }>('/events?storeId=store-001');
    expect(events.body.items.map((e) => e.payload.transactionId)).toEqual(['START-1', 'START-2']);
  });
});
