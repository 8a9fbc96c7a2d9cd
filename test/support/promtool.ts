import { spawnSync } from 'node:child_process';

/**
 * Runs Prometheus's own `promtool` (Debian's `prometheus` package; `.ci/run` installs it) and answers what it
 * printed. `check metrics` reads the exposition on stdin and prints one line per problem (exit 3 for lint
 * problems); `check rules` checks alerting-rule files.
 */
export function promtool(args: readonly string[], input?: string): { status: number | null; output: string } {
  const r = spawnSync(process.env.OUTPOST_PROMTOOL ?? 'promtool', args, { input, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`promtool could not run (apt-get install prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}
