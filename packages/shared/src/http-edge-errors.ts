import { STATUS_CODES } from 'node:http';
import { errorBody, type ErrorBody } from './errors.js';

/**
 * The errors an HTTP framework raises before any route or error handler runs: a path that is not valid
 * percent-encoding, a path parameter over the router's length bound, and requests Node's HTTP parser refuses
 * (headers too large, a timed-out or garbled request). Both apps answer them in the house shape
 * `{error:{code,message,details}}`, like every other error, so a client has one shape to read.
 */
export function frameworkErrorAnswer(code: string | undefined, path: string): { status: number; body: ErrorBody } {
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  if (code === 'FST_ERR_BAD_URL') return { status: 400, body: errorBody('bad_url', `the address ${shown} is not valid percent-encoding`) };
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 414, body: errorBody('uri_too_long', `a part of the address ${shown} is too long`) };
  return { status: 400, body: errorBody('bad_request', `the request could not be routed (${code ?? 'unknown'})`) };
}

/** The raw HTTP/1.1 answer to a request the parser refused; the connection is closed after it. */
export function clientErrorResponse(code: string | undefined): string {
  const [status, body] =
    code === 'HPE_HEADER_OVERFLOW'
      ? [431, errorBody('headers_too_large', 'the request line or headers are too large')]
      : code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, errorBody('request_timeout', 'the request was not received in time')]
        : [400, errorBody('bad_request', 'the request is not valid HTTP')];
  const text = JSON.stringify(body);
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`;
}

/**
 * Server options for Fastify (both apps spread them into `Fastify({...})`): typed by what they use, so this
 * package needs no Fastify dependency.
 */
export const edgeErrorOptions = {
  frameworkErrors(
    err: { code?: string },
    req: { url: string },
    reply: { raw: { writeHead(status: number, headers: Record<string, string | number>): unknown; end(body: string): unknown } },
  ): void {
    const a = frameworkErrorAnswer(err.code, req.url.split('?')[0] ?? req.url);
    const text = JSON.stringify(a.body);
    // Raw, as Fastify's own answer is: no route matched, so no route's hooks or serializer apply.
    reply.raw.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
    reply.raw.end(text);
  },
  clientErrorHandler(err: { code?: string }, socket: { destroyed: boolean; writable: boolean; write(s: string): unknown; destroy(e?: Error): unknown }): void {
    // A reset connection has nobody left to answer.
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    if (socket.writable) socket.write(clientErrorResponse(err.code));
    socket.destroy();
  },
};
