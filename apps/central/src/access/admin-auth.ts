import type { FastifyReply, FastifyRequest } from 'fastify';
import type pg from 'pg';
import { errorBody } from '@outpost/shared';
import { safeEqual } from '../platform/index.js';
import { admits, BOOTSTRAP_PRINCIPAL, type Access, type Principal } from './roles.js';
import { findApiToken } from './token-store.js';

/** The bearer secret of a request, or null when there is none (or it is not a single token). */
export function bearerOf(header: string | undefined): string | null {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return m ? m[1]! : null;
}

/** Whose token this is: the bootstrap admin token (compared in constant time) or a live stored token. */
export async function principalOf(pool: pg.Pool, adminToken: string, secret: string): Promise<Principal | null> {
  if (safeEqual(secret, adminToken)) return BOOTSTRAP_PRINCIPAL;
  return findApiToken(pool, secret);
}

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; status: 401 | 403; code: 'unauthorized' | 'forbidden'; message: string; badToken: boolean };

/** The rule, apart from Fastify: no token or an unknown one is 401, a known token outside its role 403. */
export async function authenticate(
  lookup: (secret: string) => Promise<Principal | null>,
  header: string | undefined,
  routeAccess: Exclude<Access, 'public'>,
  what: string,
): Promise<AuthOutcome> {
  const secret = bearerOf(header);
  if (!secret) return { ok: false, status: 401, code: 'unauthorized', message: 'this API needs a token: Authorization: Bearer <token>', badToken: false };
  const principal = await lookup(secret);
  if (!principal) return { ok: false, status: 401, code: 'unauthorized', message: 'the token is not valid (unknown or revoked)', badToken: true };
  if (!admits(routeAccess, principal.role)) {
    return { ok: false, status: 403, code: 'forbidden', message: `a token with role ${principal.role} may not call ${what} (allowed: ${routeAccess.join(', ')})`, badToken: false };
  }
  return { ok: true, principal };
}

export function sendAuthFailure(reply: FastifyReply, outcome: Extract<AuthOutcome, { ok: false }>): FastifyReply {
  if (outcome.status === 401) void reply.header('www-authenticate', 'Bearer');
  return reply.status(outcome.status).send(errorBody(outcome.code, outcome.message));
}

/** `METHOD /pattern` of a request, for messages (the pattern, never the concrete URL with its query). */
export function routeName(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
}
