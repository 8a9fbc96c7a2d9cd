import { describe, expect, it } from 'vitest';
import { newDeviceToken, newEnrollmentCode, normaliseEnrollmentCode, safeEqual, sha256Hex } from './tokens.js';

describe('tokens', () => {
  it('makes 32-byte base64url device tokens, different every time', () => {
    const t = newDeviceToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newDeviceToken()).not.toBe(t);
  });
  it('makes readable enrolment codes that match when retyped in lower case without dashes', () => {
    const code = newEnrollmentCode();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(sha256Hex(normaliseEnrollmentCode(code.toLowerCase().replace(/-/g, ' ')))).toBe(sha256Hex(normaliseEnrollmentCode(code)));
  });
  it('compares secrets exactly', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });
});
