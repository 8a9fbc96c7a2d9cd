import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureMany } from './support/capture.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { freePort } from './support/ports.js';
import { ADMIN_TOKEN, agentStatus, ROOT, startAgent, type Proc } from './support/procs.js';
import { waitFor } from './support/wait.js';

const CENTRAL_BIN = join(ROOT, 'apps/central/bin/outpost-central.js');
const AGENT_BIN = join(ROOT, 'apps/store-agent/bin/outpost-agent.js');

function openssl(dir: string, ...args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** A CA, and a server certificate for 127.0.0.1 signed by it, made with openssl as the README shows. */
function makeCa(dir: string, name: string): { ca: string; cert: string; key: string } {
  openssl(dir, 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-ca.key`, '-out', `${name}-ca.pem`, '-days', '2', '-subj', `/CN=Outpost test CA ${name}`);
  openssl(dir, 'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-central.key`, '-out', `${name}-central.csr`, '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(dir, 'x509', '-req', '-in', `${name}-central.csr`, '-CA', `${name}-ca.pem`, '-CAkey', `${name}-ca.key`, '-CAcreateserial', '-out', `${name}-central.pem`, '-days', '2', '-extfile', 'san.cnf');
  return { ca: join(dir, `${name}-ca.pem`), cert: join(dir, `${name}-central.pem`), key: join(dir, `${name}-central.key`) };
}

/** A JSON request over https trusting only `ca` (fetch cannot be given a CA), on a new connection each time. */
function httpsJson<T>(ca: string, method: string, url: string, body?: unknown): Promise<{ status: number; body: T }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request(url, { method, ca: readFileSync(ca), agent: false, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(data ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

function enrol(url: string, code: string, dataDir: string, ca?: string) {
  const args = [AGENT_BIN, 'enroll', '--central', url, '--code', code, '--data-dir', dataDir, '--name', 'till-1', ...(ca ? ['--ca', ca] : [])];
  return spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

describe('TLS end to end', () => {
  const { fx, dbUrl } = e2eContext();

  it('an agent enrolled with --ca syncs over https/wss; a certificate from another CA is refused and the agent says why; plain HTTP gets nothing; renewed files are picked up without a restart', async () => {
    const dir = fx.tempDir('outpost-tls-');
    const a = makeCa(dir, 'a');
    const b = makeCa(dir, 'b');
    // The files central serves: start with CA A's pair; the test later "renews" them in place.
    const certFile = join(dir, 'central.pem');
    const keyFile = join(dir, 'central.key');
    copyFileSync(a.cert, certFile);
    copyFileSync(a.key, keyFile);

    const port = await freePort();
    const url = `https://127.0.0.1:${port}`;
    const central: Proc = fx.spawn('central', [CENTRAL_BIN, 'start', '--port', String(port), '--data-dir', fx.tempDir('outpost-central-'), '--database-url', dbUrl(), '--tls-cert', certFile], {
      OUTPOST_ADMIN_TOKEN: ADMIN_TOKEN,
      OUTPOST_TLS_KEY: keyFile,
    });
    await waitFor(
      async () => {
        if (!central.alive) throw new Error(`central exited:\n${central.tail()}`);
        return (await httpsJson(a.ca, 'GET', `${url}/readyz`).catch(() => ({ status: 0 }))).status === 200;
      },
      { timeoutMs: 60_000, what: 'central /readyz over https' },
    );

    // Plain HTTP on the same port: no answer, not even an error page.
    const plain = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => `failed: ${String((e as Error).cause ?? e)}`,
    );
    expect(plain).toMatch(/^failed/);

    const store = await httpsJson<{ enrollmentCode: string }>(a.ca, 'POST', `${url}/api/v1/stores`, { storeId: 'north', name: 'North' });
    expect(store.status).toBe(201);

    // Without the CA, enrolment is refused, and the message says it is the certificate.
    const noCa = enrol(url, store.body.enrollmentCode, fx.tempDir('outpost-agent-'));
    expect(noCa.status).not.toBe(0);
    expect(noCa.stderr).toMatch(/certificate .* could not be verified .*--ca FILE/);

    const dataDir = fx.tempDir('outpost-agent-');
    const ok = enrol(url, store.body.enrollmentCode, dataDir, a.ca);
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8'))).toMatchObject({ centralUrl: url, centralCa: readFileSync(a.ca, 'utf8') });

    let agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 5);
    await waitDrained(agent);
    const events = await httpsJson<{ items: unknown[] }>(a.ca, 'GET', `${url}/api/v1/events?storeId=north&limit=100`);
    expect(events.body.items).toHaveLength(5);

    // Renewal in place, here with a certificate of another CA: new connections get it without a restart.
    copyFileSync(b.cert, certFile);
    copyFileSync(b.key, keyFile);
    await waitFor(async () => (await httpsJson(b.ca, 'GET', `${url}/readyz`).catch(() => ({ status: 0 }))).status === 200, { timeoutMs: 30_000, what: 'central to serve the renewed certificate' });
    await expect(httpsJson(a.ca, 'GET', `${url}/readyz`)).rejects.toThrow(/certificate/);

    // The agent (trusting A) restarts and meets B's certificate: it refuses, says why, and keeps its sales.
    await agent.proc.kill9();
    agent = await startAgent(fx, { dataDir });
    await captureMany(agent, 2, { start: 100 });
    const refused = await waitFor(
      async () => {
        const s = await agentStatus(agent);
        return s.lastError && /could not be verified/.test(s.lastError) ? s : null;
      },
      { timeoutMs: 30_000, what: 'agent to report the unverifiable certificate' },
    );
    expect(refused.online).toBe(false);
    expect(refused.pendingUp).toBe(2);
    expect(refused.lastError).toMatch(/--ca FILE/);
    expect((await httpsJson<{ items: unknown[] }>(b.ca, 'GET', `${url}/api/v1/events?storeId=north&limit=100`)).body.items).toHaveLength(5);

    // Back to A's certificate: the agent connects by itself and delivers what it kept.
    copyFileSync(a.cert, certFile);
    copyFileSync(a.key, keyFile);
    await waitDrained(agent);
    expect((await httpsJson<{ items: unknown[] }>(a.ca, 'GET', `${url}/api/v1/events?storeId=north&limit=100`)).body.items).toHaveLength(7);
  });
});
