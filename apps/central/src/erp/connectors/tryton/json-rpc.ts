// A Tryton JSON-RPC client: one login reused for every call (a login costs ≈250 ms), the user's preferences as
// the context of every model call, a fresh login once when Tryton answers 401 (session expired or server
// restarted), and every failure classified as retryable (the ERP is away) or not (the ERP refused the data).

export interface TrytonRpcOptions {
  url: string;
  database: string;
  user: string;
  password: string;
  /** Per-call time limit; a timed-out call may have run, so callers look their reference up before creating. */
  timeoutMs?: number;
}

export type TrytonErrorKind = 'unavailable' | 'auth' | 'server' | 'user' | 'rejected';

export class TrytonRpcError extends Error {
  constructor(
    message: string,
    readonly kind: TrytonErrorKind,
    readonly method: string,
    /** Tryton's error member (["UserError", [message, description]] …) or the HTTP status and body start. */
    readonly raw: unknown,
  ) {
    super(message);
    this.name = 'TrytonRpcError';
  }
  /** Worth trying again later: Tryton down, timed out, overloaded, locked, or refusing our login for now. */
  get retryable(): boolean {
    return this.kind === 'unavailable' || this.kind === 'server' || this.kind === 'auth';
  }
}

// Errors Tryton raises for a busy database rather than for our data.
const TRANSIENT = /database is locked|DatabaseOperationalError|ConcurrencyException|could not serialize|RateLimit|Too Many/i;

/** Tryton's error member → a readable message (its own words for UserError/UserWarning) and whether it is transient. */
export function describeTrytonError(error: unknown): { message: string; transient: boolean } {
  if (Array.isArray(error)) {
    const [kind, args] = error as [unknown, unknown];
    if ((kind === 'UserError' || kind === 'UserWarning') && Array.isArray(args)) {
      // UserError args: [message, description, domain]; UserWarning args: [name, message, description]
      const parts = (kind === 'UserWarning' ? args.slice(1, 3) : args.slice(0, 2)).filter(
        (a): a is string => typeof a === 'string' && a.length > 0,
      );
      return { message: `${kind}: ${parts.join(' ')}`, transient: false };
    }
    const text = [kind, args].filter((a) => typeof a === 'string' && a.length > 0).join(': ');
    return { message: text || JSON.stringify(error), transient: TRANSIENT.test(text) };
  }
  const text = typeof error === 'string' ? error : JSON.stringify(error);
  return { message: text, transient: TRANSIENT.test(text) };
}

export type TrytonContext = Record<string, unknown>;

/**
 * Tryton's warning protocol, as its own clients follow it: a `UserWarning` is a question ("the forecast quantity is
 * lower than its quantity, continue?"), not an error. The client answers yes by creating a `res.user.warning` of
 * that name for the user and calling again. Here the answer comes from configuration: names matching `skip` are
 * acknowledged (and remembered in `seen`, to be recorded on the posting), any other one fails the call.
 */
export interface WarningPolicy {
  skip(name: string): boolean;
  seen: { name: string; message: string }[];
}

/** One call may raise a new warning per line after each acknowledgement; past this, something is looping. */
const MAX_WARNINGS_PER_CALL = 200;

