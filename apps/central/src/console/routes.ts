import { readdirSync, readFileSync } from 'node:fs';
import helmet from '@fastify/helmet';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBody, errorBodySchema } from '@outpost/shared';
import { access } from '../access/index.js';

const CONSOLE_DIR = join(import.meta.dirname, 'page');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// The page loads only its own files and talks only to this origin; nothing may frame it (the token lives in its
// sessionStorage). No upgrade-insecure-requests: `npm start` serves the console over plain HTTP on loopback.
const CSP_DIRECTIVES = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'none'"],
  frameAncestors: ["'none'"],
};

interface Asset {
  type: string;
  body: string;
}

/**
 * The console's files, read once at start into a map keyed by their path under console/. Serving is a lookup in
 * that map: a request path is never joined onto the file system, so `..` or an encoded slash cannot reach out.
 */
export function loadConsoleAssets(dir = CONSOLE_DIR): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (TYPES[extname(entry.name)] && !entry.name.endsWith('.test.ts')) {
        assets.set(relative(dir, full).split(sep).join('/'), { type: TYPES[extname(entry.name)]!, body: readFileSync(full, 'utf8') });
      }
    }
  };
  walk(dir);
  return assets;
}

/**
 * The fleet console: a static shell at `/` and its files under `/console/`. No data and no admin token here:
 * the page signs in with the admin token and reads everything through the (token-guarded) API.
 */
export const consoleRoutes: FastifyPluginAsyncZod = async (app) => {
  // Security headers on the console's own answers only (this plugin is encapsulated): /docs needs inline code.
  await app.register(helmet, { contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES }, referrerPolicy: { policy: 'no-referrer' } });
  app.addHook('onSend', async (_request, reply, payload) => {
    void reply.header('cache-control', 'no-cache');
    return payload;
  });
  const assets = loadConsoleAssets();
  const index = assets.get('index.html');
  if (!index) throw new Error(`console: ${CONSOLE_DIR}/index.html is missing`);

  app.get(
    '/',
    { config: { access: access.public }, schema: { summary: 'The fleet console (HTML shell; sign in with the admin token)', tags: ['console'], security: [], response: { 200: z.string() } } },
    async (_request, reply) => reply.type(index.type).send(index.body),
  );

  app.get(
    '/console/*',
    {
      config: { access: access.public },
      schema: {
        summary: "The console's scripts and styles",
        tags: ['console'],
        security: [],
        params: z.object({ '*': z.string() }),
        response: { 200: z.string(), 404: errorBodySchema },
      },
    },
    async (request, reply) => {
      const asset = assets.get(request.params['*']);
      if (!asset) return reply.status(404).send(errorBody('not_found', `no console file ${request.params['*']}`));
      return reply.type(asset.type).send(asset.body);
    },
  );
};
