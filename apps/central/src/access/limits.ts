import type { FastifyInstance, FastifyRequest } from 'fastify';
import { envInt, type Env } from '@outpost/shared';

/**
 * How fast a caller may try. Guessing is what these slow down: an enrolment code has 80 random bits and a token
 * 256, so at a few tries a minute per address nothing is ever guessed, while a store enrolling its tills or a
 * console user mistyping a token does not notice. Counters are per central node (in memory).
 */
export interface RateLimitSettings {
  /** The window every limit below counts in. */
  windowMs: number;
  /** Enrolment attempts (right or wrong) per source address per window. */
  enrollPerAddress: number;
  /** Requests and socket handshakes with a wrong token per source address per window; beyond it, every request
   * from that address waits out the window (a right token too, so the limit is no oracle). */
  authFailuresPerAddress: number;
  /** Requests per valid token per window (a runaway script, or a stolen token used in bulk). */
  requestsPerToken: number;
}

export const defaultRateLimits = (): RateLimitSettings => ({ windowMs: 60_000, enrollPerAddress: 10, authFailuresPerAddress: 20, requestsPerToken: 3000 });

export function rateLimitsFromEnv(env: Env): RateLimitSettings {
  const d = defaultRateLimits();
  return {
    windowMs: envInt(env, 'OUTPOST_RATE_WINDOW_MS', d.windowMs),
    enrollPerAddress: envInt(env, 'OUTPOST_RATE_ENROLL', d.enrollPerAddress),
    authFailuresPerAddress: envInt(env, 'OUTPOST_RATE_AUTH_FAILURES', d.authFailuresPerAddress),
    requestsPerToken: envInt(env, 'OUTPOST_RATE_PER_TOKEN', d.requestsPerToken),
  };
}

export interface Verdict {
  limited: boolean;
  /** Seconds until the window ends (for `retry-after`). */
  retryAfterSeconds: number;
}

/** One counter family over @fastify/rate-limit's store: `hit` counts and judges, `peek` judges only. */
export interface Limiter {
  hit(key: string): Promise<Verdict>;
  peek(key: string): Promise<Verdict>;
}

// The library's limiter takes a request; ours are keyed by address, token or socket, so the key rides on a
// request-shaped object carrying only what the library reads (its key generator and route config).
interface KeyedRequest {
  limitKey: string;
  routeOptions: { config: Record<string, never> };
}

export function makeLimiter(app: FastifyInstance, family: string, max: number, timeWindow: number): Limiter {
  const check = app.createRateLimit({ max, timeWindow, keyGenerator: (req) => (req as unknown as KeyedRequest).limitKey });
  const run = async (key: string, increment: boolean): Promise<Verdict> => {
    const req: KeyedRequest = { limitKey: `${family}:${key}`, routeOptions: { config: {} } };
    const r = await check(req as unknown as FastifyRequest, { increment });
    if (r.isAllowed) return { limited: false, retryAfterSeconds: 0 };
    // `peek` must also refuse once the count has reached max (the next failure would be one too many).
    const over = increment ? r.isExceeded : r.remaining <= 0;
    return { limited: over, retryAfterSeconds: Math.max(1, r.ttlInSeconds) };
  };
  return { hit: (key) => run(key, true), peek: (key) => run(key, false) };
}
