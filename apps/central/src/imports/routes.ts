import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { centralApi } from '@outpost/shared';
import { access } from '../access/index.js';
import { clearImportRejections, listImportRejections } from './store.js';

const rejectionSchema = z.object({
  deviceId: z.string(),
  file: z.string(),
  line: z.number().int().nullable(),
  reason: z.string(),
  rejectedAt: z.string(),
  receivedAt: z.string(),
  clearedAt: z.string().nullable(),
});

/** Till files a store's agents rejected (newest first), and an operator's "seen to it", which ends the alert. */
export const importRejectionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/stores/:storeId/import-rejections',
    {
      config: { access: access.read },
      schema: {
        summary: "Till files the store's agents rejected, with the file, the first bad line and every reason",
        tags: ['fleet'],
        params: centralApi.storeParams,
        querystring: z.object({ limit: centralApi.storesQuery.shape.limit }),
        response: { 200: z.object({ items: z.array(rejectionSchema), next: z.null() }) },
      },
    },
    async (request) => ({ items: await listImportRejections(app.db.pool, request.params.storeId, request.query.limit), next: null }),
  );
  app.post(
    '/stores/:storeId/import-rejections/clear',
    {
      config: { access: access.operate, audit: 'import_rejections.cleared' },
      schema: {
        summary: 'Mark the store\'s rejected till files as seen to (fixed and dropped again): they stop raising import_rejected',
        tags: ['fleet'],
        params: centralApi.storeParams,
        response: { 200: z.object({ cleared: z.number().int() }) },
      },
    },
    async (request) => {
      const cleared = await clearImportRejections(app.db.pool, request.params.storeId);
      await app.alerts.evaluateNow();
      return { cleared };
    },
  );
};
