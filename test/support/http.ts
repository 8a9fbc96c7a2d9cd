/** Small JSON-over-HTTP client for tests: returns status and parsed body, never throws on 4xx/5xx. */
export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

export async function request<T = unknown>(
  method: string,
  url: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const res = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text so the assertion shows it
  }
  return { status: res.status, body: parsed as T };
}

/** A client bound to one base URL (and optionally a bearer token). */
export function client(base: string, token?: string) {
  const o = (body?: unknown) => ({ ...(token ? { token } : {}), ...(body === undefined ? {} : { body }) });
  return {
    get: <T = unknown>(path: string) => request<T>('GET', base + path, o()),
    post: <T = unknown>(path: string, body?: unknown) => request<T>('POST', base + path, o(body ?? {})),
    put: <T = unknown>(path: string, body?: unknown) => request<T>('PUT', base + path, o(body)),
  };
}
