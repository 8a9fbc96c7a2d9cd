import { describe, expect, it } from 'vitest';
import { createPresence } from './presence.js';

describe('presence', () => {
  it('counts sockets per device: online until the last one goes', () => {
    const p = createPresence();
    expect(p.isOnline('d1')).toBe(false);
    p.add('d1');
    p.add('d1');
    p.remove('d1');
    expect(p.isOnline('d1')).toBe(true);
    p.remove('d1');
    expect(p.isOnline('d1')).toBe(false);
    p.remove('d1'); // an extra remove never goes negative
    p.add('d1');
    expect(p.isOnline('d1')).toBe(true);
    expect(createPresence().isOnline('d1')).toBe(false); // instances share nothing
  });
});
