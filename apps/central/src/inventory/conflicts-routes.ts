import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { listConflicts } from './conflicts.js';
import { access } from '../access/index.js';

export const conflictRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/conflicts',
    {
      config: { access: access.read },
      schema: {
        summary: 'The conflict log: every merge rule that fired, with its inputs and resolution',
        tags: ['conflicts'],
        querystring: centralApi.conflictsQuery,
        response: { 200: centralApi.conflictsResponse },
      },
    },
    async (request) => listConflicts(app.db.pool, request.query),
  );
};
