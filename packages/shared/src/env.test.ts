import { describe, expect, it } from 'vitest';
import { envInt } from './env.js';

describe('envInt', () => {
  it('falls back when unset or empty and parses integers', () => {
    expect(envInt({}, 'X', 7)).toBe(7);
    expect(envInt({ X: '' }, 'X', 7)).toBe(7);
    expect(envInt({ X: '12' }, 'X', 7)).toBe(12);
    expect(envInt({ X: '0' }, 'X', 7, 0)).toBe(0);
  });
  it('names the variable when the value is wrong', () => {
    expect(() => envInt({ X: 'abc' }, 'X', 7)).toThrow(/X must be an integer >= 1, got "abc"/);
    expect(() => envInt({ X: '0' }, 'X', 7)).toThrow(/X must be an integer >= 1/);
    expect(() => envInt({ X: '1.5' }, 'X', 7)).toThrow(RangeError);
  });
});
