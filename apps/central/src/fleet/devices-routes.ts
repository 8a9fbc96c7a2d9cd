import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { revokeDevice } from './stores.js';
import { requestRotation } from './token-rotation.js';
import { access } from '../access/index.js';

export const deviceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/devices/:deviceId/revoke',
    {
      config: { access: access.operate, audit: 'device.revoked' },
      schema: {
        summary: "Revoke a device token and drop the device's live connections",
        tags: ['fleet'],
        params: centralApi.deviceParams,
        response: { 200: centralApi.revokeResponse },
      },
    },
    async (request) => {
      const revoked = await revokeDevice(app.db.pool, request.params.deviceId);
      request.auditNote = { target: revoked.deviceId, storeId: revoked.storeId };
      // Other nodes hear it through pg_notify; this node does not wait for its own notification.
      app.realtime.disconnectDevice(revoked.deviceId);
      return { deviceId: revoked.deviceId, revokedAt: revoked.revokedAt };
    },
  );

  app.post(
    '/devices/:deviceId/rotate',
    {
      config: { access: access.operate, audit: 'device.token_rotated' },
      schema: {
        summary: "Rotate a device's token without re-enrolment: now if it is connected, else at its next connection",
        tags: ['fleet'],
        params: centralApi.deviceParams,
        response: { 202: centralApi.rotateResponse },
      },
    },
    async (request, reply) => {
      // Every node hears it through pg_notify (this one too): the node holding the device's socket sends the token.
      const r = await requestRotation(app.db.pool, request.params.deviceId);
      request.auditNote = { target: r.deviceId, storeId: r.storeId };
      return reply.code(202).send({ deviceId: r.deviceId, requestedAt: r.requestedAt });
    },
  );
};
