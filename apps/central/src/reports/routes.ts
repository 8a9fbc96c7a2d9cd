import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { centralApi } from '@outpost/shared';
import { countVariance, ingestRate, returnsByReason, salesByDay, syncLag, type Page } from './reports.js';
import { toCsv } from './reports-csv.js';
import { storeTimeline } from './reports-timeline.js';
import { access } from '../access/index.js';

const CSV_NOTE = ' `format=csv` answers the same page as text/csv; the next cursor is then in the `x-next-cursor` header.';

/** The JSON page, or the same page as a CSV download (columns in the order of the JSON rows' keys). */
function answer<T extends object>(reply: FastifyReply, format: 'json' | 'csv', name: string, columns: readonly (keyof T & string)[], page: Page<T>) {
  if (format === 'json') return page;
  if (page.next) void reply.header('x-next-cursor', page.next);
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}.csv"`)
    .send(toCsv(columns, page.items as unknown as Record<string, unknown>[]));
}

/** `/reports/...`: the console's charts as data, for people who would rather have a spreadsheet. */
export const reportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/reports/store-timeline',
    {
      config: { access: access.read },
      schema: {
        summary: "A store's events newest first (pass `next` as `after` for older ones)",
        tags: ['reports'],
        querystring: centralApi.storeTimelineQuery,
        response: { 200: centralApi.storeTimelineResponse },
      },
    },
    async (request) => storeTimeline(app.db.pool, request.query),
  );

  app.get(
    '/reports/ingest-rate',
    {
      config: { access: access.read },
      schema: {
        summary: 'Events stored and quarantined per minute of arrival (zeros included)',
        description: `The last \`minutes\` minutes, oldest first.${CSV_NOTE}`,
        tags: ['reports'],
        querystring: centralApi.ingestRateQuery,
        response: { 200: centralApi.ingestRateResponse },
      },
    },
    async (request, reply) =>
      answer(reply, request.query.format, 'ingest-rate', ['minute', 'events', 'quarantined'], await ingestRate(app.db.pool, request.query)),
  );

  app.get(
    '/reports/sync-lag',
    {
      config: { access: access.read },
      schema: {
        summary: 'Per store: events waiting at the store, last contact, and capture-to-central lag',
        description: `Lag = received − occurred over the store's latest (up to 1,000) events received in the last \`minutes\`.${CSV_NOTE}`,
        tags: ['reports'],
        querystring: centralApi.syncLagQuery,
        response: { 200: centralApi.syncLagResponse },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        request.query.format,
        'sync-lag',
        ['storeId', 'devices', 'pendingUp', 'lastSeenAt', 'lastReceivedAt', 'events', 'avgLagSeconds', 'maxLagSeconds'],
        await syncLag(app.db.pool, request.query),
      ),
  );

  app.get(
    '/reports/sales-by-day',
    {
      config: { access: access.read },
      schema: {
        summary: 'Sales and returns per business day, store and currency',
        description: `Money in minor units; a sale's amount is the sum of qty × unitPrice of its lines.${CSV_NOTE}`,
        tags: ['reports'],
        querystring: centralApi.salesByDayQuery,
        response: { 200: centralApi.salesByDayResponse },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        request.query.format,
        'sales-by-day',
        ['businessDate', 'storeId', 'currency', 'sales', 'salesAmount', 'unitsSold', 'returns', 'returnsAmount', 'unitsReturned'],
        await salesByDay(app.db.pool, request.query),
      ),
  );

  app.get(
    '/reports/returns-by-reason',
    {
      config: { access: access.read },
      schema: {
        summary: 'Returned lines, units and refunds per reason code',
        description: `Over business days \`from\`..\`to\`.${CSV_NOTE}`,
        tags: ['reports'],
        querystring: centralApi.returnsByReasonQuery,
        response: { 200: centralApi.returnsByReasonResponse },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        request.query.format,
        'returns-by-reason',
        ['reasonCode', 'currency', 'lines', 'qty', 'refundAmount'],
        await returnsByReason(app.db.pool, request.query),
      ),
  );

  app.get(
    '/reports/count-variance',
    {
      config: { access: access.read },
      schema: {
        summary: 'Inventory accuracy per store: counted lines that matched the books, net and absolute variance',
        description: `Counts booked by central on days \`from\`..\`to\` (UTC).${CSV_NOTE}`,
        tags: ['reports'],
        querystring: centralApi.countVarianceQuery,
        response: { 200: centralApi.countVarianceResponse },
      },
    },
    async (request, reply) =>
      answer(
        reply,
        request.query.format,
        'count-variance',
        ['storeId', 'countedLines', 'exactLines', 'accuracy', 'netVariance', 'absVariance'],
        await countVariance(app.db.pool, request.query),
      ),
  );
};
