import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from './log.js';
import { runAgentService, type AgentService } from './service.js';
import { TempDirs, enrolledDir, sale } from './testing/fixtures.js';
import { http, json } from './testing/http.js';
import { waitFor } from './testing/wait.js';

const dirs = new TempDirs();
const services: AgentService[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  dirs.cleanup();
});

/** Central's enrolment endpoint, just enough of it: one valid code (the sync socket then fails, as offline). */
async function enrolServer(): Promise<string> {
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      const body = req.url === '/api/v1/enroll' ? (JSON.parse(text) as { code: string }) : null;
      if (body?.code !== 'GOOD-CODE') {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: { code: 'invalid_enrollment_code', message: 'the enrolment code is unknown, expired or already used', details: null } }));
      }
      res.end(JSON.stringify({ storeId: 'store-9', deviceId: '01890a5d-ac96-774b-bcce-b302099a8057', token: 'tok-0123456789abcdefghij' }));
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const quiet = { OUTPOST_RECONNECT_MIN_MS: '50', OUTPOST_RECONNECT_MAX_MS: '200' };

describe('agent service', () => {
  it('on an enrolled folder it is the engine with the UI', async () => {
    const s = await runAgentService({ dataDir: enrolledDir(dirs), port: 0, env: quiet, log: silentLogger });
    services.push(s);
    expect(s.enrolled()).toBe(true);
    expect(s.agent()?.enrolment.storeId).toBe('store-t');
    expect((await http(`${s.url}/api/v1/status`, 'GET')).status).toBe(200);
    expect((await http(`${s.url}/`, 'GET')).type).toContain('text/html');
    expect((await http(`${s.url}/api/v1/enrolment`, 'GET')).body).toMatchObject({ enrolled: true, storeId: 'store-t', deviceName: 'test till', currency: 'EUR' });
  });

  it('on a fresh folder it serves enrolment, then runs the engine on the same address without a restart', async () => {
    const central = await enrolServer();
    const dataDir = join(dirs.make(), 'agent');
    const s = await runAgentService({ dataDir, port: 0, env: quiet, log: silentLogger });
    services.push(s);
    let changes = 0;
    s.onChange(() => changes++);
    expect(s.enrolled()).toBe(false);
    expect(s.agent()).toBeNull();
    expect((await http(`${s.url}/`, 'GET')).status).toBe(200);
    expect(await http(`${s.url}/api/v1/status`, 'GET')).toMatchObject({ status: 503, body: { error: { code: 'not_enrolled' } } });
    // Capture is refused before enrolment, with a reason: there is no store to capture for yet.
    expect((await http(`${s.url}/api/v1/sales`, 'POST', json(sale('T-1')))).status).toBe(503);

    const refused = await http(`${s.url}/api/v1/enroll`, 'POST', json({ central, code: 'USED', deviceName: 'Till 1' }));
    expect(refused).toMatchObject({ status: 422, body: { error: { code: 'enrolment_refused', message: expect.stringMatching(/401 invalid_enrollment_code.*Ask central IT for a new enrolment code/) } } });
    const down = await http(`${s.url}/api/v1/enroll`, 'POST', json({ central: 'http://127.0.0.1:9', code: 'GOOD-CODE', deviceName: 'Till 1' }));
    expect(down).toMatchObject({ status: 502, body: { error: { code: 'central_unreachable' } } });
    expect(existsSync(join(dataDir, 'agent.json'))).toBe(false);

    const ok = await http(`${s.url}/api/v1/enroll`, 'POST', json({ central: `${central}/`, code: 'GOOD-CODE', deviceName: 'Till 1', currency: 'SEK' }));
    expect(ok).toMatchObject({ status: 201, body: { enrolled: true, storeId: 'store-9', deviceName: 'Till 1', currency: 'SEK', centralUrl: central } });
    expect(s.enrolled()).toBe(true);
    const cfg = JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as Record<string, unknown>;
    expect(cfg).toMatchObject({ centralUrl: central, storeId: 'store-9', token: 'tok-0123456789abcdefghij', currency: 'SEK' });

    // Same URL, now the engine: status answers and a sale is captured.
    await waitFor(() => s.agent() !== null, 'engine running');
    const st = await http(`${s.url}/api/v1/status`, 'GET');
    expect(st).toMatchObject({ status: 200, body: { storeId: 'store-9', pendingUp: 0 } });
    expect((await http(`${s.url}/api/v1/sales`, 'POST', json(sale('T-1')))).status).toBe(201);
    expect((await http(`${s.url}/api/v1/enroll`, 'POST', json({ central, code: 'GOOD-CODE', deviceName: 'x' }))).status).toBe(409);
    expect(changes).toBeGreaterThanOrEqual(2); // enrolled, then engine started
  });

  it('when the engine cannot start after enrolment, the same address says why instead of going dark', async () => {
    const central = await enrolServer();
    const dataDir = dirs.make();
    mkdirSync(join(dataDir, 'agent.db')); // a folder where the SQLite file should be: the engine cannot open it
    const s = await runAgentService({ dataDir, port: 0, env: quiet, log: silentLogger });
    services.push(s);
    const ok = await http(`${s.url}/api/v1/enroll`, 'POST', json({ central, code: 'GOOD-CODE', deviceName: 'Till 1' }));
    expect(ok.status).toBe(201);
    await waitFor(() => s.lastError() !== null, 'engine failure reported');
    expect(s.agent()).toBeNull();
    expect(s.enrolled()).toBe(true);
    const st = await waitFor(async () => {
      const r = await http(`${s.url}/api/v1/status`, 'GET').catch(() => null);
      return r && (r.body as { error?: { code?: string } }).error?.code === 'agent_failed' ? r : null;
    }, 'failure page');
    expect(st.status).toBe(503);
    expect((await http(`${s.url}/api/v1/enrolment`, 'GET')).body).toMatchObject({ enrolled: true, storeId: 'store-9' });
  });

  it('refuses to listen beyond loopback without an API key, enrolled or not', async () => {
    await expect(runAgentService({ dataDir: dirs.make(), host: '0.0.0.0', port: 0, env: {}, log: silentLogger })).rejects.toThrow(/OUTPOST_AGENT_API_KEY/);
    await expect(runAgentService({ dataDir: enrolledDir(dirs), host: '0.0.0.0', port: 0, env: {}, log: silentLogger })).rejects.toThrow(/OUTPOST_AGENT_API_KEY/);
  });
});
