// Whether an error means "the database is not there right now" (server down, restarting, connection cut, pool
// wait bounded out) rather than "this request is wrong" or "central has a bug". Those are answered 503 with a
// Retry-After, so clients and load balancers come back later instead of reporting a fault of central.

/** Node socket errors of a connection that could not be made or was cut. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * PostgreSQL SQLSTATEs of a server going away: class 08 (connection exception), 57P01 admin shutdown, 57P02
 * crash shutdown (another backend crashed), 57P03 cannot connect now (starting up, shutting down, recovering).
 */
function serverGoingAway(code: string): boolean {
  return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03';
}

/** node-postgres' own messages for a connection that ended or a pool wait that ran out. */
const PG_MESSAGES = [/^Connection terminated/, /not queryable/, /timeout exceeded when trying to connect/i, /Client was closed and is not queryable/];

/**
 * Judged on the error itself, not its `cause`: fetch wraps a refused connection to an ERP or webhook in a cause,
 * and that is not the database.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || serverGoingAway(code))) return true;
  if (PG_MESSAGES.some((re) => re.test(err.message))) return true;
  return err instanceof AggregateError && err.errors.some((x) => isDatabaseUnavailable(x));
}
