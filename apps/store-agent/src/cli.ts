/**
 * `outpost-agent enroll | start | status`. Thin: argument parsing and process life cycle only; the engine
 * lives in ./core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { checkCaPem } from './core/central-tls.js';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { dbPath, defaultDataDir, enrolDevice, readEnrolment, runAgentService } from './core/index.js';

const USAGE = `usage:
  outpost-agent enroll --central URL --code CODE [--ca FILE] [--data-dir DIR] [--name NAME] [--currency EUR]
  outpost-agent start [--data-dir DIR] [--port N] [--host H]
  outpost-agent status [--data-dir DIR] [--port N]`;

function fail(msg: string): never {
  process.stderr.write(`outpost-agent: ${msg}\n`);
  process.exit(1);
}

async function enroll(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { central: { type: 'string' }, code: { type: 'string' }, ca: { type: 'string' }, 'data-dir': { type: 'string' }, name: { type: 'string' }, currency: { type: 'string' } },
  });
  if (!values.central || !values.code) fail(`enroll needs --central and --code\n${USAGE}`);
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  const deviceName = values.name ?? `agent on ${process.env.HOSTNAME ?? 'this PC'}`;
  const currency = values.currency ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) fail(`--currency must be an ISO 4217 code such as EUR, got ${currency}`);
  let centralCa: string | undefined;
  if (values.ca) {
    try {
      centralCa = checkCaPem(readFileSync(values.ca, 'utf8'), values.ca);
    } catch (err) {
      fail(`--ca: ${(err as Error).message}`);
    }
  }
  let e;
  try {
    e = await enrolDevice({ dataDir, central: values.central, code: values.code, deviceName, currency, centralCa });
  } catch (err) {
    fail((err as Error).message);
  }
  process.stdout.write(`enrolled device ${e.deviceId} for store ${e.storeId}\nstoreId=${e.storeId}\ndeviceId=${e.deviceId}\ndata dir: ${dataDir}\n`);
}

async function start(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } } });
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) fail(`--port must be a port number, got ${values.port}`);
  let service;
  try {
    // The service serves the associate UI either way: the enrolment screen on a fresh data folder, then the agent.
    service = await runAgentService({ dataDir, ...(port === undefined ? {} : { port }), ...(values.host === undefined ? {} : { host: values.host }) });
  } catch (e) {
    fail((e as Error).message);
  }
  const running = service.agent();
  process.stdout.write(
    running
      ? `Outpost agent for ${running.enrolment.storeId} listening on ${service.url}\n`
      : `Outpost agent not enrolled yet: open ${service.url} to enrol it (or run outpost-agent enroll)\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await service.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function status(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { 'data-dir': { type: 'string' }, port: { type: 'string' } } });
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  const file = dbPath(dataDir);
  if (!existsSync(file)) fail(`no agent database at ${file}: has this agent been started?`);
  const enrolment = readEnrolment(dataDir);
  // Read-only and straight from SQLite: works whether or not the agent is running.
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let out: Record<string, unknown>;
  try {
    const s = db.prepare('SELECT * FROM sync_state WHERE id = 1').get() as Record<string, number | string | null> | undefined;
    if (!s) fail('the agent database has no sync state yet');
    const picks = db.prepare("SELECT count(*) AS n FROM reservations WHERE status = 'delivered'").get() as { n: number };
    out = {
      storeId: s.store_id,
      deviceId: s.device_id,
      centralUrl: enrolment.centralUrl,
      pendingUp: Math.max(0, Number(s.last_seq) - Number(s.acked_seq)),
      lastSeq: s.last_seq,
      lastAckedSeq: s.acked_seq,
      lastSyncAt: s.last_sync_at,
      pendingPicks: picks.n,
      appliedCommandSeq: s.applied_command_seq,
      lastError: s.last_error,
    };
  } finally {
    db.close();
  }
  const port = Number(values.port ?? process.env.OUTPOST_AGENT_PORT ?? 8090);
  let api: { answering: boolean; online: boolean | null } = { answering: false, online: null };
  try {
    const r = await fetch(`http://127.0.0.1:${port}/api/v1/status`, { signal: AbortSignal.timeout(2000) });
    if (r.ok) api = { answering: true, online: ((await r.json()) as { online: boolean }).online };
  } catch {
    // not running (or on another port): the SQLite figures above still stand
  }
  process.stdout.write(`${JSON.stringify({ ...out, online: api.online ?? false, localApi: { url: `http://127.0.0.1:${port}`, answering: api.answering } }, null, 2)}\n`);
}

const [cmd, ...rest] = process.argv.slice(2);
const commands: Record<string, (a: string[]) => Promise<void>> = { enroll, enrol: enroll, start, status };
const run = cmd ? commands[cmd] : undefined;
if (!run) fail(USAGE);
run(rest).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
