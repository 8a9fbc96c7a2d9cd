import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { HybridClock, SyncLimits } from '@outpost/shared';
import { createCentralClock } from './central-clock.js';
import type { Database } from './db/database.js';
import { noFaults, type Faults } from './faults.js';
import { installErrorHandlers } from './http/errors.js';
import { dbPlugin } from './plugins/db.js';
import { realtimePlugin } from './plugins/realtime.js';
import { apiRoutes } from './routes/api.js';
import { healthRoutes } from './routes/health.js';
import { CENTRAL_VERSION } from './version.js';

export interface BuildAppOptions {
  /** An open database with migrations applied. */
  db: Database;
  /** Close the pool when the app closes (default true). */
  closeDbOnShutdown?: boolean;
  adminToken: string;
  limits: SyncLimits;
  faults?: Faults;
  /** Fastify logger option: pino JSON by default; false in tests. */
  logger?: FastifyServerOptions['logger'];
  /** How long to wait for an agent's ack of pushed commands (default 15 s). */
  commandAckTimeoutMs?: number;
  /** Central's hybrid clock; by default one seeded from the database (tests inject their own). */
  clock?: HybridClock;
}

/** Build the central app (routes, socket.io gateway, OpenAPI); the caller listens and closes it. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? true,
    // Batches travel over socket.io, not HTTP: admin bodies are small.
    bodyLimit: 1_048_576,
  }).withTypeProvider<ZodTypeProvider>();
  // The API speaks JSON only: any other body is a 415, not a string that fails validation later.
  app.removeContentTypeParser('text/plain');
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Outpost central', description: 'Store-and-forward sync: fleet, events, quarantine, items', version: CENTRAL_VERSION },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearerAuth: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(dbPlugin, { db: opts.db, closeOnShutdown: opts.closeDbOnShutdown ?? true });
  await app.register(realtimePlugin, {
    limits: opts.limits,
    faults: opts.faults ?? noFaults,
    centralVersion: CENTRAL_VERSION,
    ...(opts.commandAckTimeoutMs === undefined ? {} : { commandAckTimeoutMs: opts.commandAckTimeoutMs }),
  });
  await app.register(healthRoutes);
  const clock = opts.clock ?? (await createCentralClock(opts.db.pool));
  await app.register(apiRoutes, { prefix: '/api/v1', adminToken: opts.adminToken, clock });
  return app;
}
