import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { SyncLimits, VersionRange } from '@outpost/shared';
import { buildApp } from './app.js';
import { createFaults, type EmbeddedPostgresEvent, type EmbeddedPostgresHandle, type FaultSpec, noFaultSpec, openDatabase, readTlsFiles, runMigrations, startEmbeddedPostgres, type TlsFiles, watchTlsFiles } from './platform/index.js';
import type { ReservationSettings } from './reservations/index.js';
import type { ErpSettings } from './erp/index.js';
import type { AlertSettings } from './alerts/index.js';
import type { RateLimitSettings } from './access/index.js';
import type { PartitionSettings } from './sync/index.js';
import type { Server as HttpsServer } from 'node:https';

export interface StartCentralOptions {
  port: number;
  host?: string;
  /** External PostgreSQL; when absent, an embedded server in `<dataDir>/pg` (dataDir then required). */
  databaseUrl?: string | null;
  dataDir?: string;
  adminToken: string;
  /** Serve HTTPS/wss from these PEM files, re-read when they change (default: plain HTTP). */
  tls?: TlsFiles | null;
  rateLimits?: RateLimitSettings;
  limits: SyncLimits;
  faults?: FaultSpec;
  logger?: FastifyServerOptions['logger'];
  commandAckTimeoutMs?: number;
  reservations?: ReservationSettings;
  commandRecheckMs?: number;
  /** Connection set-up work run at once, and hellos that wait before central answers "busy, retry after" (default 8, 200). */
  agentAdmission?: { concurrency: number; maxWaitingHellos: number };
  /** ERP posting settings (default: the built-in ledger). */
  erp?: ErpSettings;
  /** Run the ERP posting worker here (default true). */
  erpWorker?: boolean;
  /** Fleet alert thresholds and webhook (default: alerts/settings.ts). */
  alerts?: AlertSettings;
  /** Device tokens older than this are rotated at hello (default 90 days). */
  tokenMaxAgeMs?: number;
  /** The protocol versions the gateway speaks (default: all this build speaks). */
  protocolRange?: VersionRange;
  /** Event month partitions: months ahead and the retention (default: 2 ahead, keep all). */
  partitions?: PartitionSettings;
}

export interface RunningCentral {
  url: string;
  port: number;
  app: FastifyInstance;
  /** Close sockets and HTTP, then the pool, then the embedded PostgreSQL (if any). Safe to call twice. */
  close(): Promise<void>;
}

function logEmbeddedEvent(app: FastifyInstance | null, e: EmbeddedPostgresEvent): void {
  const log = app?.log.child({ component: 'embedded-postgres' });
  if (!log) {
    console.error(`embedded PostgreSQL: ${JSON.stringify(e)}`); // still starting: no logger yet
    return;
  }
  if (e.kind === 'exited') log.error({ code: e.code, signal: e.signal }, 'embedded PostgreSQL exited; restarting it');
  else if (e.kind === 'restarted') log.warn({ attempt: e.attempt }, 'embedded PostgreSQL restarted');
  else log.warn({ attempt: e.attempt, error: e.error, retryInMs: e.retryInMs }, 'embedded PostgreSQL did not start again yet; retrying');
}

/** Database (embedded or external), migrations, app, listen. */
export async function startCentral(opts: StartCentralOptions): Promise<RunningCentral> {
  // Read before anything starts: a wrong path fails fast with the file's name.
  const tls = opts.tls ? readTlsFiles(opts.tls) : null;
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = opts.databaseUrl ?? null;
  let appRef: FastifyInstance | null = null;
  if (!url) {
    if (!opts.dataDir) throw new Error('startCentral: give databaseUrl or dataDir (for the embedded PostgreSQL)');
    // Central restarts its own PostgreSQL when it dies; with an external DATABASE_URL the pools just reconnect.
    embedded = await startEmbeddedPostgres({ dataDir: opts.dataDir, log: () => {}, onEvent: (e) => logEmbeddedEvent(appRef, e) });
    url = embedded.url;
  }
  try {
    // A connection lost under a pool or a holder is logged, never fatal: the next query fails and is retried.
    const db = openDatabase({ url, onError: (err) => appRef?.log.warn({ err }, 'database connection lost') });
    try {
      await runMigrations(db.pool);
    } catch (err) {
      await db.close();
      throw err;
    }
    const app = await buildApp({
      db,
      adminToken: opts.adminToken,
      ...(tls ? { tls } : {}),
      ...(opts.rateLimits === undefined ? {} : { rateLimits: opts.rateLimits }),
      limits: opts.limits,
      faults: createFaults(opts.faults ?? noFaultSpec),
      ...(opts.logger === undefined ? {} : { logger: opts.logger }),
      ...(opts.commandAckTimeoutMs === undefined ? {} : { commandAckTimeoutMs: opts.commandAckTimeoutMs }),
      ...(opts.reservations === undefined ? {} : { reservations: opts.reservations }),
      ...(opts.commandRecheckMs === undefined ? {} : { commandRecheckMs: opts.commandRecheckMs }),
      ...(opts.agentAdmission === undefined ? {} : { agentAdmission: opts.agentAdmission }),
      ...(opts.erp === undefined ? {} : { erp: opts.erp }),
      ...(opts.erpWorker === undefined ? {} : { erpBackground: opts.erpWorker }),
      ...(opts.alerts === undefined ? {} : { alerts: opts.alerts }),
      ...(opts.tokenMaxAgeMs === undefined ? {} : { tokenMaxAgeMs: opts.tokenMaxAgeMs }),
      ...(opts.protocolRange === undefined ? {} : { protocolRange: opts.protocolRange }),
      ...(opts.partitions === undefined ? {} : { partitions: opts.partitions }),
    });
    appRef = app;
    const host = opts.host ?? '127.0.0.1';
    try {
      await app.listen({ port: opts.port, host });
    } catch (err) {
      await app.close();
      throw err;
    }
    const addr = app.server.address();
    const port = addr && typeof addr === 'object' ? addr.port : opts.port;
    const shownHost = host.includes(':') ? `[${host}]` : host;
    const unwatch = opts.tls ? watchTlsFiles(app.server as unknown as HttpsServer, opts.tls, app.log) : () => {};
    let closing: Promise<void> | null = null;
    return {
      url: `${tls ? 'https' : 'http'}://${shownHost}:${port}`,
      port,
      app,
      close() {
        closing ??= (async () => {
          unwatch();
          try {
            await app.close();
          } finally {
            await embedded?.stop();
          }
        })();
        return closing;
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
