import type { SyncStateStore } from './state.js';

/**
 * This PC's clock against central's. A till whose clock runs 22 h ahead would date its sales tomorrow (and the ERP
 * would book them so) and stamp its counts after receipts central books later. The agent measures the skew at
 * every hello (central's `serverTime`), keeps the last measurement across restarts, and when the skew is beyond
 * the tolerance it dates and stamps captures by central's time: business dates, HLC stamps and occurredAt.
 * Within the tolerance the PC's own clock is used (the measurement itself carries network noise).
 */
export interface ClockView {
  /** This PC's clock minus central's (ms), at the last connection; null before the first. */
  clockSkewMs: number | null;
  clockSkewAt: string | null;
  /** True when captures are dated by central's time because the skew is beyond the tolerance. */
  clockCorrected: boolean;
}

/** Skew from one request/answer: the server's time is taken as that of the middle of the round trip. */
export function measureSkew(sentAt: number, answeredAt: number, serverTime: number): number {
  return Math.round((sentAt + answeredAt) / 2 - serverTime);
}

/** What to subtract from this PC's clock to get business time. */
export function correctionFor(skewMs: number | null, toleranceMs: number): number {
  return skewMs !== null && Math.abs(skewMs) > toleranceMs ? skewMs : 0;
}

/** True when the wall clock moved by more than `toleranceMs` against the monotonic clock since the mark. */
export function wallClockJumped(mark: { wall: number; mono: number }, wall: number, mono: number, toleranceMs: number): boolean {
  return Math.abs(wall - mark.wall - (mono - mark.mono)) > toleranceMs;
}

export class DeviceClock {
  private skew: number | null;
  private at: string | null;
  /** Wall and monotonic time when the skew was measured (or loaded): a later jump of the wall clock voids it. */
  private mark: { wall: number; mono: number };

  constructor(
    private readonly now: () => number,
    private readonly state: SyncStateStore,
    private readonly toleranceMs: number,
    private readonly mono: () => number = () => performance.now(),
  ) {
    const st = state.get();
    this.skew = st.clockSkewMs;
    this.at = st.clockSkewAt;
    this.mark = { wall: now(), mono: this.mono() };
  }

  /** Business time: central's view when this PC's clock is off by more than the tolerance. */
  readonly businessNow = (): number => this.now() - this.correction();

  record(skewMs: number): void {
    this.skew = skewMs;
    this.at = new Date(this.now()).toISOString();
    this.mark = { wall: this.now(), mono: this.mono() };
    this.state.setClockSkew(skewMs, this.at);
  }

  view(): ClockView {
    return { clockSkewMs: this.skew, clockSkewAt: this.at, clockCorrected: this.correction() !== 0 };
  }

  /**
   * Someone set the PC's clock since the measurement (IT fixed it, say): the measured skew no longer applies, and
   * the PC's own clock is the best guess until the next hello measures again.
   */
  private correction(): number {
    if (this.skew !== null && wallClockJumped(this.mark, this.now(), this.mono(), this.toleranceMs)) {
      this.skew = null;
      this.at = null;
      this.state.setClockSkew(null, null);
    }
    return correctionFor(this.skew, this.toleranceMs);
  }
}
