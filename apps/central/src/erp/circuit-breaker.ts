// A circuit breaker in front of the ERP: after `threshold` transient failures in a row it opens and nothing is
// sent for `cooldownMs`; then one probe goes through (half-open). A probe that succeeds closes it; one that fails
// opens it again for twice as long (up to maxCooldownMs), so a down ERP is not hammered by every store's postings.
// Pure state over an injected clock; one per worker object, never module-global.

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  /** When an open circuit lets its next probe through (ISO), or null. */
  retryAt: string | null;
  lastError: string | null;
}

export interface CircuitOptions {
  threshold: number;
  cooldownMs: number;
  maxCooldownMs: number;
  now?: () => number;
}

export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private cooldown: number;
  private probing = false;
  private lastError: string | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: CircuitOptions) {
    this.cooldown = opts.cooldownMs;
    this.now = opts.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.failures < this.opts.threshold) return 'closed';
    return this.now() >= this.openUntil ? 'half_open' : 'open';
  }

  /**
   * May a call go to the ERP now? Closed: yes. Open: no. Half-open: yes for exactly one caller (the probe) until
   * its outcome is reported.
   */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === 'closed') return true;
    if (s === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The ERP answered (posted, or refused the document itself: either way it is up). */
  success(): void {
    this.failures = 0;
    this.cooldown = this.opts.cooldownMs;
    this.probing = false;
    this.lastError = null;
  }

  /** A transient failure (down, timeout, 5xx). */
  failure(error: string): void {
    const wasProbe = this.probing;
    this.probing = false;
    this.lastError = error;
    this.failures++;
    if (this.failures < this.opts.threshold) return;
    if (wasProbe) this.cooldown = Math.min(this.opts.maxCooldownMs, this.cooldown * 2);
    this.openUntil = this.now() + this.cooldown;
  }

  /** How long until a probe may go (0 when calls may go now). */
  waitMs(): number {
    return this.state === 'open' ? Math.max(0, this.openUntil - this.now()) : 0;
  }

  snapshot(): CircuitSnapshot {
    const s = this.state;
    return {
      state: s,
      consecutiveFailures: this.failures,
      retryAt: s === 'closed' ? null : new Date(Math.max(this.openUntil, this.now())).toISOString(),
      lastError: this.lastError,
    };
  }
}
