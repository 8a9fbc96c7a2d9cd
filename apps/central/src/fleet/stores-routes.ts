import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { fleetSummary, listStores } from './fleet.js';
import { createStore, issueEnrollmentCode } from './stores.js';
import { access } from '../access/index.js';

export const storeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/stores',
    {
      config: { access: access.operate, audit: 'store.created' },
      schema: {
        summary: 'Create a store and its first one-time enrolment code',
        tags: ['fleet'],
        body: centralApi.createStoreBody,
        response: { 201: centralApi.createStoreResponse },
      },
    },
    async (request, reply) => reply.status(201).send(await createStore(app.db.pool, request.body.storeId, request.body.name)),
  );

  app.post(
    '/stores/:storeId/enrollment-codes',
    {
      config: { access: access.operate, audit: 'enrollment_code.issued' },
      schema: {
        summary: 'Another one-time enrolment code for a store',
        tags: ['fleet'],
        params: centralApi.storeParams,
        response: { 201: centralApi.enrollmentCodeResponse },
      },
    },
    async (request, reply) => reply.status(201).send({ enrollmentCode: await issueEnrollmentCode(app.db.pool, request.params.storeId) }),
  );

  app.get(
    '/stores',
    {
      config: { access: access.read },
      schema: {
        summary: 'Fleet status per store and device: searched, filtered, sorted (worst first) and paged on the server',
        tags: ['fleet'],
        querystring: centralApi.storesQuery,
        response: { 200: centralApi.storesResponse },
      },
    },
    async (request) => listStores(app.db.pool, request.query, await app.realtime.presence.onlineDevices()),
  );

  app.get(
    '/fleet/summary',
    {
      config: { access: access.read },
      schema: {
        summary: 'Stores online, offline, lagging and with errors; events and commands waiting; open alerts',
        tags: ['fleet'],
        response: { 200: centralApi.fleetSummarySchema },
      },
    },
    async () => fleetSummary(app.db.pool, await app.realtime.presence.onlineDevices()),
  );
};
