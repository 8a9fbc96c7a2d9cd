import { createHmac, timingSafeEqual } from 'node:crypto';

// The order-system webhook's signature: HMAC-SHA256 over the exact body bytes, hex, as "sha256=<hex>" (the form
// GitHub and Stripe-style receivers know). The receiver recomputes it over the raw body before parsing.

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * "full jitter" in its upper half so a fleet of deliveries that failed together does not retry in lockstep.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
