// The console's only way to central: the JSON API with the admin token as a bearer header. The token lives in
// sessionStorage (gone when the tab closes), never in the page's URL or in a cookie.

const KEY = 'outpost.adminToken';
const ROLE_KEY = 'outpost.role';

export const session = {
  token: () => sessionStorage.getItem(KEY),
  signIn: (t) => sessionStorage.setItem(KEY, t),
  signOut: () => {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(ROLE_KEY);
  },
  role: () => sessionStorage.getItem(ROLE_KEY),
  setRole: (r) => sessionStorage.setItem(ROLE_KEY, r),
};

/**
 * Whether the signed-in token's role may do a kind of action: `operate` (enrol, revoke, replay) or `admin`
 * (audit log). Central refuses anyway; this only keeps buttons a role cannot use off the page.
 */
export function can(what) {
  const role = session.role();
  return role === 'admin' || (what === 'operate' && role === 'operator');
}

export class ApiError extends Error {
  constructor(status, body) {
    const err = body && typeof body === 'object' && body.error ? body.error : null;
    super(err ? err.message : `HTTP ${status}`);
    this.status = status;
    this.code = err ? err.code : 'http_error';
    this.details = err ? err.details : null;
  }
}

function headers(extra = {}) {
  return { authorization: `Bearer ${session.token() ?? ''}`, ...extra };
}

/** GET/POST under /api/v1; answers the parsed JSON, throws ApiError on any non-2xx. */
export async function api(path, { method = 'GET', body } = {}) {
  const init = { method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`/api/v1${path}`, init);
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = text;
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Every item of a list, following `next` (bounded: the console never needs more than `max`). */
export async function all(path, max = 5000) {
  const items = [];
  let after = null;
  const sep = path.includes('?') ? '&' : '?';
  for (;;) {
    const page = await api(`${path}${sep}limit=1000${after ? `&after=${encodeURIComponent(after)}` : ''}`);
    items.push(...page.items);
    if (!page.next || items.length >= max) return items;
    after = page.next;
  }
}

/** Fetch a CSV report with the token and hand it to the browser as a file download. */
export async function downloadCsv(path, filename) {
  const res = await fetch(`/api/v1${path}${path.includes('?') ? '&' : '?'}format=csv&limit=1000`, { headers: headers() });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
