import { describe, expect, it } from 'vitest';
import { access, admits, ROLES } from './roles.js';

describe('admits', () => {
  it('admin passes every guarded access, nobody passes public-as-token, others only where listed', () => {
    for (const a of Object.values(access)) {
      if (a === 'public') {
        for (const r of ROLES) expect(admits(a, r)).toBe(false);
        continue;
      }
      expect(admits(a, 'admin')).toBe(true);
    }
    expect(admits(access.read, 'viewer')).toBe(true);
    expect(admits(access.read, 'integration')).toBe(false);
    expect(admits(access.operate, 'viewer')).toBe(false);
    expect(admits(access.operate, 'operator')).toBe(true);
    expect(admits(access.admin, 'operator')).toBe(false);
    expect(admits(access.ordersWrite, 'integration')).toBe(true);
    expect(admits(access.ordersWrite, 'operator')).toBe(false);
    expect(admits(access.ordersRead, 'integration')).toBe(true);
  });
});
