/**
 * `outpost-agent enroll | start | status | reseed`. Thin: argument parsing and process life cycle only; the engine
 * lives in ./core.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { checkCaPem } from './core/central-tls.js';

/** The engine (SQLite, Fastify, socket.io) loads only for a command that runs it: `--help` and `--version` answer at once. */
const core = () => import('./core/index.js');

const HELP: Record<'enroll' | 'start' | 'status' | 'reseed', string> = {
  enroll: `outpost-agent enroll --central URL --code CODE [--ca FILE] [--data-dir DIR] [--name NAME] [--currency EUR] [--reseed [--force]]
  Enrols this device with central using a one-time code (outpost-central store add/code prints one) and writes
  <data-dir>/agent.json. --data-dir defaults to $OUTPOST_DATA_DIR or ./.data/agent. With an https:// central,
  --ca FILE adds a CA (PEM) to the system's to verify central's certificate; it is kept in agent.json.
  At its first connection the new till gets the store's item master, stock and open picks from central.
  A folder that already holds a till's database is enrolled again only with --reseed (its database is moved
  aside, never deleted); refused while it holds events central has not acknowledged, unless --force.`,
  start: `outpost-agent start [--data-dir DIR] [--port N] [--host H]
  Runs the agent: local API and associate UI on http://HOST:PORT (default 127.0.0.1:8090, $OUTPOST_AGENT_PORT),
  sync with central, the POS inbox. Not enrolled yet: the page at that URL enrols it.`,
  status: `outpost-agent status [--data-dir DIR] [--port N]
  Prints the agent's sync state from its database, and whether its local API answers (on --port, else the port
  the running agent wrote in <data-dir>/agent-api.json, else $OUTPOST_AGENT_PORT or 8090).`,
  reseed: `outpost-agent reseed [--data-dir DIR] [--force]
  Replaces this till's local database with the store's picture from central (item master, stock, open picks),
  keeping its enrolment; the picture arrives at the next start. Stop the agent first. Refused while the till holds
  events central has not acknowledged (it says how many and since when): let it sync first, or pass --force.
  The old database is moved aside as <data-dir>/agent.db.replaced-<time>, never deleted.`,
};
const USAGE = `usage:\n${Object.values(HELP)
  .map((h) => `  ${h.split('\n')[0]}`)
  .join('\n')}\n  outpost-agent COMMAND --help\n  outpost-agent --version`;

function fail(msg: string): never {
  process.stderr.write(`outpost-agent: ${msg}\n`);
  process.exit(1);
}

/** parseArgs for one command, with --help, and errors that say what to run instead of Node's raw text. */
function args(command: keyof typeof HELP, argv: string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | undefined> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    fail(`${command}: ${(e as Error).message.split('. ')[0]}.\n\n${HELP[command]}\n\nRun \`outpost-agent ${command} --help\` for this text.`);
  }
  if (values.help) {
    process.stdout.write(`${HELP[command]}\n`);
    process.exit(0);
  }
  return values as Record<string, string | undefined>;
}

/** Where a started agent tells `status` (and people) which URL its local API answers on. */
const apiFile = (dataDir: string) => join(dataDir, 'agent-api.json');

/** A running agent holds the database open: replacing it underneath would split the till in two. */
function refuseWhileRunning(dataDir: string, what: string): void {
  try {
    const { pid } = JSON.parse(readFileSync(apiFile(dataDir), 'utf8')) as { pid?: unknown };
    if (typeof pid === 'number' && pid !== process.pid) {
      process.kill(pid, 0); // throws when no such process
      fail(`${what}: the agent is running on this data folder (pid ${pid}); stop it first`);
    }
  } catch {
    // no agent-api.json, or its process is gone: nothing runs here
  }
}

async function enroll(argv: string[]): Promise<void> {
  const values = args('enroll', argv, {
    central: { type: 'string' },
    code: { type: 'string' },
    ca: { type: 'string' },
    'data-dir': { type: 'string' },
    name: { type: 'string' },
    currency: { type: 'string' },
    reseed: { type: 'boolean' },
    force: { type: 'boolean' },
  });
  if (!values.central || !values.code) fail(`enroll needs --central URL and --code CODE (get a code with \`outpost-central store code STORE_ID\`)\n\n${HELP.enroll}`);
  const { defaultDataDir, enrolDevice, dbPath, checkReseed, moveAside } = await core();
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  // Before the code is spent at central: a folder with a till's database is replaced only when asked to, and
  // never while it holds events central has not acknowledged (unless forced).
  const replacing = existsSync(dbPath(dataDir));
  if (replacing) {
    if (!values.reseed) fail(`${dataDir} already holds a till's database: pass --reseed to enrol it again as a new till (its database is moved aside), or use another --data-dir`);
    refuseWhileRunning(dataDir, 'enroll --reseed');
    try {
      checkReseed(dataDir, values.force !== undefined);
    } catch (err) {
      fail((err as Error).message);
    }
  }
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
  const keptAs = replacing ? moveAside(dataDir, new Date()) : null;
  process.stdout.write(
    `enrolled device ${e.deviceId} for store ${e.storeId}\nstoreId=${e.storeId}\ndeviceId=${e.deviceId}\ndata dir: ${dataDir}\n${keptAs ? `the previous database was moved to ${keptAs}\n` : ''}`,
  );
}

