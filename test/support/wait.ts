/**
 * Poll `probe` until it returns a truthy value (returned) or the deadline passes (throws with the last value
 * seen). Tests wait on conditions, never on fixed sleeps; the deadline only bounds a hung test.
 */
export async function waitFor<T>(
  probe: () => Promise<T> | T,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  const interval = opts.intervalMs ?? 50;
  let last: unknown;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      last = v;
      if (v) return v as NonNullable<T>;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${String(lastError)})` : ` (last value: ${JSON.stringify(last)})`;
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${detail}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
