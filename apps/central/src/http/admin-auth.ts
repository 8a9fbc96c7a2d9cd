import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '@outpost/shared';
import { safeEqual } from '../tokens.js';

/** onRequest hook: the admin API needs `Authorization: Bearer <admin token>` (compared in constant time). */
export function adminAuth(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) {
      return reply
        .status(401)
        .header('www-authenticate', 'Bearer')
        .send(errorBody('unauthorized', 'this API needs the admin token: Authorization: Bearer <token>'));
    }
    if (!safeEqual(m[1]!, adminToken)) {
      return reply.status(401).header('www-authenticate', 'Bearer').send(errorBody('unauthorized', 'the admin token is not valid'));
    }
  };
}
