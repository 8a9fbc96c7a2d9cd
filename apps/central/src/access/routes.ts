import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { errorBodySchema } from '@outpost/shared';
import { access } from './roles.js';
import { createApiToken, listApiTokens, revokeApiToken } from './token-store.js';
import { listAudit } from './audit-store.js';
import { auditQuery, auditResponse, createTokenBody, createTokenResponse, tokenInfo, tokenParams, tokensResponse, whoamiResponse } from './api-schemas.js';

/** API tokens with roles (admin only), the audit log (admin only), and "who am I" for the console. */
export const tokenRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/tokens',
    {
      config: { access: access.admin, audit: 'token.created' },
      schema: {
        summary: 'Make an API token with one role (the secret is in this answer only)',
        tags: ['access'],
        body: createTokenBody,
        response: { 201: createTokenResponse, 403: errorBodySchema },
      },
    },
    async (request, reply) => {
      const made = await createApiToken(app.db.pool, request.body.name, request.body.role, request.principal?.tokenId ?? 'unknown');
      request.auditNote = { target: `${made.tokenId} (${made.name}, ${made.role})`, storeId: null };
      return reply.status(201).send(made);
    },
  );

  app.get(
    '/tokens',
    { config: { access: access.admin }, schema: { summary: 'API tokens (never their secrets)', tags: ['access'], response: { 200: tokensResponse } } },
    async () => ({ tokens: await listApiTokens(app.db.pool) }),
  );

  app.post(
    '/tokens/:tokenId/revoke',
    {
      config: { access: access.admin, audit: 'token.revoked' },
      schema: { summary: 'Revoke an API token: refused from the next request on', tags: ['access'], params: tokenParams, response: { 200: tokenInfo } },
    },
    async (request) => revokeApiToken(app.db.pool, request.params.tokenId),
  );

  app.get(
    '/whoami',
    {
      config: { access: ['admin', 'operator', 'viewer', 'integration'] },
      schema: { summary: "The calling token's id, name and role (the console shows actions by role)", tags: ['access'], response: { 200: whoamiResponse } },
    },
    async (request) => request.principal!,
  );

  app.get(
    '/audit',
    {
      config: { access: access.admin },
      schema: {
        summary: 'Audit log: every change made through the API, oldest first after `after`',
        tags: ['access'],
        querystring: auditQuery,
        response: { 200: auditResponse },
      },
    },
    async (request) => listAudit(app.db.pool, request.query),
  );
};
