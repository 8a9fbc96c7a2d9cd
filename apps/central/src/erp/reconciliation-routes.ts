import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { reconciliationQuery, reconciliationResponse } from './api-schemas.js';
import { reconcile } from './reconciliation.js';
import { access } from '../access/index.js';

/** Per store and business day: the store's day close vs central vs the ERP, with every difference. */
export const reconciliationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/reconciliation',
    {
      config: { access: access.read },
      schema: {
        summary: "A business day's reconciliation per store: day.closed control totals, central's books, what the ERP confirmed",
        tags: ['erp'],
        querystring: reconciliationQuery,
        response: { 200: reconciliationResponse },
      },
    },
    async (request) => reconcile(app.db.pool, app.erp.connector, request.query),
  );
};
