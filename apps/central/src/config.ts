import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CENTRAL_RANGE, envInt, type Env, type SyncLimits, type VersionRange } from '@outpost/shared';
import { type FaultSpec, parseFaults, type TlsFiles } from './platform/index.js';
import { ErpConfigError, type ErpConnectorName, type ErpSettings, erpSettingsFromEnv, MappingError, parseMapping } from './erp/index.js';
import { AlertConfigError, type AlertSettings, alertSettingsFromEnv } from './alerts/index.js';
import { type RateLimitSettings, rateLimitsFromEnv } from './access/index.js';
import { ReservationConfigError, type ReservationSettings, reservationSettingsFromEnv } from './reservations/index.js';
import type { PartitionSettings } from './sync/index.js';

/** Everything `outpost-central start` needs, from flags and environment, resolved once at the edge. */
export interface CentralConfig {
  host: string;
  port: number;
  dataDir: string;
  /** External PostgreSQL; null = the embedded server in `<dataDir>/pg`. */
  databaseUrl: string | null;
  erp: ErpConnectorName;
  /** The connector's connection and the posting worker's pacing. */
  erpSettings: ErpSettings;
  /** Run the ERP posting worker on this node (OUTPOST_ERP_WORKER=off: an ingest-only node; another node posts). */
  erpWorker: boolean;
  limits: SyncLimits;
  faults: FaultSpec;
  reservations: ReservationSettings;
  alerts: AlertSettings;
  rateLimits: RateLimitSettings;
  /** `--tls-cert`/`--tls-key` (or OUTPOST_TLS_CERT/OUTPOST_TLS_KEY): HTTPS and wss; null = plain HTTP. */
  tls: TlsFiles | null;
  /** OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS (default 90): an older device token is rotated at the device's next hello. */
  tokenMaxAgeMs: number;
  /** The protocol versions the gateway speaks; OUTPOST_PROTOCOL_MAX_VERSION lowers the top (a ring test, or a rollback). */
  protocolRange: VersionRange;
  /** Month partitions of events: kept ahead, and dropped after OUTPOST_CENTRAL_RETENTION_MONTHS once posted. */
  partitions: PartitionSettings;
}

export class ConfigError extends Error {}

export const ERP_CONNECTORS = ['ledger', 'tryton', 'webhook'] as const;

