/**
 * `npm run bench -- <name>`: benchmarks print figures and ratios to baselines taken in the same run.
 * Nothing here asserts a time: speed is reported, not tested.
 */
const suites: Record<string, () => Promise<unknown>> = {
  sync: () => import('./sync.js').then((m) => m.run()),
  merge: () => import('./merge.js').then((m) => m.run()),
  reservations: () => import('./reservations.js').then((m) => m.run()),
  erp: () => import('./erp.js').then((m) => m.run()),
  fleet: () => import('./fleet.js').then((m) => m.run()),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length ? wanted : Object.keys(suites);
for (const n of names) {
  const suite = suites[n];
  if (!suite) {
    console.error(`unknown benchmark "${n}"; known: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## bench ${n}`);
  await suite();
}
process.exit(0);
