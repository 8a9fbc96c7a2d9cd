import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './signing.js';

describe('webhook signature', () => {
  it('is HMAC-SHA256 of the body, verifiable with the secret and only with it', () => {
    const body = JSON.stringify({ reservationId: 'r1', status: 'picked' });
    const sig = signBody('s3cret', body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature('s3cret', body, sig)).toBe(true);
    expect(verifySignature('other', body, sig)).toBe(false);
    expect(verifySignature('s3cret', body + ' ', sig)).toBe(false);
    expect(verifySignature('s3cret', body, undefined)).toBe(false);
  });
  it('matches a vector computed by openssl', () => {
    // printf '%s' '{"a":1}' | openssl dgst -sha256 -hmac key
    expect(signBody('key', '{"a":1}')).toBe('sha256=88a67f24bbcdaed0e6c997404bb79a743baf44c6bab2f4c27328e3009d22e342');
  });
});