/** Glob patterns (`*` wildcard) of warning names → a matcher. */
export function warningMatcher(patterns: readonly string[]): (name: string) => boolean {
  const res = patterns.map((g) => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`));
  return (name) => res.some((re) => re.test(name));
}

interface Session {
  auth: string;
  uid: number;
  context: TrytonContext;
}

export class TrytonRpc {
  private session: Promise<Session> | null = null;
  private nextId = 1;
  private readonly endpoint: string;

  constructor(private readonly opts: TrytonRpcOptions) {
    this.endpoint = `${opts.url.replace(/\/+$/, '')}/${encodeURIComponent(opts.database)}/`;
  }

  /** The user's preferences (company, language…), as sent with every model call. */
  async context(signal?: AbortSignal): Promise<TrytonContext> {
    return (await this.ensureSession(signal)).context;
  }

  /**
   * `model.M.method` / `wizard.W.method` with `args` and the session context (plus `extraContext`) as the last
   * parameter. `correlationId` travels as a header so Tryton's access log and any proxy can tie the call to the event.
   */
  async call<T = unknown>(
    method: string,
    args: unknown[],
    opts: { extraContext?: TrytonContext; signal?: AbortSignal; correlationId?: string; warnings?: WarningPolicy } = {},
  ): Promise<T> {
    for (let acknowledged = 0; ; acknowledged++) {
      try {
        return await this.callOnce<T>(method, args, opts);
      } catch (err) {
        const w = err instanceof TrytonRpcError ? warningOf(err.raw) : null;
        if (!w || !opts.warnings || !(err instanceof TrytonRpcError)) throw err;
        if (!opts.warnings.skip(w.name) || acknowledged >= MAX_WARNINGS_PER_CALL) {
          throw new TrytonRpcError(
            `${err.message} (Tryton warning "${w.name}"; to post anyway, add a pattern matching it to "warnings.skip" in the mapping file)`,
            'user',
            method,
            err.raw,
          );
        }
        // Answer "yes" as Tryton's client does: a one-time (always: false) acknowledgement for this user, then again.
        const session = await this.ensureSession(opts.signal);
        await this.callOnce('model.res.user.warning.create', [[{ user: session.uid, name: w.name, always: false }]], opts);
        opts.warnings.seen.push(w);
      }
    }
  }

  private async callOnce<T>(
    method: string,
    args: unknown[],
    opts: { extraContext?: TrytonContext; signal?: AbortSignal; correlationId?: string },
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const pending = this.ensureSession(opts.signal);
      const session = await pending;
      const params = [...args, { ...session.context, ...opts.extraContext }];
      const res = await this.send(method, params, session.auth, opts.signal, opts.correlationId);
      if (res.status === 401 && attempt === 0) {
        // Session expired, or trytond restarted: log in again once and repeat (a 401 ran nothing).
        if (this.session === pending) this.session = null;
        continue;
      }
      return this.result<T>(method, res);
    }
  }

  /** Forget the session (e.g. before closing); the next call logs in again. */
  reset(): void {
    this.session = null;
  }

  private ensureSession(signal?: AbortSignal): Promise<Session> {
    if (!this.session) {
      const p = this.login(signal);
      this.session = p;
      // A failed login is not kept: the next call tries again.
      p.catch(() => {
        if (this.session === p) this.session = null;
      });
    }
    return this.session;
  }

  private async login(signal?: AbortSignal): Promise<Session> {
    const { user, password } = this.opts;
    const res = await this.send('common.db.login', [user, { password }, 'en'], null, signal);
    if (res.status === 401 || res.status === 403) {
      throw new TrytonRpcError(`Tryton refused the login of user "${user}" (HTTP ${res.status})`, 'auth', 'common.db.login', res.status);
    }
    const result = this.result<unknown>('common.db.login', res);
    if (!Array.isArray(result) || typeof result[0] !== 'number' || typeof result[1] !== 'string') {
      throw new TrytonRpcError(`Tryton refused the login of user "${user}"`, 'auth', 'common.db.login', result);
    }
    const [uid, key] = result as [number, string];
    const auth = `Session ${Buffer.from(`${user}:${uid}:${key}`).toString('base64')}`;
    const prefs = await this.send('model.res.user.get_preferences', [true, {}], auth, signal);
    const context = this.result<TrytonContext>('model.res.user.get_preferences', prefs);
    return { auth, uid, context };
  }

  private async send(
    method: string,
    params: unknown[],
    auth: string | null,
    signal: AbortSignal | undefined,
    correlationId?: string,
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (auth) headers.authorization = auth;
    if (correlationId) headers['x-correlation-id'] = correlationId;
    const signals = [AbortSignal.timeout(this.opts.timeoutMs ?? 30_000)];
    if (signal) signals.push(signal);
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify({ id: this.nextId++, method, params }),
        signal: AbortSignal.any(signals),
      });
      return { status: res.status, text: await res.text() };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      const why = (err as Error).name === 'TimeoutError' ? 'timed out' : cause ?? (err as Error).message;
      throw new TrytonRpcError(`Tryton at ${this.opts.url} is unreachable (${why}) calling ${method}`, 'unavailable', method, why);
    }
  }

  private result<T>(method: string, res: { status: number; text: string }): T {
    let body: { result?: unknown; error?: unknown } | null = null;
    try {
      body = JSON.parse(res.text) as { result?: unknown; error?: unknown };
    } catch {
      body = null;
    }
    if (res.status === 401 || res.status === 403) {
      throw new TrytonRpcError(`Tryton refused the session (HTTP ${res.status}) calling ${method}`, 'auth', method, res.status);
    }
    if (res.status >= 500 || res.status === 429 || res.status === 408) {
      throw new TrytonRpcError(`Tryton answered HTTP ${res.status} to ${method}`, 'server', method, res.text.slice(0, 300));
    }
    if (res.status !== 200 || body === null || typeof body !== 'object') {
      throw new TrytonRpcError(`Tryton answered HTTP ${res.status} with no JSON to ${method}`, 'rejected', method, res.text.slice(0, 300));
    }
    if (body.error !== undefined && body.error !== null) {
      const { message, transient } = describeTrytonError(body.error);
      const kind: TrytonErrorKind = transient ? 'server' : Array.isArray(body.error) && /^User(Error|Warning)$/.test(String(body.error[0])) ? 'user' : 'rejected';
      throw new TrytonRpcError(message, kind, method, body.error);
    }
    return body.result as T;
  }
}

/** A `UserWarning` error member → its name and Tryton's words; null for anything else. */
export function warningOf(error: unknown): { name: string; message: string } | null {
  if (!Array.isArray(error) || error[0] !== 'UserWarning' || !Array.isArray(error[1])) return null;
  const [name, ...rest] = error[1] as unknown[];
  if (typeof name !== 'string') return null;
  return { name, message: rest.filter((a): a is string => typeof a === 'string' && a.length > 0).join(' ') };
}
