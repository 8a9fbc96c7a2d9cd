import { describe, expect, it } from 'vitest';
import { UUID_RE, uuidv7, uuidv7Time } from './ids.js';

describe('uuidv7', () => {
  it('is a version 7 RFC 9562 uuid carrying its timestamp', () => {
    const id = uuidv7(1_763_000_000_123);
    expect(id).toMatch(UUID_RE);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(uuidv7Time(id)).toBe(1_763_000_000_123);
  });
  it('sorts by time across milliseconds and does not repeat', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => uuidv7(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => uuidv7())).size).toBe(10_000);
  });
});
