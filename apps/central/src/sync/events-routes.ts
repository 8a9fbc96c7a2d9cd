import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { listEvents } from './events.js';
import { access } from '../access/index.js';

export const eventRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/events',
    {
      config: { access: access.read },
      schema: {
        summary: 'Stored events in arrival order; pass `next` as `after` for the following page',
        tags: ['events'],
        querystring: centralApi.eventsQuery,
        response: { 200: centralApi.eventsResponse },
      },
    },
    async (request) => listEvents(app.db.pool, request.query),
  );
};
