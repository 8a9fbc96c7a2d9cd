import fp from 'fastify-plugin';
import rateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '@outpost/shared';
import { authenticate, principalOf, routeName, sendAuthFailure } from './admin-auth.js';
import { appendAudit } from './audit-store.js';
import { defaultRateLimits, makeLimiter, type Limiter, type RateLimitSettings, type Verdict } from './limits.js';
import type { Access, Principal } from './roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route must say (central refuses to start otherwise). */
    access?: Access;
    /** The audit action a successful call records, e.g. `device.revoked`; absent for reads. */
    audit?: string;
    /** A public route that trades a guessable secret (enrolment): limited per source address. */
    guarded?: 'enrollment';
  }
  interface FastifyInstance {
    /** Failed-authentication counters per source address, shared with the socket handshake. */
    authFailures: Limiter;
  }
  interface FastifyRequest {
    /** The caller, once its token passed; null on public routes. */
    principal: Principal | null;
    /** What a handler knows better than the URL about the thing it changed. */
    auditNote: AuditNote | null;
  }
}

export interface AuditNote {
  target?: string | null;
  storeId?: string | null;
}

export interface AccessOptions {
  adminToken: string;
  rateLimits?: RateLimitSettings;
}

function tooMany(reply: FastifyReply, v: Verdict, what: string): FastifyReply {
  return reply
    .status(429)
    .header('retry-after', String(v.retryAfterSeconds))
    .send(errorBody('rate_limited', `${what}; retry in ${v.retryAfterSeconds} s`, { retryAfterSeconds: v.retryAfterSeconds }));
}

function auditTarget(request: FastifyRequest): { target: string | null; storeId: string | null } {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const body = (request.body ?? {}) as Record<string, unknown>;
  const fromParams = Object.values(params).filter((v): v is string => typeof v === 'string');
  const storeFromRequest = typeof params.storeId === 'string' ? params.storeId : typeof body.storeId === 'string' ? body.storeId : null;
  const note = request.auditNote;
  return {
    target: note?.target !== undefined ? note.target : fromParams.length ? fromParams.join('/') : storeFromRequest,
    storeId: note?.storeId !== undefined ? note.storeId : storeFromRequest,
  };
}

/**
 * Tokens and roles on every route: a route without `config.access` is refused at registration; a guarded route
 * needs a token whose role it admits (401 without a valid token, 403 outside the role); a successful change on
 * a route with `config.audit` appends one audit row before the answer leaves.
 */
export const accessPlugin = fp<AccessOptions>(
  async (app, opts) => {
    app.decorateRequest('principal', null);
    app.decorateRequest('auditNote', null);
    const limits = opts.rateLimits ?? defaultRateLimits();
    // Only as a counter store: no route is limited by the plugin itself (global: false); the hooks below decide.
    await app.register(rateLimit, { global: false, cache: 50_000 });
    const enrollments = makeLimiter(app, 'enroll', limits.enrollPerAddress, limits.windowMs);
    const failures = makeLimiter(app, 'authfail', limits.authFailuresPerAddress, limits.windowMs);
    const perToken = makeLimiter(app, 'token', limits.requestsPerToken, limits.windowMs);
    app.decorate('authFailures', failures);

    app.addHook('onRoute', (r) => {
      // The OpenAPI pages are registered by @fastify/swagger-ui and describe the API, not its data.
      if (r.url === '/docs' || r.url.startsWith('/docs/')) {
        r.config = { ...r.config, access: 'public' };
        return;
      }
      if (r.config?.access === undefined) throw new Error(`route ${String(r.method)} ${r.url} declares no access (config.access): say who may call it`);
    });

    const lookup = (secret: string) => principalOf(app.db.pool, opts.adminToken, secret);

    app.addHook('onRequest', async (request, reply) => {
      const { access: routeAccess, guarded } = request.routeOptions.config;
      if (guarded === 'enrollment') {
        const v = await enrollments.hit(request.ip);
        if (v.limited) {
          request.log.warn({ route: routeName(request), sourceAddress: request.ip }, 'enrolment attempts over the limit');
          return tooMany(reply, v, 'too many enrolment attempts from this address');
        }
      }
      // Unmatched URLs (the 404 handler) and public routes carry no token check.
      if (routeAccess === undefined || routeAccess === 'public') return;
      const blocked = await failures.peek(request.ip);
      if (blocked.limited) return tooMany(reply, blocked, 'too many requests with a wrong token from this address');
      const outcome = await authenticate(lookup, request.headers.authorization, routeAccess, routeName(request));
      if (!outcome.ok) {
        if (outcome.badToken) await failures.hit(request.ip);
        request.log.info({ route: routeName(request), status: outcome.status, sourceAddress: request.ip }, 'request refused: ' + outcome.code);
        return sendAuthFailure(reply, outcome);
      }
      const busy = await perToken.hit(outcome.principal.tokenId);
      if (busy.limited) return tooMany(reply, busy, `too many requests with token ${outcome.principal.name}`);
      request.principal = outcome.principal;
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const action = request.routeOptions.config.audit;
      if (!action || !request.principal || reply.statusCode >= 400) return payload;
      try {
        await appendAudit(app.db.pool, {
          actor: request.principal,
          action,
          ...auditTarget(request),
          correlationId: request.id,
          sourceAddress: request.ip,
          status: reply.statusCode,
        });
      } catch (err) {
        // The change is committed; failing the answer now would make the caller retry a done change.
        request.log.error({ err, action }, 'audit: could not append the audit row');
      }
      return payload;
    });
  },
  { name: 'outpost-access', fastify: '5.x', dependencies: ['outpost-db'] },
);
