import { describe, expect, it } from 'vitest';
import { NO_BACKLOG, nextProgress, sinceText } from './sync-progress.js';

describe('status bar sync progress', () => {
  it('a backlog grows while offline, shows sent-of-size as it drains (paused offline too), then reports caught up', () => {
    let p = nextProgress(NO_BACKLOG, { online: false, pendingUp: 2 });
    p = nextProgress(p, { online: false, pendingUp: 3 });
    expect(p).toMatchObject({ peak: 3, draining: false });
    p = nextProgress(p, { online: false, pendingUp: 1 });
    expect(p).toMatchObject({ peak: 3, pending: 1, sent: 2, draining: true });
    p = nextProgress(p, { online: true, pendingUp: 0 });
    expect(p).toEqual({ peak: 0, pending: 0, sent: 0, draining: false, caughtUp: 3 });
    // The "caught up" note stays while nothing new waits, and goes with the next capture.
    expect(nextProgress(p, { online: true, pendingUp: 0 }).caughtUp).toBe(3);
    expect(nextProgress(p, { online: true, pendingUp: 1 })).toMatchObject({ caughtUp: null, draining: false, peak: 1 });
  });

  it('says how long ago the last sync was', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(sinceText(null, now)).toBe('never');
    expect(sinceText('2026-11-23T11:59:58Z', now)).toBe('just now');
    expect(sinceText('2026-11-23T11:59:30Z', now)).toBe('30 s ago');
    expect(sinceText('2026-11-23T11:55:00Z', now)).toBe('5 min ago');
    expect(sinceText('2026-11-23T09:00:00Z', now)).toBe('3 h ago');
    expect(sinceText('2026-11-22T12:00:00Z', now)).toBe('1 day ago');
  });
});