async function reseed(argv: string[]): Promise<void> {
  const values = args('reseed', argv, { 'data-dir': { type: 'string' }, force: { type: 'boolean' } });
  const { defaultDataDir, readEnrolment, reseedInPlace, describePending } = await core();
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  refuseWhileRunning(dataDir, 'reseed');
  let r;
  try {
    r = reseedInPlace(dataDir, readEnrolment(dataDir), { force: values.force !== undefined });
  } catch (err) {
    fail((err as Error).message);
  }
  process.stdout.write(
    `re-seeded: the till gets the store's item master, stock and open picks from central at its next start\n${r.keptAs ? `the previous database was moved to ${r.keptAs}\n` : ''}${r.pending ? `forced: it held ${describePending(r.pending)}, left in that file\n` : ''}`,
  );
}

async function start(argv: string[]): Promise<void> {
  const values = args('start', argv, { 'data-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' } });
  const { defaultDataDir, runAgentService } = await core();
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
  writeFileSync(apiFile(dataDir), `${JSON.stringify({ url: service.url, pid: process.pid })}\n`);
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
    rmSync(apiFile(dataDir), { force: true });
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

async function status(argv: string[]): Promise<void> {
  const values = args('status', argv, { 'data-dir': { type: 'string' }, port: { type: 'string' } });
  const { AGENT_VERSION, dbPath, defaultDataDir, readEnrolment } = await core();
  const { default: Database } = await import('better-sqlite3');
  const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
  const file = dbPath(dataDir);
  if (!existsSync(file)) fail(`no agent database at ${file}: start the agent once (outpost-agent start --data-dir ${dataDir}), or pass the --data-dir it runs with`);
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
      seed: { wanted: s.seed_wanted === 1, atSeq: s.seeded_at_seq ?? null, at: s.seeded_at ?? null },
      lastError: s.last_error,
      clockSkewMs: s.clock_skew_ms ?? null,
      agentVersion: AGENT_VERSION,
    };
  } finally {
    db.close();
  }
  const base = values.port !== undefined ? `http://127.0.0.1:${values.port}` : (startedUrl(dataDir) ?? `http://127.0.0.1:${process.env.OUTPOST_AGENT_PORT ?? 8090}`);
  let api: { answering: boolean; online: boolean | null; version?: string } = { answering: false, online: null };
  try {
    const r = await fetch(`${base}/api/v1/status`, { signal: AbortSignal.timeout(2000) });
    if (r.ok) {
      const body = (await r.json()) as { online: boolean; agentVersion?: string };
      api = { answering: true, online: body.online, ...(body.agentVersion === undefined ? {} : { version: body.agentVersion }) };
    }
  } catch {
    // not running (or on another port): the SQLite figures above still stand
  }
  process.stdout.write(
    `${JSON.stringify({ ...out, online: api.online ?? false, localApi: { url: base, answering: api.answering, ...(api.version === undefined ? {} : { agentVersion: api.version }) } }, null, 2)}\n`,
  );
}

/** The URL the agent started on this data folder wrote (a 0.0.0.0 listener is asked on loopback). */
function startedUrl(dataDir: string): string | null {
  try {
    const { url } = JSON.parse(readFileSync(apiFile(dataDir), 'utf8')) as { url?: unknown };
    return typeof url === 'string' ? url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:') : null;
  } catch {
    return null;
  }
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === '--version' || cmd === '-V') {
  const { versionLine } = await import('@outpost/shared');
  process.stdout.write(`${versionLine('outpost-agent')}\n`);
  process.exit(0);
}
const commands: Record<string, (a: string[]) => Promise<void>> = { enroll, enrol: enroll, start, status, reseed };
if (cmd === undefined || cmd === 'help' || cmd === '--help' || cmd === '-h') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const run = commands[cmd];
if (!run) fail(`unknown command "${cmd}"\n\n${USAGE}`);
run(rest).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));