/** An integer setting from the environment, as a ConfigError (which the CLI prints plainly) when it is wrong. */
function positiveInt(env: Env, name: string, fallback: number): number {
  try {
    return envInt(env, name, fallback);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

export function limitsFromEnv(env: Env): SyncLimits {
  return {
    maxBatchEvents: positiveInt(env, 'OUTPOST_MAX_BATCH_EVENTS', 1000),
    maxBatchBytes: positiveInt(env, 'OUTPOST_MAX_BATCH_BYTES', 1_048_576),
    maxInFlight: positiveInt(env, 'OUTPOST_MAX_IN_FLIGHT', 4),
  };
}

export function defaultDataDir(env: Env): string {
  return resolve(env.OUTPOST_DATA_DIR ?? join('.data', 'central'));
}

function reservationsFromEnv(env: Env): ReservationSettings {
  try {
    return reservationSettingsFromEnv(env);
  } catch (err) {
    if (err instanceof ReservationConfigError || err instanceof RangeError) throw new ConfigError(err.message);
    throw err;
  }
}

function alertsFromEnv(env: Env): AlertSettings {
  try {
    return alertSettingsFromEnv(env);
  } catch (err) {
    if (err instanceof AlertConfigError || err instanceof RangeError) throw new ConfigError(err.message);
    throw err;
  }
}

/** OUTPOST_CENTRAL_RETENTION_MONTHS unset or empty: keep every month. */
export function partitionsFromEnv(env: Env): PartitionSettings {
  const raw = env.OUTPOST_CENTRAL_RETENTION_MONTHS;
  return { monthsAhead: 2, retentionMonths: raw === undefined || raw === '' ? null : positiveInt(env, 'OUTPOST_CENTRAL_RETENTION_MONTHS', 0) };
}

function tlsOf(certFile: string | undefined, keyFile: string | undefined): TlsFiles | null {
  if (!certFile && !keyFile) return null;
  if (!certFile || !keyFile) throw new ConfigError('TLS needs both --tls-cert and --tls-key (or OUTPOST_TLS_CERT and OUTPOST_TLS_KEY)');
  return { certFile: resolve(certFile), keyFile: resolve(keyFile) };
}

function rateLimitsOf(env: Env): RateLimitSettings {
  try {
    return rateLimitsFromEnv(env);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}

/** Parse the flags of `outpost-central start`. */
export function parseStartArgs(argv: string[], env: Env): CentralConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      'database-url': { type: 'string' },
      erp: { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be 0-65535, got "${values.port}"`);
  let erpSettings: ErpSettings;
  try {
    erpSettings = erpSettingsFromEnv(env, values.erp);
  } catch (err) {
    if (err instanceof ErpConfigError) throw new ConfigError(err.message);
    throw err;
  }
  if (erpSettings.tryton) checkMappingFileOrThrow(erpSettings.tryton.mappingFile);
  return {
    host: values.host ?? '127.0.0.1',
    port,
    dataDir: values['data-dir'] ? resolve(values['data-dir']) : defaultDataDir(env),
    databaseUrl: values['database-url'] || env.DATABASE_URL || null,
    erp: erpSettings.connector,
    erpSettings,
    erpWorker: env.OUTPOST_ERP_WORKER !== 'off',
    limits: limitsFromEnv(env),
    faults: parseFaults(env.OUTPOST_FAULT),
    reservations: reservationsFromEnv(env),
    alerts: alertsFromEnv(env),
    partitions: partitionsFromEnv(env),
    rateLimits: rateLimitsOf(env),
    tls: tlsOf(values['tls-cert'] ?? env.OUTPOST_TLS_CERT, values['tls-key'] ?? env.OUTPOST_TLS_KEY),
    tokenMaxAgeMs: positiveInt(env, 'OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS', 90) * 86_400_000,
    protocolRange: protocolRangeOf(env),
  };
}

/**
 * OUTPOST_PROTOCOL_MAX_VERSION: answer agents as a central of that protocol version would (it refuses newer
 * handshakes; agents step down to it). For testing upgrade rings, or to hold a new protocol back after an upgrade.
 */
export function protocolRangeOf(env: Env): VersionRange {
  const max = positiveInt(env, 'OUTPOST_PROTOCOL_MAX_VERSION', CENTRAL_RANGE.max);
  if (max < CENTRAL_RANGE.min || max > CENTRAL_RANGE.max) {
    throw new ConfigError(`OUTPOST_PROTOCOL_MAX_VERSION must be ${CENTRAL_RANGE.min}..${CENTRAL_RANGE.max} (the protocol versions this central speaks), got ${max}`);
  }
  return { min: CENTRAL_RANGE.min, max };
}

/** An invalid Tryton mapping file stops `start`: every posting would fail on it, hours later, as a dead letter. */
function checkMappingFileOrThrow(path: string): void {
  const fix = 'the format is in apps/central/src/erp/connectors/tryton/README.md';
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`OUTPOST_TRYTON_MAPPING: the mapping file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}): create it or fix the path; ${fix}`);
  }
  try {
    parseMapping(text, `the Tryton mapping file ${path}`);
  } catch (err) {
    if (err instanceof MappingError) throw new ConfigError(`${err.message} (${fix})`);
    throw err;
  }
}

/** Where central's admin token came from: the environment, the data folder, or made just now. */
export type AdminTokenOrigin = 'env' | 'file' | 'generated';

/**
 * The admin bearer token: OUTPOST_ADMIN_TOKEN when set, else the one kept in `<dataDir>/admin-token` (made at
 * first start, mode 600), so it survives restarts.
 */
export function resolveAdminToken(env: Env, dataDir: string): string {
  return loadAdminToken(env, dataDir).token;
}

export function loadAdminToken(env: Env, dataDir: string): { token: string; origin: AdminTokenOrigin } {
  const fromEnv = env.OUTPOST_ADMIN_TOKEN;
  if (fromEnv) return { token: fromEnv, origin: 'env' };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t) return { token: t, origin: 'file' };
  }
  mkdirSync(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  writeFileSync(file, token + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync's mode is masked by umask and ignored for an existing file
  return { token, origin: 'generated' };
}

/**
 * The start-up line about the admin token. Central's output usually ends up in a log (journald, a container's
 * log), so the secret itself is shown once only: when central has just made it and nobody else knows it yet.
 * A token from the environment is never shown; one kept from an earlier start is pointed to.
 */
export function adminTokenNotice(origin: AdminTokenOrigin, token: string, dataDir: string): string {
  const file = join(dataDir, 'admin-token');
  if (origin === 'generated') return `Admin token: ${token}\n  (made now and kept in ${file}; shown this once)`;
  if (origin === 'file') return `Admin token: in ${file}`;
  return 'Admin token: from OUTPOST_ADMIN_TOKEN';
}

/** Read the admin token for a CLI call against a running central (never creates one). */
export function readAdminToken(env: Env, dataDir: string): string | null {
  if (env.OUTPOST_ADMIN_TOKEN) return env.OUTPOST_ADMIN_TOKEN;
  try {
    return readFileSync(join(dataDir, 'admin-token'), 'utf8').trim() || null;
  } catch {
    return null;
  }
}
