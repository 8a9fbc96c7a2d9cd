import { describe, expect, it } from 'vitest';
import { createPresence } from './presence.js';

describe('presence', () => {
  it('counts sockets per device: online until the last one goes', async () => {
    const p = createPresence();
    expect(await p.isOnline('d1')).toBe(false);
    p.add('d1');
    p.add('d1');
    p.remove('d1');
    expect(await p.isOnline('d1')).toBe(true);
    expect(p.localDevices()).toEqual(['d1']);
    p.remove('d1');
    expect(await p.isOnline('d1')).toBe(false);
    p.remove('d1'); // an extra remove never goes negative
    p.add('d1');
    expect(await p.isOnline('d1')).toBe(true);
    expect(await createPresence().isOnline('d1')).toBe(false); // instances share nothing
  });

  it('sees devices held by other nodes, asks them once per page, and asks again on the next request', async () => {
    let asked = 0;
    let remote = ['d-b'];
    const p = createPresence({ peers: () => Promise.resolve([remote, []]).finally(() => asked++) });
    p.add('d-a');
    const page = async () => [await p.isOnline('d-a'), await p.isOnline('d-b'), await p.isOnline('d-c')];
    expect(await page()).toEqual([true, true, false]);
    expect(asked).toBe(1);
    await new Promise((r) => setImmediate(r));
    remote = [];
    expect(await page()).toEqual([true, false, false]);
    expect(asked).toBe(2);
  });

  it('a peer that does not answer leaves this node’s own view', async () => {
    const errors: unknown[] = [];
    const p = createPresence({ peers: () => Promise.reject(new Error('timeout')), onPeerError: (e) => errors.push(e) });
    p.add('d-a');
    expect(await p.isOnline('d-b')).toBe(false);
    expect(await p.isOnline('d-a')).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
