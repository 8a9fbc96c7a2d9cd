import type { FastifyInstance } from 'fastify';
import { buildHttpApi } from '../../apps/store-agent/src/core/http-api.js';

export interface RouteRef {
  method: string;
  /** Fastify pattern, e.g. /api/v1/picks/:reservationId/confirm */
  url: string;
}

/**
 * Every route of a Fastify app, read from the app's own router (`printRoutes`), HEAD twins left out. Used for
 * the agent, whose API has no OpenAPI document; central's routes come from its `/docs/json`.
 */
export function routesOf(app: FastifyInstance): RouteRef[] {
  const out: RouteRef[] = [];
  const stack: { depth: number; path: string }[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^([│ ]*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length;
    while (stack.length && stack.at(-1)!.depth >= depth) stack.pop();
    const parent = stack.at(-1)?.path ?? '';
    const seg = m[2]!;
    const path = parent === '' ? seg : parent.endsWith('/') || seg.startsWith('/') ? parent + seg : `${parent}/${seg}`;
    stack.push({ depth, path });
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim())) if (method && method !== 'HEAD') out.push({ method, url: path });
  }
  return out;
}

/** The agent's local API as its own code registers it (built with inert parts: only the router is read). */
export async function agentRoutes(): Promise<RouteRef[]> {
  const inert = () => {
    throw new Error('route list only');
  };
  const app = buildHttpApi({
    capture: {} as never,
    status: inert,
    listItems: inert,
    listStock: inert,
    loopbackOnly: true,
    apiKey: null,
    log: { info: inert, warn: inert, error: inert, debug: inert } as never,
    picks: {} as never,
  });
  await app.ready();
  const routes = routesOf(app);
  await app.close();
  return routes;
}
