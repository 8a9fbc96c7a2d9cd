import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { getItem, upsertItem } from './items.js';
import { access } from '../access/index.js';

export const itemRoutes: FastifyPluginAsyncZod = async (app) => {
  app.put(
    '/items/:sku',
    {
      config: { access: access.operate, audit: 'item.changed' },
      schema: {
        summary: 'Create or update an item (new version), pushed to every store',
        tags: ['items'],
        params: centralApi.itemParams,
        body: centralApi.putItemBody,
        response: { 200: centralApi.itemSchema },
      },
    },
    async (request) => upsertItem(app.db.pool, request.params.sku, request.body),
  );

  app.get(
    '/items/:sku',
    {
      config: { access: access.read },
      schema: { summary: 'One item of the item master', tags: ['items'], params: centralApi.itemParams, response: { 200: centralApi.itemSchema } },
    },
    async (request) => getItem(app.db.pool, request.params.sku),
  );
};
