import { closeSync, fchmodSync, fsyncSync, openSync, readFileSync, writeSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { currencySchema, envInt, type Env } from '@outpost/shared';

/** `<data-dir>/agent.json`, written by `outpost-agent enroll`. */
export const enrolmentSchema = z.object({
  centralUrl: z.url(),
  storeId: z.string().min(1),
  deviceId: z.uuid(),
  token: z.string().min(16),
  deviceName: z.string().min(1),
  currency: currencySchema.default('EUR'),
  /** PEM of the CA that signed central's certificate, from `enroll --ca FILE` (the system's CAs are trusted too). */
  centralCa: z.string().max(1_000_000).optional(),
});
export type Enrolment = z.infer<typeof enrolmentSchema>;

export function agentJsonPath(dataDir: string): string {
  return join(dataDir, 'agent.json');
}

export function dbPath(dataDir: string): string {
  return join(dataDir, 'agent.db');
}

export function defaultDataDir(env: Env): string {
  return resolve(env.OUTPOST_DATA_DIR ?? join('.data', 'agent'));
}

export function readEnrolment(dataDir: string): Enrolment {
  let text: string;
  try {
    text = readFileSync(agentJsonPath(dataDir), 'utf8');
  } catch {
    throw new Error(`${agentJsonPath(dataDir)} not found: enrol this device first (outpost-agent enroll --central URL --code CODE)`);
  }
  const parsed = enrolmentSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${agentJsonPath(dataDir)} is not a valid enrolment: ${parsed.error.message}`);
  return parsed.data;
}

/**
 * Written atomically and durably, readable by the owner only: it holds the device token. After a power cut the
 * file is the old one or the new one, never a torn mix: a rotated token is acked to central only after this.
 */
export function writeEnrolment(dataDir: string, e: Enrolment): void {
  mkdirSync(dataDir, { recursive: true });
  const tmp = `${agentJsonPath(dataDir)}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  try {
    fchmodSync(fd, 0o600); // a temp file left by a crash keeps its mode otherwise
    writeSync(fd, `${JSON.stringify(e, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, agentJsonPath(dataDir));
  // The rename itself is durable only once the folder's entry is on disk. Windows cannot open a folder for fsync
  // (its rename goes through the NTFS journal instead).
  if (process.platform === 'win32') return;
  const dir = openSync(dataDir, 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/** Replace the device token in agent.json (token rotation), keeping everything else as enrolled. */
export function storeToken(dataDir: string, token: string): void {
  writeEnrolment(dataDir, { ...readEnrolment(dataDir), token });
}

export type { Env } from '@outpost/shared';

/** Tunables from the environment; every one has a production default. */
export interface Settings {
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** Wait after a refused handshake (revoked/unknown token): socket.io does not retry those by itself. */
  authRetryMs: number;
  ackTimeoutMs: number;
  helloTimeoutMs: number;
  maxInFlight: number;
  batchEvents: number;
  batchBytes: number;
  sqliteSync: 'full' | 'normal';
  apiKey: string | null;
  port: number;
  host: string;
  /** How often the POS inbox folder is looked at; a file is imported after two looks without a change. */
  inboxPollMs: number;
  /**
   * A better-sqlite3 native module built for another runtime's ABI (the desktop shell under Electron), or null
   * for the one npm built for Node. `npm run desktop` sets OUTPOST_SQLITE_BINDING; packaged apps do not need it.
   */
  sqliteBinding: string | null;
  /** A clock off from central's by more than this dates and stamps captures by central's time (device-clock.ts). */
  clockToleranceMs: number;
  /** Acknowledged events and applied-command journal rows are deleted once older than this (days; 0: at once). */
  retentionDays: number;
  /** Pause between retention steps when there is nothing to delete; a backlog is worked off step after step. */
  retentionIntervalMs: number;
  /** Rows per retention step (one short write transaction). */
  retentionBatchRows: number;
  /** Below this much free disk the agent warns (status, till UI, central's disk_low) long before capture fails. */
  diskLowBytes: number;
}

export function settingsFromEnv(env: Env): Settings {
  return {
    reconnectMinMs: envInt(env, 'OUTPOST_RECONNECT_MIN_MS', 500),
    reconnectMaxMs: envInt(env, 'OUTPOST_RECONNECT_MAX_MS', 30_000),
    authRetryMs: envInt(env, 'OUTPOST_AUTH_RETRY_MS', 60_000),
    ackTimeoutMs: envInt(env, 'OUTPOST_ACK_TIMEOUT_MS', 30_000),
    helloTimeoutMs: envInt(env, 'OUTPOST_HELLO_TIMEOUT_MS', 15_000),
    maxInFlight: envInt(env, 'OUTPOST_MAX_IN_FLIGHT', 3),
    batchEvents: envInt(env, 'OUTPOST_BATCH_EVENTS', 500),
    batchBytes: envInt(env, 'OUTPOST_BATCH_BYTES', 524_288),
    sqliteSync: env.OUTPOST_SQLITE_SYNC?.toLowerCase() === 'normal' ? 'normal' : 'full',
    apiKey: env.OUTPOST_AGENT_API_KEY || null,
    port: envInt(env, 'OUTPOST_AGENT_PORT', 8090, 0),
    host: env.OUTPOST_AGENT_HOST || '127.0.0.1',
    inboxPollMs: envInt(env, 'OUTPOST_INBOX_POLL_MS', 1000),
    sqliteBinding: env.OUTPOST_SQLITE_BINDING || null,
    clockToleranceMs: envInt(env, 'OUTPOST_CLOCK_TOLERANCE_MS', 120_000, 0),
    retentionDays: envInt(env, 'OUTPOST_RETENTION_DAYS', 30, 0),
    retentionIntervalMs: envInt(env, 'OUTPOST_RETENTION_INTERVAL_MS', 60_000),
    retentionBatchRows: envInt(env, 'OUTPOST_RETENTION_BATCH', 500),
    diskLowBytes: envInt(env, 'OUTPOST_DISK_LOW_MIB', 1024, 0) * 1024 * 1024,
  };
}
