import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TempDirs } from './core/testing/fixtures.js';

const BIN = fileURLToPath(new URL('../bin/outpost-agent.js', import.meta.url));
const dirs = new TempDirs();
const servers: Server[] = [];

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, OUTPOST_AGENT_PORT: '9' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** Central's enrolment endpoint, just enough of it: one valid code. */
async function enrolServer(): Promise<{ url: string; bodies: unknown[] }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(text) as { code: string };
      bodies.push(body);
      res.setHeader('content-type', 'application/json');
      if (req.url !== '/api/v1/enroll' || body.code !== 'GOOD-CODE') {
        res.statusCode = 403;
        return res.end(JSON.stringify({ error: { code: 'invalid_code', message: 'enrolment code unknown or used', details: null } }));
      }
      res.end(JSON.stringify({ storeId: 'store-9', deviceId: '01890a5d-ac96-774b-bcce-b302099a8057', token: 'tok-0123456789abcdefghij' }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  dirs.cleanup();
});

describe('outpost-agent CLI', () => {
  it('enrolls: writes agent.json readable by the owner only, prints the ids; a refused code is a clear error', async () => {
    const central = await enrolServer();
    const dir = join(dirs.make(), 'agent');
    const ok = await run(['enroll', '--central', `${central.url}/`, '--code', 'GOOD-CODE', '--data-dir', dir, '--name', 'Till 1', '--currency', 'SEK']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toContain('store-9');
    expect(central.bodies[0]).toEqual({ code: 'GOOD-CODE', deviceName: 'Till 1' });
    const cfg = JSON.parse(readFileSync(join(dir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toEqual({ centralUrl: central.url, storeId: 'store-9', deviceId: '01890a5d-ac96-774b-bcce-b302099a8057', token: 'tok-0123456789abcdefghij', deviceName: 'Till 1', currency: 'SEK' });
    expect(statSync(join(dir, 'agent.json')).mode & 0o777).toBe(0o600);

    const bad = await run(['enroll', '--central', central.url, '--code', 'USED', '--data-dir', join(dirs.make(), 'x')]);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/refused the enrolment \(403 invalid_code\): enrolment code unknown or used/);
  }, 30_000);

  it('status reads SQLite while the agent is not running; without a database it says so', async () => {
    const central = await enrolServer();
    const dir = dirs.make();
    expect((await run(['enroll', '--central', central.url, '--code', 'GOOD-CODE', '--data-dir', dir])).code).toBe(0);
    const none = await run(['status', '--data-dir', dir]);
    expect(none.code).toBe(1);
    expect(none.err).toMatch(/no agent database/);
    const { createAgent, silentLogger } = await import('./core/index.js');
    const a = createAgent({ dataDir: dir, log: silentLogger, env: {} });
    a.capture.sale({ transactionId: 'T-1', lines: [{ sku: 'A', qty: 1, unitPrice: 1 }], tenders: [] });
    await a.stop();
    const st = await run(['status', '--data-dir', dir]);
    expect(st.code, st.err).toBe(0);
    expect(JSON.parse(st.out)).toMatchObject({ storeId: 'store-9', pendingUp: 1, lastAckedSeq: 0, online: false, clockSkewMs: null, localApi: { answering: false } });

    // A running agent wrote where it listens (not the default port): status finds it without --port.
    const api = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url === '/api/v1/status' ? { online: true } : {}));
    });
    servers.push(api);
    await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    writeFileSync(join(dir, 'agent-api.json'), JSON.stringify({ url, pid: process.pid }));
    const found = await run(['status', '--data-dir', dir]);
    expect(JSON.parse(found.out)).toMatchObject({ online: true, localApi: { url, answering: true } });
  }, 30_000);

  it('every command has --help; a wrong option says which and how to get help', async () => {
    for (const [args, first] of [
      [['--help'], /^usage:\n {2}outpost-agent enroll/],
      [['enroll', '--help'], /^outpost-agent enroll --central URL --code CODE/],
      [['start', '-h'], /^outpost-agent start \[--data-dir DIR\]/],
      [['status', '--help'], /^outpost-agent status \[--data-dir DIR\]/],
    ] as const) {
      const r = await run([...args]);
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(first);
    }
    const bad = await run(['start', '--prot', '1']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^outpost-agent: start: Unknown option '--prot'\.[\s\S]*Run `outpost-agent start --help`/);
    const unknown = await run(['stats']);
    expect(unknown.err).toMatch(/unknown command "stats"/);
  }, 30_000);
});
