import { connect } from 'node:net';
import { expect } from 'vitest';

/** Send exactly these bytes (a path no URL class would let through as is) and read the status and JSON body. */
export function rawHttp(base: string, head: string): Promise<{ status: number; body: unknown }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => s.write(head));
    const chunks: Buffer[] = [];
    s.on('data', (c: Buffer) => chunks.push(c));
    s.on('error', reject);
    s.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      const raw = text.slice(text.indexOf('\r\n\r\n') + 4);
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // not JSON: the assertion shows the text
      }
      resolve({ status, body });
    });
  });
}

const get = (host: string, path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`;

/**
 * The errors the HTTP framework raises before any route runs answer in the house shape too: bad
 * percent-encoding (400), a path parameter over the router's bound (414), headers over Node's limit (431), and
 * a request that is not HTTP (400).
 */
export async function expectHouseShapedEdgeErrors(
  base: string,
  paramRoute: (param: string) => string,
  /** A route ending in a parameter (the router checks the length bound there only), if the server has one. */
  lastParamRoute: ((param: string) => string) | null,
): Promise<void> {
  const host = new URL(base).host;
  const shape = (code: string) => ({ error: { code, message: expect.any(String), details: null } });
  expect(await rawHttp(base, get(host, paramRoute('%E0%A4%A')))).toEqual({ status: 400, body: shape('bad_url') });
  if (lastParamRoute) expect(await rawHttp(base, get(host, lastParamRoute('x'.repeat(500))))).toEqual({ status: 414, body: shape('uri_too_long') });
  else expect(await rawHttp(base, get(host, paramRoute('x'.repeat(500))))).toMatchObject({ status: 404, body: shape('not_found') });
  expect(await rawHttp(base, get(host, '/', `X-Big: ${'y'.repeat(40_000)}\r\n`))).toEqual({ status: 431, body: shape('headers_too_large') });
  expect(await rawHttp(base, 'NOT HTTP AT ALL\r\n\r\n')).toEqual({ status: 400, body: shape('bad_request') });
}
