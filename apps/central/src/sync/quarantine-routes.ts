import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { listQuarantine, replayQuarantine } from './quarantine.js';
import { access } from '../access/index.js';

export const quarantineRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/quarantine',
    {
      config: { access: access.read },
      schema: {
        summary: 'Events that failed validation, kept with their error',
        tags: ['events'],
        querystring: centralApi.quarantineQuery,
        response: { 200: centralApi.quarantineResponse },
      },
    },
    async (request) => listQuarantine(app.db.pool, request.query),
  );

  app.post(
    '/quarantine/:id/replay',
    {
      config: { access: access.operate, audit: 'quarantine.replayed' },
      schema: {
        summary: 'Re-validate a quarantined event; store it if it is valid now (422 if still invalid)',
        tags: ['events'],
        params: centralApi.quarantineParams,
        response: { 200: centralApi.quarantineReplayResponse },
      },
    },
    async (request) => {
      const r = await replayQuarantine(app.db.pool, request.params.id, app.reservations.settings);
      app.erp.wake(); // its posting goes out now, not at the worker's next poll
      return r;
    },
  );
};
