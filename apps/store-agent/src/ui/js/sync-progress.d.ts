export interface Progress {
  peak: number;
  pending: number;
  sent: number;
  draining: boolean;
  caughtUp: number | null;
}
export const NO_BACKLOG: Progress;
export function nextProgress(prev: Progress, status: { online: boolean; pendingUp: number }): Progress;
export function sinceText(iso: string | null, nowMs: number): string;
