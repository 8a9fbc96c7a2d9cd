import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '@outpost/shared';
import { access } from '../access/index.js';

/** `GET /metrics`: Prometheus text of this node. It names stores and their backlog, so it needs a token; give
 * Prometheus a `viewer` token (`authorization: {credentials: <token>}` in its scrape config). */
export const metricsRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/metrics',
    {
      config: { access: access.read },
      schema: {
        summary: 'Prometheus metrics of this central node (text exposition format 0.0.4)',
        tags: ['monitoring'],
        response: { 200: z.string().describe('Prometheus text'), 401: errorBodySchema, 403: errorBodySchema },
      },
    },
    async (_request, reply) => {
      const text = await app.metrics.registry.metrics();
      return reply.type(app.metrics.registry.contentType).send(text);
    },
  );
};
