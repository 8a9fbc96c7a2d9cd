import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

/**
 * How the agent trusts central over https/wss: Node's CA store (plus NODE_EXTRA_CA_CERTS) and, when given at
 * enrolment, the CA that signed central's certificate (a retailer's own CA). Verification is never turned off.
 */
export interface CentralTls {
  ca?: string[];
  rejectUnauthorized: true;
}

export function centralTlsOptions(centralUrl: string, centralCa: string | undefined): CentralTls | Record<string, never> {
  if (!centralUrl.startsWith('https:')) return {};
  return centralCa ? { ca: [...rootCertificates, centralCa], rejectUnauthorized: true } : { rejectUnauthorized: true };
}

/** A CA file given with --ca: PEM certificates, or a clear refusal. */
export function checkCaPem(pem: string, file: string): string {
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(pem)) throw new Error(`${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  return pem;
}

// OpenSSL's verification failures as Node reports them (err.code).
const VERIFY_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** The verification failure inside an error (fetch, ws and engine.io wrap it differently), or null. */
function verifyFailure(err: unknown, depth = 0): { code: string; message: string } | null {
  if (!err || typeof err !== 'object' || depth > 5) return null;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; error?: unknown; description?: unknown };
  if (typeof e.code === 'string' && VERIFY_CODES.has(e.code)) return { code: e.code, message: typeof e.message === 'string' ? e.message : e.code };
  return verifyFailure(e.cause, depth + 1) ?? verifyFailure(e.error, depth + 1) ?? verifyFailure(e.description, depth + 1);
}

/** A sentence for a person when central's certificate could not be verified; null for any other failure. */
export function describeTlsFailure(err: unknown, centralUrl: string): string | null {
  const f = verifyFailure(err);
  if (!f) return null;
  return `central's TLS certificate at ${centralUrl} could not be verified (${f.code}: ${f.message}); refusing to connect. If central uses its own CA, enrol again with --ca FILE (that CA's certificate)`;
}

/** POST JSON with the agent's trust settings (fetch cannot take a CA); answers status and body text. */
export function postJson(url: string, body: unknown, opts: { centralCa?: string | undefined; timeoutMs: number }): Promise<{ status: number; text: string }> {
  const data = JSON.stringify(body);
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) }, timeout: opts.timeoutMs, ...centralTlsOptions(url, opts.centralCa) },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}
