import type { FastifyInstance, FastifyReply } from 'fastify';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ApiError, currencySchema, describeZodError, errorBody } from '@outpost/shared';

/** What the associate UI may know about its agent: never the device token. */
export interface DeviceInfo {
  storeId: string;
  deviceId: string;
  deviceName: string;
  currency: string;
  centralUrl: string;
}

export const enrollRequest = z.object({
  central: z.url({ protocol: /^https?$/, error: 'central must be an http:// or https:// address, e.g. http://central.example:8080' }),
  code: z.string().trim().min(1, 'type the enrolment code from central IT').max(128),
  deviceName: z.string().trim().min(1, 'give this till a name, e.g. "Till 1"').max(200),
  currency: currencySchema.optional(),
});
export type EnrollRequest = z.infer<typeof enrollRequest>;

/** A refusal the enrolment screen shows as is: `message` says what to do next. */
export class EnrolmentError extends ApiError {}

export interface UiRoutesOptions {
  /** Null before enrolment: GET /api/v1/enrolment then answers {enrolled: false}. */
  device: DeviceInfo | null;
  /** Set-up mode only (service.ts): enrols this agent. Null once enrolled, when POST /api/v1/enroll answers 409. */
  enroll: ((req: EnrollRequest) => Promise<DeviceInfo>) | null;
}

/** The folder of the associate UI: plain HTML, CSS and browser ES modules, no build step. */
export const UI_DIR = fileURLToPath(new URL('../ui/', import.meta.url));

/**
 * Only these extensions are served, each with its content type; anything else (the UI's `.d.ts` and `.test.ts`
 * files) is a 404, so the folder can hold the unit tests of its modules without publishing them.
 */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The page talks to its own origin only and runs only its own files: no inline script, no framing (a page
 * elsewhere cannot overlay the till), no other host for fetch.
 */
const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Maps a `/ui/*` request path to a file inside UI_DIR, or null. Rejects what could step outside it (`..`,
 * absolute paths, backslashes, NUL) before resolving, then checks the resolved path is still inside.
 */
export function uiAssetPath(rel: string, root = UI_DIR): string | null {
  if (rel === '' || rel.includes('\0') || rel.includes('\\') || rel.startsWith('/')) return null;
  const parts = rel.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.'))) return null;
  if (!(extname(rel).toLowerCase() in CONTENT_TYPES)) return null;
  const full = resolve(root, rel);
  const base = root.endsWith(sep) ? root : root + sep;
  return full.startsWith(base) ? full : null;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    // Assets change with the agent version, not with time: always revalidate so an upgraded agent shows its UI.
    .header('cache-control', 'no-cache');
}

/**
 * The associate UI on the agent's local server: the page at `/`, its files at `/ui/*`, the device's identity at
 * GET /api/v1/enrolment and the local enrolment at POST /api/v1/enroll. Registered on a server built by
 * buildHttpBase, so the loopback Host and JSON-only rules apply here too.
 */
export function registerUiRoutes(app: FastifyInstance, o: UiRoutesOptions): void {
  const sendFile = async (reply: FastifyReply, file: string) => {
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      return securityHeaders(reply).type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').send(body);
    } catch {
      return reply.status(404).send(errorBody('not_found', 'no such file in the associate UI'));
    }
  };

  app.get('/', (_req, reply) => sendFile(reply, resolve(UI_DIR, 'index.html')));
  app.get('/ui/*', (req, reply) => {
    const rel = (req.params as { '*'?: string })['*'] ?? '';
    const file = uiAssetPath(rel);
    if (!file) return reply.status(404).send(errorBody('not_found', 'no such file in the associate UI'));
    return sendFile(reply, file);
  });

  app.get('/api/v1/enrolment', () => (o.device ? { enrolled: true, ...o.device } : { enrolled: false }));

  app.post('/api/v1/enroll', async (req, reply) => {
    if (!o.enroll) {
      return reply
        .status(409)
        .send(errorBody('already_enrolled', `this agent is already enrolled for store ${o.device?.storeId ?? '?'}; to move it, start it on a new data folder`));
    }
    const parsed = enrollRequest.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issues = describeZodError(parsed.error);
      return reply.status(400).send(errorBody('validation_error', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues));
    }
    try {
      const device = await o.enroll(parsed.data);
      return reply.status(201).send({ enrolled: true, ...device });
    } catch (e) {
      if (e instanceof EnrolmentError) return reply.status(e.statusCode).send(errorBody(e.code, e.message, e.details));
      throw e;
    }
  });
}
