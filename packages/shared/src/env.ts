/** Environment variables as the apps read them: a plain string map (process.env, or a test's own). */
export type Env = Record<string, string | undefined>;

/**
 * An integer setting from the environment: the fallback when unset or empty, else a safe integer >= min, or a
 * clear error naming the variable (a typo in a service unit must stop the start, not run with a silent default).
 */
export function envInt(env: Env, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
  return n;
}
