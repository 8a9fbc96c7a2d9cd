import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureMany } from './support/capture.js';
import { e2eContext, waitDrained } from './support/e2e.js';
import { request } from './support/http.js';
import { freePort } from './support/ports.js';
import { ADMIN_TOKEN, agentStatus, ROOT, startAgent, startCentral, type Proc } from './support/procs.js';
import { RawAgent } from './support/raw-agent.js';
import { waitFor } from './support/wait.js';

const AGENT_BIN = join(ROOT, 'apps/store-agent/bin/outpost-agent.js');
const ORDER_WEBHOOK_SECRET = 'order-webhook-secret-5b1d0c9e7a';
const ERP_WEBHOOK_SECRET = 'erp-webhook-secret-93f0a4e1c2';

/** Every byte a process writes, from now on (Proc keeps only the last lines). */
function record(p: Proc): () => string {
  let all = '';
  const keep = (c: Buffer) => (all += c.toString('utf8'));
  p.child.stdout?.on('data', keep);
  p.child.stderr?.on('data', keep);
  return () => all;
}

describe('no secret in logs, error messages or /metrics', () => {
  const { fx, dbUrl } = e2eContext();

  it('a full run (enrolment, sync, wrong tokens, API tokens, webhooks failing, revoke) never prints a secret', async () => {
    const deadPort = await freePort(); // nothing listens: both webhooks fail and are retried, and logged
    const central = await startCentral(fx, {
      databaseUrl: dbUrl(),
      env: {
        OUTPOST_LOG_LEVEL: 'debug',
        OUTPOST_ERP: 'webhook',
        OUTPOST_ERP_WEBHOOK_URL: `http://127.0.0.1:${deadPort}/erp`,
        OUTPOST_ERP_WEBHOOK_SECRET: ERP_WEBHOOK_SECRET,
        OUTPOST_ERP_RETRY_BASE_MS: '100',
        OUTPOST_ERP_RETRY_MAX_MS: '300',
        OUTPOST_ORDER_WEBHOOK_URL: `http://127.0.0.1:${deadPort}/orders`,
        OUTPOST_ORDER_WEBHOOK_SECRET: ORDER_WEBHOOK_SECRET,
      },
    });
    const centralOut = record(central.proc);
    const answers: string[] = [];
    const call = async (method: string, path: string, token?: string, body?: unknown) => {
      const r = await request<unknown>(method, `${central.url}${path}`, { ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
      answers.push(JSON.stringify(r.body));
      return r as { status: number; body: Record<string, string> };
    };

    const store = await call('POST', '/api/v1/stores', ADMIN_TOKEN, { storeId: 'north', name: 'North' });
    const code = store.body.enrollmentCode!;
    const dataDir = fx.tempDir('outpost-agent-');
    const enrolled = spawnSync(process.execPath, [AGENT_BIN, 'enroll', '--central', central.url, '--code', code, '--data-dir', dataDir, '--name', 'till-1'], { cwd: ROOT, encoding: 'utf8' });
    expect(enrolled.status, enrolled.stderr).toBe(0);
    const deviceToken = (JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as { token: string }).token;
    // The used code again, and a second agent trying it: refused without repeating it.
    expect((await call('POST', '/api/v1/enroll', undefined, { code, deviceName: 'again' })).status).toBe(401);
    const again = spawnSync(process.execPath, [AGENT_BIN, 'enroll', '--central', central.url, '--code', code, '--data-dir', fx.tempDir('outpost-agent-'), '--name', 'till-2'], { cwd: ROOT, encoding: 'utf8' });
    expect(again.status).not.toBe(0);

    const agent = await startAgent(fx, { dataDir });
    const agentOut = record(agent.proc);
    await captureMany(agent, 6);
    await waitDrained(agent);

    // Tokens in the wrong places: a device token on the admin API, the admin token on the socket, a made-up one.
    expect((await call('GET', '/api/v1/stores', deviceToken)).status).toBe(401);
    const raw = new RawAgent(central.url, ADMIN_TOKEN, 'north', '0190a000-0000-7000-8000-000000000000');
    await expect(raw.connected()).rejects.toThrow();
    raw.close();
    const made = await call('POST', '/api/v1/tokens', ADMIN_TOKEN, { name: 'ops', role: 'operator' });
    const apiToken = made.body.token!;
    expect((await call('GET', '/api/v1/stores', apiToken)).status).toBe(200);
    expect((await call('POST', '/api/v1/tokens', apiToken, { name: 'x', role: 'admin' })).status).toBe(403);
    expect((await call('POST', `/api/v1/tokens/${made.body.tokenId}/revoke`, ADMIN_TOKEN)).status).toBe(200);
    expect((await call('GET', '/api/v1/stores', apiToken)).status).toBe(401);
    await call('GET', '/api/v1/tokens', ADMIN_TOKEN);
    await call('GET', '/api/v1/audit', ADMIN_TOKEN);
    await call('GET', '/api/v1/erp/status', ADMIN_TOKEN);
    // The ERP webhook has failed by now (nothing listens), so its failure is in the log.
    await waitFor(async () => (await call('GET', '/api/v1/erp/postings?status=retrying', ADMIN_TOKEN)).body.items?.length, { timeoutMs: 60_000, what: 'an ERP posting to be retrying' });

    const metrics = await fetch(`${central.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.text());
    const device = (await agentStatus(agent)).deviceId;
    // A token rotation: the rotated token travels over the socket and into agent.json, never into a log.
    expect((await call('POST', `/api/v1/devices/${device}/rotate`, ADMIN_TOKEN)).status).toBe(202);
    const rotatedToken = await waitFor(() => {
      const t = (JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as { token: string }).token;
      return t !== deviceToken ? t : null;
    }, { what: 'the rotated token in agent.json' });
    expect((await call('POST', `/api/v1/devices/${device}/revoke`, ADMIN_TOKEN)).status).toBe(200);
    await waitFor(async () => /revoked/.test((await agentStatus(agent)).lastError ?? ''), { what: 'agent to see its revocation' });
    await agent.proc.stop();
    await central.proc.stop();

    // The recorders attach once a process answers; what it printed before that is in the Proc's own first lines.
    const early = (p: { lines: string[] }) => p.lines.join('\n');
    const logs = { central: `${early(central.proc)}\n${centralOut()}`, agent: `${early(agent.proc)}\n${agentOut()}`, enrolCli: enrolled.stdout + enrolled.stderr + again.stdout + again.stderr };
    // The run really logged: connections, batches, refusals, webhook failures.
    expect(logs.central).toMatch(/agent connected/);
    expect(logs.central).toMatch(/request refused: unauthorized/);
    expect(logs.agent).toMatch(/connected to central/);
    expect(logs.agent).toMatch(/device token rotated and stored/);
    const secrets = { ADMIN_TOKEN, deviceToken, rotatedToken, code, codeWithoutDashes: code.replace(/-/g, ''), apiToken, ORDER_WEBHOOK_SECRET, ERP_WEBHOOK_SECRET };
    const leaks: string[] = [];
    for (const [name, secret] of Object.entries(secrets)) {
      for (const [where, text] of Object.entries({ ...logs, metrics, answers: answers.join('\n') })) {
        // The answers are allowed the secrets they hand out (the code, the new token), nothing else.
        if (where === 'answers' && (secret === code || secret === apiToken)) continue;
        if (text.includes(secret)) leaks.push(`${name} in ${where}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
