/**
 * What the associate window may show: the agent's own pages on loopback, nothing else. A link to anywhere else
 * (a vendor's site in a help text, an injected URL) must not turn the till's window into a browser, and a
 * page from elsewhere must never get the preload bridge. Pure functions, unit-tested; main.ts wires them to
 * will-navigate, will-redirect, setWindowOpenHandler and the IPC sender check.
 */

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** http(s) on a loopback host (any 127.x.y.z address counts). */
export function isLoopbackUrl(url: string): boolean {
  const u = parse(url);
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return false;
  return LOOPBACK_HOSTS.has(u.hostname) || /^127(\.\d{1,3}){3}$/.test(u.hostname);
}

/** Same origin as the agent's UI (scheme, loopback host and port); everything else is refused. */
export function isAgentPage(url: string, agentUrl: string): boolean {
  const u = parse(url);
  const a = parse(agentUrl);
  if (!u || !a || !isLoopbackUrl(url) || !isLoopbackUrl(agentUrl)) return false;
  return u.origin === a.origin;
}

/** will-navigate / will-redirect: true when the navigation must be prevented. */
export function shouldBlockNavigation(url: string, agentUrl: string): boolean {
  return !isAgentPage(url, agentUrl);
}

/**
 * setWindowOpenHandler: the shell never opens a second window (no popup, no window.open, no target=_blank).
 * A link to one of the agent's own pages opens in the main window instead; anything else is refused.
 */
export function windowOpenDecision(url: string, agentUrl: string): { action: 'deny'; loadInMain: string | null } {
  return { action: 'deny', loadInMain: isAgentPage(url, agentUrl) ? url : null };
}
