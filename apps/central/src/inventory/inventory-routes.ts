import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { listCounts, listInventory } from './inventory.js';
import { access } from '../access/index.js';

export const inventoryRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/inventory',
    {
      config: { access: access.ordersRead },
      schema: {
        summary: 'Central stock per store and sku (R3 merge of every store event and central receipt)',
        tags: ['inventory'],
        querystring: centralApi.inventoryQuery,
        response: { 200: centralApi.inventoryResponse },
      },
    },
    async (request) => listInventory(app.db.pool, request.query, app.reservations.settings.safetyStock),
  );
  app.get(
    '/inventory/counts',
    {
      config: { access: access.read },
      schema: {
        summary: 'Stock counts with expected and variance (inventory accuracy); superseded counts included',
        tags: ['inventory'],
        querystring: centralApi.inventoryCountsQuery,
        response: { 200: centralApi.inventoryCountsResponse },
      },
    },
    async (request) => listCounts(app.db.pool, request.query),
  );
};
