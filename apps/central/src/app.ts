import type http from 'node:http';
import https from 'node:https';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { edgeErrorOptions, type HybridClock, type SyncLimits, type VersionRange } from '@outpost/shared';
import { CENTRAL_VERSION, createCentralClock, type Database, dbPlugin, type Faults, httpLoggingOptions, installCorrelationHeader, installErrorHandlers, noFaults, type TlsMaterial } from './platform/index.js';
import { allObservers, eventPartitionsPlugin, ingestLogObserver, type PartitionSettings, realtimePlugin } from './sync/index.js';
import { accessPlugin, type RateLimitSettings } from './access/index.js';
import { defaultErpSettings, erpPlugin, type ErpSettings } from './erp/index.js';
import { healthRoutes, metricsPlugin, metricsRoutes } from './monitoring/index.js';
import { defaultReservationSettings, type ReservationSettings, reservationsPlugin } from './reservations/index.js';
import { type AlertSettings, alertsPlugin, defaultAlertSettings } from './alerts/index.js';
import { apiRoutes } from './api.js';
import { consoleRoutes } from './console/index.js';

export interface BuildAppOptions {
  /** An open database with migrations applied. */
  db: Database;
  /** Close the pool when the app closes (default true). */
  closeDbOnShutdown?: boolean;
  adminToken: string;
  /** Serve HTTPS and wss with this certificate and key (default: plain HTTP). */
  tls?: TlsMaterial;
  /** Enrolment, wrong-token and per-token request limits (default: defaultRateLimits()). */
  rateLimits?: RateLimitSettings;
  limits: SyncLimits;
  faults?: Faults;
  /** Fastify logger option: pino JSON by default; false in tests. */
  logger?: FastifyServerOptions['logger'];
  /** How long to wait for an agent's ack of pushed commands (default 15 s). */
  commandAckTimeoutMs?: number;
  /** Device tokens older than this are rotated at hello (default 90 days). */
  tokenMaxAgeMs?: number;
  /** The protocol versions the gateway speaks (default: all this build speaks). */
  protocolRange?: VersionRange;
  /** Central's hybrid clock; by default one seeded from the database (tests inject their own). */
  clock?: HybridClock;
  /** Reservations: hold time, safety stock, order-system webhook (defaults: 72 h, 0, no webhook). */
  reservations?: ReservationSettings;
  /** Run the reservation sweeper and webhook worker on this node (default true). */
  reservationBackground?: boolean;
  /** How often connected stores are re-checked for commands whose notice was lost (default 15 s). */
  commandRecheckMs?: number;
  /** Connection set-up work run at once, and hellos that wait before central answers "busy, retry after" (default 8, 200). */
  agentAdmission?: { concurrency: number; maxWaitingHellos: number };
  /** ERP posting: connector and worker pacing (default: the built-in ledger). */
  erp?: ErpSettings;
  /** Run the ERP posting worker on this node (default true). */
  erpBackground?: boolean;
  /** Fleet alert thresholds, pacing and webhook (defaults: see alerts/settings.ts). */
  alerts?: AlertSettings;
  /** Evaluate alerts on this node in the background (default true). */
  alertsBackground?: boolean;
  /** Event month partitions: months ahead and the retention (default: 2 ahead, keep all). */
  partitions?: PartitionSettings;
  /** Keep partitions ahead (and apply the retention) from this node (default true). */
  partitionsBackground?: boolean;
}

/** Build the central app (routes, socket.io gateway, OpenAPI); the caller listens and closes it. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const tls = opts.tls;
  const app = Fastify({
    ...httpLoggingOptions(opts.logger),
    // Batches travel over socket.io, not HTTP: admin bodies are small.
    bodyLimit: 1_048_576,
    ...edgeErrorOptions,
    // With TLS, the one server on the port is HTTPS (and wss for socket.io): plain HTTP gets no answer at all.
    // The cast: an https.Server serves the same request/response API, while the app's types assume http.
    ...(tls ? { serverFactory: (handler: http.RequestListener) => https.createServer({ cert: tls.cert, key: tls.key }, handler) as unknown as http.Server } : {}),
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only: any other body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);
  installCorrelationHeader(app);
  // First, so the metrics plugin's route catalogue sees every route, /docs included.
  await app.register(dbPlugin, { db: opts.db, closeOnShutdown: opts.closeDbOnShutdown ?? true });
  await app.register(metricsPlugin);
  await app.register(accessPlugin, { adminToken: opts.adminToken, ...(opts.rateLimits === undefined ? {} : { rateLimits: opts.rateLimits }) });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Outpost central', description: 'Store-and-forward sync: fleet, events, quarantine, items', version: CENTRAL_VERSION },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const reservations = opts.reservations ?? defaultReservationSettings();
  await app.register(erpPlugin, { settings: opts.erp ?? defaultErpSettings(), ...(opts.erpBackground === undefined ? {} : { background: opts.erpBackground }) });
  await app.register(reservationsPlugin, { settings: reservations, ...(opts.reservationBackground === undefined ? {} : { background: opts.reservationBackground }) });
  await app.register(realtimePlugin, {
    reservations,
    ...(opts.commandRecheckMs === undefined ? {} : { commandRecheckMs: opts.commandRecheckMs }),
    ...(opts.agentAdmission === undefined ? {} : { agentAdmission: opts.agentAdmission }),
    limits: opts.limits,
    faults: opts.faults ?? noFaults,
    centralVersion: CENTRAL_VERSION,
    ingestObserver: allObservers(app.metrics.ingest, ingestLogObserver(app.log.child({ component: 'ingest' })), {
      // Postings just committed go to the ERP now rather than at the worker's next poll.
      committed: (b) => {
        if (b.postings) app.erp.wake();
      },
    }),
    ...(opts.commandAckTimeoutMs === undefined ? {} : { commandAckTimeoutMs: opts.commandAckTimeoutMs }),
    ...(opts.tokenMaxAgeMs === undefined ? {} : { tokenMaxAgeMs: opts.tokenMaxAgeMs }),
    ...(opts.protocolRange === undefined ? {} : { protocolRange: opts.protocolRange }),
  });
  await app.register(eventPartitionsPlugin, {
    settings: opts.partitions ?? { monthsAhead: 2, retentionMonths: null },
    ...(opts.partitionsBackground === undefined ? {} : { background: opts.partitionsBackground }),
  });
  await app.register(alertsPlugin, { settings: opts.alerts ?? defaultAlertSettings(), ...(opts.alertsBackground === undefined ? {} : { background: opts.alertsBackground }) });
  await app.register(healthRoutes);
  await app.register(metricsRoutes);
  await app.register(consoleRoutes);
  const clock = opts.clock ?? (await createCentralClock(opts.db.pool));
  await app.register(apiRoutes, { prefix: '/api/v1', clock });
  return app;
}
