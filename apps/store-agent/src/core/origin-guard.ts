/**
 * Who may change state through the agent's local API. A web page in any browser on this PC can send a request to
 * 127.0.0.1 — `fetch(url, {method: 'POST', mode: 'no-cors'})` needs no body, no content type and no preflight —
 * so the loopback Host check and the JSON-only rule do not stop a page elsewhere from closing the store's day.
 * Browsers say where a request comes from: `Sec-Fetch-Site` (every current browser) and `Origin` (every browser
 * on every non-GET request). A request that carries neither is not from a web page (curl, the POS integration,
 * a script on the PC) and is let through; one that carries either must come from this agent's own origin.
 */

/** Methods that never change state here: the API has no GET/HEAD route with side effects. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface RequestOrigin {
  method: string;
  /** The Host header the request addressed (e.g. "127.0.0.1:8090"). */
  host: string | undefined;
  origin: string | undefined;
  secFetchSite: string | undefined;
}

/** Null when the request may proceed; otherwise why it is refused. */
export function foreignOriginRefusal(r: RequestOrigin): string | null {
  if (SAFE_METHODS.has(r.method.toUpperCase())) return null;
  const site = r.secFetchSite?.trim().toLowerCase();
  // "none": the user started it (typed address, bookmark), no page did. "same-site" is refused: another port of
  // 127.0.0.1 is the same site but a different program's page.
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `a ${site} request may not change this agent's state`;
  if (r.origin !== undefined && !sameOrigin(r.origin, r.host)) return `requests from ${r.origin.slice(0, 200)} may not change this agent's state`;
  return null;
}

function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    // "null" (sandboxed frames, file:// pages) does not parse and is refused. URL normalises case and default ports.
    const o = new URL(origin);
    if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
    return o.host === new URL(`${o.protocol}//${host.trim()}`).host;
  } catch {
    return false;
  }
}
