export interface Unsent {
  oldestAt: string | null;
  sales: number;
  returns: number;
  counts: number;
  other: number;
}
export function durationText(ms: number): string;
export function kindsText(u: Unsent): string;
export function unsentTotal(u: Unsent): number;
export function budgetText(s: { online: boolean; offlineSince: string | null; unsent: Unsent; lastError?: string | null }, nowMs: number, clock: (d: Date) => string): string;
export function localClock(d: Date): string;
