import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { errorBody } from '@outpost/shared';
import { AppError } from '../app-error.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';

// Fastify's own client errors, by code, mapped to the words of our error shape.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload_too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad_request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad_request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad_request',
};

/** Every error over HTTP is `{error:{code,message,details}}` with a fitting status (house rule). */
export function installErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.statusCode).send(errorBody(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        in: err.validationContext ?? 'request',
        path: v.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(root)',
        message: v.message ?? 'invalid',
      }));
      const summary = details.map((d) => `${d.in}.${d.path}: ${d.message}`).join('; ');
      return reply.status(400).send(errorBody('validation_failed', `invalid request: ${summary}`, details));
    }
    if (isResponseSerializationError(err)) {
      request.log.error({ err }, 'response does not match its schema');
      return reply.status(500).send(errorBody('internal', 'central produced an invalid response'));
    }
    const fe = err as FastifyError;
    const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
    if (status >= 400 && status < 500) {
      const code = (fe.code && FASTIFY_CODES[fe.code]) ?? (status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'bad_request');
      return reply.status(status).send(errorBody(code, err.message));
    }
    if (isDatabaseUnavailable(err)) {
      request.log.warn({ err }, 'request failed: the database is unavailable');
      return reply.status(503).header('retry-after', '5').send(errorBody('database_unavailable', 'the database is unavailable; try again shortly'));
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('internal', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });
}
