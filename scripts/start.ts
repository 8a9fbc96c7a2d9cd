/**
 * `npm start`: the main job on the zero-setup default. Starts central (embedded PostgreSQL, `ledger` ERP) and
 * one enrolled demo store agent (store-001), prints both URLs and the admin token, and stops both on Ctrl-C.
 * Everything lives under ./.data (OUTPOST_DATA_ROOT); a second start reuses it, also after a kill -9.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dataRoot = resolve(process.env.OUTPOST_DATA_ROOT ?? join(root, '.data'));
const centralPort = Number(process.env.OUTPOST_CENTRAL_PORT ?? 8080);
const agentPort = Number(process.env.OUTPOST_AGENT_PORT ?? 8090);
const storeId = 'store-001';
const centralUrl = `http://127.0.0.1:${centralPort}`;
const agentUrl = `http://127.0.0.1:${agentPort}`;
const centralDir = join(dataRoot, 'central');
const agentDir = join(dataRoot, storeId);
const logDir = join(dataRoot, 'logs');

mkdirSync(logDir, { recursive: true });
// The embedded PostgreSQL runs as the `postgres` user when we are root: it must reach its folder.
mkdirSync(centralDir, { recursive: true });
chmodSync(dataRoot, 0o755);

const children: ChildProcess[] = [];
let stopping = false;

function run(name: string, args: string[]): ChildProcess {
  const log = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} stopped unexpectedly (${signal ?? `exit ${code}`}). Last lines of ${join(logDir, `${name}.log`)}:`);
    console.error(tail(join(logDir, `${name}.log`)));
    void shutdown(1);
  });
  children.push(child);
  return child;
}

function tail(file: string, n = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n');
  } catch {
    return '(no log)';
  }
}

async function waitHttp(url: string, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return;
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} did not come up at ${url} within ${timeoutMs / 1000}s`);
}

async function shutdown(code: number): Promise<never> {
  stopping = true;
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

function adminToken(): string {
  if (process.env.OUTPOST_ADMIN_TOKEN) return process.env.OUTPOST_ADMIN_TOKEN;
  return readFileSync(join(centralDir, 'admin-token'), 'utf8').trim();
}

async function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${centralUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Enrol the demo agent once; its data folder keeps the device token for every later start. */
async function ensureDemoAgentEnrolled(token: string): Promise<void> {
  if (existsSync(join(agentDir, 'agent.json'))) return;
  let res = await api('POST', '/stores', token, { storeId, name: 'Demo store 001' });
  if (res.status === 409) res = await api('POST', `/stores/${storeId}/enrollment-codes`, token, {});
  if (res.status !== 201) throw new Error(`could not get an enrolment code for ${storeId}: ${res.status} ${JSON.stringify(res.body)}`);
  const code = String(res.body.enrollmentCode);
  const enrol = spawnSync(
    process.execPath,
    ['apps/store-agent/bin/outpost-agent.js', 'enroll', '--central', centralUrl, '--code', code, '--data-dir', agentDir, '--name', 'Demo till'],
    { cwd: root, encoding: 'utf8' },
  );
  if (enrol.status !== 0) throw new Error(`enrolment of the demo agent failed:\n${enrol.stdout}${enrol.stderr}`);
}

async function main(): Promise<void> {
  console.log(`Outpost: starting central (embedded PostgreSQL in ${centralDir}) ...`);
  run('central', ['apps/central/bin/outpost-central.js', 'start', '--port', String(centralPort), '--data-dir', centralDir, '--erp', 'ledger']);
  await waitHttp(`${centralUrl}/readyz`, 'central');
  const token = adminToken();
  await ensureDemoAgentEnrolled(token);
  console.log(`Outpost: starting the demo store agent ${storeId} ...`);
  run('agent', ['apps/store-agent/bin/outpost-agent.js', 'start', '--data-dir', agentDir, '--port', String(agentPort)]);
  await waitHttp(`${agentUrl}/api/v1/status`, 'store agent');
  console.log(`
  Central          ${centralUrl}   (API ${centralUrl}/api/v1, OpenAPI ${centralUrl}/docs)
  Admin token      ${token}
  Store agent      ${agentUrl}   (${storeId}, associate UI; local API ${agentUrl}/api/v1)
  Data and logs    ${dataRoot}

  Try:  curl -s -X POST ${agentUrl}/api/v1/sales -H 'content-type: application/json' \\
          -d '{"transactionId":"T-1","lines":[{"sku":"SKU-1","qty":1,"unitPrice":450}],"tenders":[{"method":"cash","amount":450}]}'
        curl -s ${centralUrl}/api/v1/events -H 'authorization: Bearer ${token}'

Press Ctrl-C to stop both.`);
}

main().catch((e: unknown) => {
  console.error(`Outpost failed to start: ${e instanceof Error ? e.message : String(e)}`);
  for (const name of ['central', 'agent']) console.error(`--- ${name}.log ---\n${tail(join(logDir, `${name}.log`))}`);
  void shutdown(1);
});
