import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody, errorBodySchema, OUTPOST_VERSION } from '@outpost/shared';
import { access } from '../access/index.js';

/** Liveness (the process answers, and which release it runs) and readiness (the database answers). No admin token. */
export const healthRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/healthz',
    {
      config: { access: access.public },
      schema: {
        summary: 'Liveness: the process answers, with the release it runs',
        tags: ['health'],
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), version: z.string() }) },
      },
    },
    async () => ({ status: 'ok' as const, version: OUTPOST_VERSION }),
  );

  app.get(
    '/readyz',
    {
      config: { access: access.public },
      schema: {
        summary: 'Readiness: the database answers (503 otherwise); "degraded" when the ERP configuration check found problems (see GET /api/v1/erp/status)',
        tags: ['health'],
        security: [],
        response: {
          200: z.union([z.object({ status: z.literal('ready') }), z.object({ status: z.literal('degraded'), reason: z.string() })]),
          503: errorBodySchema,
        },
      },
    },
    async (request, reply) => {
      try {
        await app.db.pool.query('SELECT 1');
        // Still ready (stores sync, the API answers), but postings needing the missing parts will fail. The
        // problems themselves (file paths, store ids) are behind the admin token, in GET /api/v1/erp/status.
        const erp = app.hasDecorator('erp') ? app.erp.config() : null;
        if (erp && !erp.ok) return { status: 'degraded' as const, reason: `ERP configuration: ${erp.problems.length} problem(s), see GET /api/v1/erp/status` };
        return { status: 'ready' as const };
      } catch (err) {
        request.log.warn({ err }, 'readiness: database does not answer');
        return reply.status(503).send(errorBody('not_ready', 'the database does not answer'));
      }
    },
  );
};
