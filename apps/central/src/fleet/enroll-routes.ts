import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi, errorBodySchema } from '@outpost/shared';
import { enrollDevice } from './stores.js';
import { access } from '../access/index.js';

/** POST /enroll: the one route an agent calls with an enrolment code instead of the admin token. */
export const enrollRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/enroll',
    {
      config: { access: access.public, guarded: 'enrollment' },
      schema: {
        summary: 'Trade a one-time enrolment code for a device token',
        tags: ['enrolment'],
        security: [],
        body: centralApi.enrollBody,
        response: { 200: centralApi.enrollResponse, 429: errorBodySchema },
      },
    },
    async (request) => enrollDevice(app.db.pool, request.body.code, request.body.deviceName),
  );
};
