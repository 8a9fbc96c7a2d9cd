import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { notFound } from '../platform/index.js';
import { cancelReservation } from './lifecycle.js';
import { loadReservation, viewOf } from './reservation-store.js';
import { createReservation } from './reserve.js';
import { listReservations } from './queries.js';
import { access } from '../access/index.js';

const correlationHeader = (h: unknown): string | undefined => (typeof h === 'string' && h.length > 0 && h.length <= 128 ? h : undefined);

export const reservationRoutes: FastifyPluginAsyncZod = async (app) => {
  const s = () => app.reservations.settings;

  app.post(
    '/reservations',
    {
      config: { access: access.ordersWrite, audit: 'reservation.created' },
      schema: {
        summary: 'Reserve stock in a store for an order: granted atomically against available stock, or 409 with what is available',
        description:
          'The same orderId for the same store while its reservation is open answers that reservation again (200). An X-Correlation-Id header, when given, is carried into the command, the events and the webhook.',
        tags: ['reservations'],
        body: centralApi.createReservationBody,
        response: { 200: centralApi.createReservationResponse, 201: centralApi.createReservationResponse, 409: centralApi.reservationUnavailableResponse },
      },
    },
    async (request, reply) => {
      const r = await createReservation(app.db.pool, s(), { ...request.body, correlationId: correlationHeader(request.headers['x-correlation-id']) });
      if (r.kind === 'unavailable') {
        const short = r.available.filter((l) => l.available < l.requested).map((l) => `${l.sku}: ${l.available} of ${l.requested}`);
        const message = `not enough available stock in store ${request.body.storeId} (${short.join('; ')})`;
        return reply.status(409).send({ error: { code: 'insufficient_stock', message, details: { available: r.available } }, available: r.available });
      }
      const body = { reservationId: r.row.reservationId, status: r.row.status, expiresAt: r.row.expiresAt.toISOString() };
      return reply.status(r.kind === 'created' ? 201 : 200).send(body);
    },
  );

  app.get(
    '/reservations',
    {
      config: { access: access.ordersRead },
      schema: {
        summary: 'Reservations, newest last, by store, order or status',
        tags: ['reservations'],
        querystring: centralApi.reservationsQuery,
        response: { 200: centralApi.reservationsResponse },
      },
    },
    async (request) => listReservations(app.db.pool, request.query),
  );

  app.get(
    '/reservations/:id',
    {
      config: { access: access.ordersRead },
      schema: {
        summary: 'One reservation with its status history',
        tags: ['reservations'],
        params: centralApi.reservationParams,
        response: { 200: centralApi.reservationSchema },
      },
    },
    async (request) => {
      const row = await loadReservation(app.db.pool, request.params.id);
      if (!row) throw notFound(`reservation ${request.params.id}`, { reservationId: request.params.id });
      return viewOf(app.db.pool, row);
    },
  );

  app.post(
    '/reservations/:id/cancel',
    {
      config: { access: access.ordersCancel, audit: 'reservation.cancelled' },
      schema: {
        summary: 'Cancel an open reservation; the store is told and its held stock released',
        tags: ['reservations'],
        params: centralApi.reservationParams,
        body: centralApi.cancelReservationBody,
        response: { 200: centralApi.reservationSchema },
      },
    },
    async (request) => {
      const row = await cancelReservation(app.db.pool, s(), request.params.id, request.body?.reason);
      app.reservations.wakeWebhooks();
      return viewOf(app.db.pool, row);
    },
  );
};
