import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi, type HybridClock } from '@outpost/shared';
import { bookReceipt } from './receipts.js';
import { access } from '../access/index.js';

export interface ReceiptRoutesOptions {
  clock: HybridClock;
}

export const receiptRoutes: FastifyPluginAsyncZod<ReceiptRoutesOptions> = async (app, opts) => {
  app.post(
    '/stores/:storeId/receipts',
    {
      config: { access: access.operate, audit: 'receipt.booked' },
      schema: {
        summary: 'Book a receipt or transfer centrally: stock added and a stock.received command sent to the store',
        tags: ['inventory'],
        params: centralApi.storeParams,
        body: centralApi.receiptBody,
        response: { 200: centralApi.receiptResponse, 201: centralApi.receiptResponse },
      },
    },
    async (request, reply) => {
      const r = await bookReceipt(app.db.pool, opts.clock, request.params.storeId, request.body);
      return reply.status(r.created ? 201 : 200).send({ receiptId: r.receiptId, hlc: r.hlc, commandSeq: r.commandSeq });
    },
  );
};
