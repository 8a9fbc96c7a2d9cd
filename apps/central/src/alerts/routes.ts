import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { access } from '../access/index.js';
import { listAlerts } from './store.js';

/** `GET /alerts`: what needs an operator now (or, with state=closed, what did), critical first, oldest first. */
export const alertRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/alerts',
    {
      config: { access: access.read },
      schema: {
        summary: 'Fleet alerts: open ones with their start time (state=closed: history)',
        tags: ['monitoring'],
        querystring: centralApi.alertsQuery,
        response: { 200: centralApi.alertsResponse },
      },
    },
    async (request) => {
      const rows = await listAlerts(app.db.pool, request.query);
      return {
        items: rows.map((r) => ({
          alertId: r.alertId,
          kind: r.kind as (typeof centralApi.alertKindSchema.options)[number],
          ...(r.storeId === null ? {} : { storeId: r.storeId }),
          since: r.since,
          severity: r.severity,
          detail: r.detail,
          ...(r.closedAt === null ? {} : { closedAt: r.closedAt }),
        })),
        next: null,
      };
    },
  );
};
