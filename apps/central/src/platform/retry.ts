/**
 * Delay before retry number `attempt` (1 = the first retry): exponential from `baseMs`, capped at `maxMs`, with
 * "full jitter" in its upper half so a fleet of deliveries that failed together does not retry in lockstep.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + (random() * exp) / 2);
}
