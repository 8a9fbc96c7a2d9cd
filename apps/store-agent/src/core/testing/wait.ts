/** Poll until `probe` is truthy; the deadline only bounds a hung test, it is never a timing assertion. */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last value: ${JSON.stringify(v)})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
