import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { agentApi, ApiError, describeZodError, edgeErrorOptions, errorBody, limitSchema, skuSchema } from '@outpost/shared';
import { InvalidEventError, StorageFullError, type Capture, type CaptureResult } from './capture.js';
import type { ItemRow } from './items.js';
import type { Logger } from './log.js';
import type { Picks } from './picks.js';
import type { StockRow } from './stock.js';
import { foreignOriginRefusal } from './origin-guard.js';
import { registerUiRoutes, type DeviceInfo } from './ui-routes.js';

export interface HttpApiDeps {
  capture: Capture;
  status: () => agentApi.AgentStatusResponse;
  listItems: (q: { sku?: string | undefined; after?: string | undefined; limit: number }) => { items: ItemRow[]; next: string | null };
  /** The local, partial stock picture (see stock.ts): this device's events plus central's receipts. */
  listStock: (q: { sku?: string | undefined; after?: string | undefined; limit: number }) => { items: StockRow[]; next: string | null };
  /** False when configured to listen beyond loopback: then every API call needs X-Api-Key. */
  loopbackOnly: boolean;
  apiKey: string | null;
  log: Logger;
  /** Who this agent is, for the associate UI (GET /api/v1/enrolment); never the device token. */
  device?: DeviceInfo;
  /** Reservations to pick and hand over (issue 4). */
  picks?: Picks;
}

export const BODY_LIMIT = 256 * 1024;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase());
}

/** Hostname part of a Host header: "[::1]:8090" -> "[::1]", "localhost:8090" -> "localhost". */
export function hostName(header: string | undefined): string {
  if (!header) return '';
  const h = header.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.split(':')[0] ?? '';
}

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) throw new ApiError(400, 'validation_error', `invalid ${where}`, describeZodError(r.error));
  return r.data;
}

const itemsQuery = z.object({ sku: skuSchema.optional(), after: z.string().max(128).optional(), limit: limitSchema });

export interface HttpBaseOptions {
  loopbackOnly: boolean;
  apiKey: string | null;
  log: Logger;
}

/**
 * The rules every local server of the agent follows, the engine's API and the enrolment set-up alike (see
 * service.ts). §8: loopback Host names only (a web page elsewhere cannot post sales here via DNS rebinding), no
 * state change from another origin's page (origin-guard.ts), JSON bodies only, bounded bodies, JSON errors.
 */
export function buildHttpBase(d: HttpBaseOptions): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT, ...edgeErrorOptions });

  // Our own JSON parser: an empty body (POST /days/:date/close) is fine; everything else must be JSON.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(new ApiError(400, 'invalid_json', `body is not valid JSON: ${(e as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser('*', (_req, _payload, done) => done(new ApiError(415, 'unsupported_media_type', 'only application/json bodies are accepted'), undefined));

  app.addHook('onRequest', async (req) => {
    if (d.loopbackOnly) {
      if (!isLoopbackHost(hostName(req.headers.host))) throw new ApiError(403, 'forbidden_host', 'requests must address this agent by a loopback name');
    } else if (req.url.startsWith('/api/')) {
      const given = req.headers['x-api-key'];
      if (!d.apiKey || typeof given !== 'string' || !safeEqual(given, d.apiKey)) throw new ApiError(403, 'forbidden', 'a valid X-Api-Key header is required');
    }
    const foreign = foreignOriginRefusal({ method: req.method, host: req.headers.host, origin: header(req.headers.origin), secFetchSite: header(req.headers['sec-fetch-site']) });
    if (foreign) throw new ApiError(403, 'forbidden_origin', foreign);
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
    if (hasBody && type !== 'application/json') throw new ApiError(415, 'unsupported_media_type', 'only application/json bodies are accepted');
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    // Every outcome the API names (edge refusals here, pick refusals, ...) is an ApiError with its status and code.
    if (err instanceof ApiError) return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    // 507 Insufficient Storage: the till must not think a document it cannot save was taken.
    if (err instanceof StorageFullError) return reply.status(507).send(errorBody('disk_full', err.message, null));
    if (err instanceof InvalidEventError) {
      d.log.error('capture built an invalid event', { error: err.message });
      return reply.status(422).send(errorBody('invalid_event', err.message, err.issues));
    }
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    if (status >= 500) d.log.error('request failed', { error: String(err), stack: err.stack });
    const code =
      status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : status >= 500 ? 'internal' : 'bad_request';
    return reply.status(status).send(errorBody(code, status >= 500 ? 'internal error' : err.message, null));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]}`)));
  return app;
}

/** The associate-facing local API: capture, status, item master, stock, and the associate UI (ui-routes.ts). */
export function buildHttpApi(d: HttpApiDeps): FastifyInstance {
  const app = buildHttpBase(d);
  registerUiRoutes(app, { device: d.device ?? null, enroll: null });

  const answer = (reply: FastifyReply, r: CaptureResult) => reply.status(r.duplicate ? 200 : 201).send(r);
  const body = (req: FastifyRequest) => req.body ?? {};

  const picks = d.picks;
  if (picks) {
    app.get('/api/v1/picks', (req) => {
      const q = parse(agentApi.picksQuery, req.query, 'query');
      return picks.list({ status: q.status, after: q.after, limit: q.limit });
    });
    app.post('/api/v1/picks/:reservationId/confirm', (req, reply) => {
      const p = parse(agentApi.pickParams, req.params, 'reservation id');
      const r = picks.confirm(p.reservationId, parse(agentApi.confirmPickBody, body(req), 'pick'));
      return reply.status(r.duplicate ? 200 : 201).send(r);
    });
    app.post('/api/v1/picks/:reservationId/handover', (req, reply) => {
      const r = picks.handover(parse(agentApi.pickParams, req.params, 'reservation id').reservationId);
      return reply.status(r.duplicate ? 200 : 201).send(r);
    });
    app.get('/api/v1/tasks', () => ({ items: picks.listTasks(), next: null }));
    app.post('/api/v1/tasks/:taskId/done', (req) => picks.completeTask(parse(agentApi.taskParams, req.params, 'task id').taskId));
  }
  app.post('/api/v1/sales', (req, reply) => answer(reply, d.capture.sale(parse(agentApi.saleBody, body(req), 'sale'))));
  app.post('/api/v1/returns', (req, reply) => answer(reply, d.capture.return(parse(agentApi.returnBody, body(req), 'return'))));
  app.post('/api/v1/counts', (req, reply) => answer(reply, d.capture.count(parse(agentApi.countBody, body(req), 'count'))));
  app.post('/api/v1/adjustments', (req, reply) => answer(reply, d.capture.adjustment(parse(agentApi.adjustmentBody, body(req), 'adjustment'))));
  app.post('/api/v1/days/:businessDate/close', (req, reply) => {
    const p = parse(agentApi.dayCloseParams, req.params, 'business date');
    return answer(reply, d.capture.closeDay(p.businessDate, parse(agentApi.dayCloseBody, body(req), 'day close').countedCash));
  });
  app.get('/api/v1/days/:businessDate/totals', (req) => d.capture.dayTotals(parse(agentApi.dayCloseParams, req.params, 'business date').businessDate));
  app.get('/api/v1/status', () => d.status());
  app.get('/api/v1/items', (req) => {
    const q = parse(itemsQuery, req.query, 'query');
    return d.listItems({ sku: q.sku, after: q.after, limit: q.limit });
  });
  app.get('/api/v1/stock', (req) => {
    const q = parse(itemsQuery, req.query, 'query');
    return d.listStock({ sku: q.sku, after: q.after, limit: q.limit });
  });
  return app;
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
