import { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { uuidv7 } from '@outpost/shared';

/** The header a caller may set to tie its request to its own trace; central answers with the id it used. */
export const CORRELATION_HEADER = 'x-correlation-id';
const CORRELATION_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A request's correlation id: the caller's `x-correlation-id` when it is a sane token (it lands in every log
 * line, so no 16 KB header or control characters), otherwise a new UUIDv7.
 */
export function correlationIdOf(header: string | string[] | undefined): string {
  const v = Array.isArray(header) ? header[0] : header;
  return v !== undefined && CORRELATION_RE.test(v) ? v : uuidv7();
}

/**
 * Fastify's logging options: pino JSON lines with ISO times and level names, each request's lines carrying
 * `correlationId` (Fastify's request id, taken from `x-correlation-id`).
 */
export function httpLoggingOptions(logger: FastifyServerOptions['logger'] | undefined): Pick<
  FastifyServerOptions,
  'logger' | 'genReqId' | 'requestIdHeader' | 'logController'
> {
  return {
    logger: logger ?? {
      level: process.env.OUTPOST_LOG_LEVEL ?? 'info',
      timestamp: () => `,"time":"${new Date().toISOString()}"`,
      formatters: { level: (label: string) => ({ level: label }) },
    },
    requestIdHeader: false,
    logController: new LogController({ requestIdLogLabel: 'correlationId' }),
    genReqId: (req) => correlationIdOf(req.headers[CORRELATION_HEADER]),
  };
}

/** Echo the correlation id on every answer, so a caller can quote it when asking about a failure. */
export function installCorrelationHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(CORRELATION_HEADER, request.id);
  });
}
