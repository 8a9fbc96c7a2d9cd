import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { revokeDevice } from '../services/stores.js';
import { access } from '../access/roles.js';

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
};
