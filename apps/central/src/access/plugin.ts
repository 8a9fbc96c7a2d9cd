import fp from 'fastify-plugin';
import type { FastifyRequest } from 'fastify';
import { authenticate, principalOf, routeName, sendAuthFailure } from '../http/admin-auth.js';
import { appendAudit } from './audit-store.js';
import type { Access, Principal } from './roles.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route; every route must say (central refuses to start otherwise). */
    access?: Access;
    /** The audit action a successful call records, e.g. `device.revoked`; absent for reads. */
    audit?: string;
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
      const routeAccess = request.routeOptions.config.access;
      // Unmatched URLs (the 404 handler) and public routes carry no token check.
      if (routeAccess === undefined || routeAccess === 'public') return;
      const outcome = await authenticate(lookup, request.headers.authorization, routeAccess, routeName(request));
      if (!outcome.ok) {
        request.log.info({ route: routeName(request), status: outcome.status, sourceAddress: request.ip }, 'request refused: ' + outcome.code);
        return sendAuthFailure(reply, outcome);
      }
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
