import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { notFound } from '../platform/index.js';
import {
  balanceQuery,
  balanceResponse,
  erpStatusResponse,
  ledgerQuery,
  ledgerResponse,
  postingParams,
  postingSchema,
  postingsQuery,
  postingsResponse,
  storeSettingsBody,
  storeSettingsParams,
  storeSettingsResponse,
} from './api-schemas.js';
import { listLedger, trialBalance } from './connectors/ledger-queries.js';
import { countByStatus, getPosting, listPostings, replayPosting } from './postings-store.js';
import { getStoreSettings, putStoreSettings } from './store-settings.js';
import { access } from '../access/index.js';

/** ERP posting (docs/erp.md): postings by status, replay, the ledger's books, per-store posting mode. */
export const erpRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/erp/postings',
    {
      config: { access: access.read },
      schema: {
        summary: 'ERP postings by status (pending, posted, retrying, dead), store, kind or business day',
        tags: ['erp'],
        querystring: postingsQuery,
        response: { 200: postingsResponse },
      },
    },
    async (request) => listPostings(app.db.pool, request.query),
  );

  app.get(
    '/erp/postings/:id',
    { config: { access: access.read }, schema: { summary: 'One ERP posting with its document and last error', tags: ['erp'], params: postingParams, response: { 200: postingSchema } } },
    async (request) => getPosting(app.db.pool, request.params.id),
  );

  app.post(
    '/erp/postings/:id/replay',
    {
      config: { access: access.operate, audit: 'erp_posting.replayed' },
      schema: {
        summary: 'Post again now: a dead letter after its cause was fixed, or a posted one (the ERP finds it under our reference and creates nothing)',
        tags: ['erp'],
        params: postingParams,
        response: { 200: postingSchema },
      },
    },
    async (request) => {
      const p = await replayPosting(app.db.pool, request.params.id);
      request.log.info({ postingId: p.id, storeId: p.storeId, postingCorrelationId: p.correlationId }, 'ERP posting replayed');
      app.erp.wake();
      return p;
    },
  );

  app.get(
    '/erp/status',
    { config: { access: access.read }, schema: { summary: 'The ERP connector, this node\'s circuit breaker and postings per status', tags: ['erp'], response: { 200: erpStatusResponse } } },
    async () => ({ connector: app.erp.connector.name, circuit: app.erp.circuit(), postings: await countByStatus(app.db.pool), config: app.erp.config() }),
  );

  app.get(
    '/erp/ledger',
    {
      config: { access: access.read },
      schema: {
        summary: 'Journal entries of the built-in ledger (lines and stock moves), by store and business day',
        tags: ['erp'],
        querystring: ledgerQuery,
        response: { 200: ledgerResponse },
      },
    },
    async (request) => listLedger(app.db.pool, request.query),
  );

  app.get(
    '/erp/ledger/balances',
    { config: { access: access.read }, schema: { summary: 'Trial balance of the built-in ledger per account', tags: ['erp'], querystring: balanceQuery, response: { 200: balanceResponse } } },
    async (request) => trialBalance(app.db.pool, request.query),
  );

  const storeExists = async (storeId: string) => {
    const r = await app.db.pool.query('SELECT 1 FROM stores WHERE store_id = $1', [storeId]);
    if (r.rows.length === 0) throw notFound(`store ${storeId}`, { storeId });
  };

  app.get(
    '/erp/stores/:storeId/settings',
    { config: { access: access.read }, schema: { summary: 'How a store posts: per sale or one summary per business day', tags: ['erp'], params: storeSettingsParams, response: { 200: storeSettingsResponse } } },
    async (request) => {
      await storeExists(request.params.storeId);
      return getStoreSettings(app.db.pool, request.params.storeId, app.erp.settings.summaryCutoff);
    },
  );

  app.put(
    '/erp/stores/:storeId/settings',
    {
      config: { access: access.admin, audit: 'erp_settings.changed' },
      schema: {
        summary: 'Set how a store posts from now on (per_sale or day_summary, and its summary cut-off)',
        tags: ['erp'],
        params: storeSettingsParams,
        body: storeSettingsBody,
        response: { 200: storeSettingsResponse },
      },
    },
    async (request) => {
      await storeExists(request.params.storeId);
      return putStoreSettings(app.db.pool, request.params.storeId, request.body, app.erp.settings.summaryCutoff);
    },
  );
};
