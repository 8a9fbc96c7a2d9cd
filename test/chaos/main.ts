import { parseChaosArgs } from './options.js';
import { runChaos } from './run-chaos.js';

// `npm run chaos -- --agents 20 --events 10000 --minutes 10 --seed S`: details (faults applied, invariant
// failures) go to stderr, then exactly one summary line to stdout; the exit code is non-zero when any invariant
// failed.
const log = (line: string) => process.stderr.write(`${line}\n`);
let opts;
try {
  opts = parseChaosArgs(process.argv.slice(2), log);
} catch (e) {
  log(String(e instanceof Error ? e.message : e));
  process.exit(2);
}
try {
  const r = await runChaos(opts);
  log(`chaos: faults applied: ${JSON.stringify(r.faultsByKind)}`);
  for (const f of r.failures) log(`FAIL ${f}`);
  process.stdout.write(`${r.line}\n`);
  process.exit(r.failures.length === 0 && r.lost === 0 && r.duplicated === 0 && r.stuck === 0 ? 0 : 1);
} catch (e) {
  log(`chaos: the round could not run: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.stdout.write(`chaos: seed=${opts.seed} agents=${opts.agents} events=0 faults=0 lost=? duplicated=? stuck=? quarantined=?\n`);
  process.exit(1);
}
