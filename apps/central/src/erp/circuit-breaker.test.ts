import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker.js';

describe('circuit breaker', () => {
  it('opens after the threshold of failures in a row, lets one probe through after the cool-down, closes on success', () => {
    let now = 0;
    const c = new CircuitBreaker({ threshold: 3, cooldownMs: 1000, maxCooldownMs: 4000, now: () => now });
    c.failure('down');
    c.success(); // a success in between resets the count
    c.failure('down');
    c.failure('down');
    expect(c.state).toBe('closed');
    c.failure('down');
    expect(c.state).toBe('open');
    expect(c.tryAcquire()).toBe(false);
    expect(c.waitMs()).toBe(1000);
    now = 1000;
    expect(c.state).toBe('half_open');
    expect(c.tryAcquire()).toBe(true); // the probe
    expect(c.tryAcquire()).toBe(false); // nobody else while it is out
    c.success();
    expect(c.state).toBe('closed');
    expect(c.tryAcquire()).toBe(true);
  });

  it('a failed probe opens it again for twice as long, capped', () => {
    let now = 0;
    const c = new CircuitBreaker({ threshold: 1, cooldownMs: 1000, maxCooldownMs: 3000, now: () => now });
    c.failure('down');
    expect(c.snapshot()).toMatchObject({ state: 'open', lastError: 'down', consecutiveFailures: 1 });
    for (const expected of [2000, 3000, 3000]) {
      now += c.waitMs();
      expect(c.tryAcquire()).toBe(true);
      c.failure('still down');
      expect(c.waitMs()).toBe(expected);
    }
  });
});
