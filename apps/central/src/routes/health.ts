import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody, errorBodySchema } from '@outpost/shared';
import { access } from '../access/roles.js';

/** Liveness (the process answers) and readiness (the database answers). No admin token. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    { config: { access: access.public }, schema: { summary: 'Liveness: the process answers', tags: ['health'], security: [], response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: access.public },
      schema: {
        summary: 'Readiness: the database answers (503 otherwise)',
        tags: ['health'],
        security: [],
        response: { 200: z.object({ status: z.literal('ready') }), 503: errorBodySchema },
      },
    },
    async (request, reply) => {
      try {
        await app.db.pool.query('SELECT 1');
        return { status: 'ready' as const };
      } catch (err) {
        request.log.warn({ err }, 'readiness: database does not answer');
        return reply.status(503).send(errorBody('not_ready', 'the database does not answer'));
      }
    },
  );
};
