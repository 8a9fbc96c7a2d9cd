import { request } from 'node:http';

/** Raw HTTP so a test controls every header, Host included (fetch does not let it be forged). */
export function http(
  url: string,
  method: string,
  opts: { body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { ...(opts.body === undefined ? {} : { 'content-length': String(Buffer.byteLength(opts.body)) }), ...opts.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // keep text (HTML page)
        }
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') });
      });
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});
