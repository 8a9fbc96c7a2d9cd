import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '@outpost/shared';
import { adminAuth } from '../http/admin-auth.js';

/** `GET /metrics`: Prometheus text of this node. It names stores and their backlog, so it needs the admin token
 * (Prometheus sends it with `authorization: {credentials: <token>}` in its scrape config). */
export const metricsRoutes: FastifyPluginAsyncZod<{ adminToken: string }> = async (app, opts) => {
  app.addHook('onRequest', adminAuth(opts.adminToken));
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics of this central node (text exposition format 0.0.4)',
        tags: ['monitoring'],
        response: { 200: z.string().describe('Prometheus text'), 401: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const text = await app.metrics.registry.metrics();
      return reply.type(app.metrics.registry.contentType).send(text);
    },
  );
};
