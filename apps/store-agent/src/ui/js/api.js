// The page's only way to the agent: same-origin JSON calls. Every failure becomes a sentence saying what to do.

/**
 * @typedef {{ code: string, message: string }} UiError
 * @typedef {{ ok: boolean, status: number, body: any, error: UiError | null }} ApiResult
 */

export const AGENT_DOWN =
  'The Outpost agent on this PC is not answering, so nothing was saved. Check that it is running (restart it if needed), then try again.';

/**
 * @param {'GET' | 'POST'} method
 * @param {string} path  always a path on this origin
 * @param {unknown} [body]
 * @returns {Promise<ApiResult>}
 */
export async function call(method, path, body) {
  /** @type {Response} */
  let res;
  try {
    res = await fetch(path, {
      method,
      cache: 'no-store',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    return { ok: false, status: 0, body: null, error: { code: 'agent_unreachable', message: AGENT_DOWN } };
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: described below by its status
  }
  if (res.ok) return { ok: true, status: res.status, body: data, error: null };
  const e = data && typeof data === 'object' ? data.error : null;
  return { ok: false, status: res.status, body: data, error: { code: e?.code ?? `http_${res.status}`, message: errorText(e, res.status) } };
}

/**
 * The API's own message, plus its field-level details when it has them ("lines.0.qty: must be positive").
 * @param {any} e  the `error` of `{error: {code, message, details}}`, or null
 * @param {number} status
 */
export function errorText(e, status) {
  if (!e || typeof e.message !== 'string') return `The agent answered ${status} without an explanation. Try again; if it persists, call support.`;
  const details = Array.isArray(e.details)
    ? e.details
        .filter((d) => d && typeof d.message === 'string')
        .map((d) => (d.path && !e.message.includes(d.message) ? `${d.path}: ${d.message}` : null))
        .filter(Boolean)
    : [];
  return details.length ? `${e.message} (${details.join('; ')})` : e.message;
}
