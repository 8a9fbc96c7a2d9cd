import { createHmac, timingSafeEqual } from 'node:crypto';

// The signature of every webhook central sends (order system, ERP webhook connector, alert notifications):
// HMAC-SHA256 over the exact body bytes, hex, as "sha256=<hex>" (the form GitHub and Stripe-style receivers know).
// The receiver recomputes it over the raw body before parsing.

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
