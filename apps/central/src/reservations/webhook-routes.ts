import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { listDeliveries, replayDelivery } from './webhook-outbox.js';
import { access } from '../access/index.js';

export const webhookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/webhooks/deliveries',
    {
      config: { access: access.read },
      schema: {
        summary: 'Deliveries of the order-system webhook, by status (failed ones can be replayed)',
        tags: ['reservations'],
        querystring: centralApi.webhookDeliveriesQuery,
        response: { 200: centralApi.webhookDeliveriesResponse },
      },
    },
    async (request) => listDeliveries(app.db.pool, request.query),
  );

  app.post(
    '/webhooks/deliveries/:id/replay',
    {
      config: { access: access.operate, audit: 'webhook_delivery.replayed' },
      schema: {
        summary: 'Send a failed delivery again (same body, same idempotency key)',
        tags: ['reservations'],
        params: centralApi.webhookDeliveryParams,
        response: { 200: centralApi.webhookDeliverySchema },
      },
    },
    async (request) => {
      const d = await replayDelivery(app.db.pool, request.params.id);
      app.reservations.wakeWebhooks();
      return d;
    },
  );
};
