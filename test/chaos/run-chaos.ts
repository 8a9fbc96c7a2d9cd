import { Fixture } from '../support/procs.js';
import { Cluster } from './cluster.js';
import { FaultScheduler } from './faults.js';
import { checkInvariants, pendingWork, type Verdict } from './invariants.js';
import { Prng, type ChaosOptions } from './options.js';
import { Ledger, Traffic } from './traffic.js';

export interface ChaosResult extends Verdict {
  seed: number;
  agents: number;
  faults: number;
  faultsByKind: Record<string, number>;
  /** The one summary line. */
  line: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One chaos round: start the cluster, run store traffic and the seeded fault schedule side by side, heal
 * everything, let the system settle (outboxes drained, postings posted, commands applied) and check the
 * invariants. Everything started is stopped and removed, whatever happens.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const fx = new Fixture();
  const cluster = new Cluster(fx, o.log);
  const prng = new Prng(o.seed);
  const kinds = [...o.faults];
  o.log(`chaos: seed=${o.seed} agents=${o.agents} tills/store=${o.tillsPerStore} events=${o.events} minutes=${o.minutes} faults=${kinds.join(',') || 'none'}`);
  try {
    await cluster.start(o.agents, o.tillsPerStore);
    o.log(`chaos: cluster up (${cluster.stores().length} stores, ${o.agents} agents); traffic and faults for up to ${o.minutes} min`);
    const ledger = new Ledger();
    const traffic = new Traffic(cluster, prng, ledger, { events: o.events, deadline: Date.now() + o.minutes * 60_000 });
    // About 20 faults a minute in a short round, fewer per agent with many.
    const faults = new FaultScheduler(cluster, new Prng(o.seed ^ 0x5eed), kinds, traffic, o.log, 3);
    await Promise.all([traffic.run(), faults.run()]);
    o.log(`chaos: traffic done (${ledger.attempts} captures tried, ${ledger.answered.size} answered, ${[...ledger.answered.values()].filter((a) => a.key.startsWith('pick:')).length} picks, ${ledger.receipts.size} receipts, ${ledger.reservations.size} reservations), ${faults.count} faults; healing and settling`);
    await faults.healAll();
    const dup = cluster.tills.reduce((n, t) => n + t.proxy.duplicated, 0);
    if (dup) o.log(`chaos: ${dup} socket.io messages delivered twice by the proxies`);

    const deadline = Date.now() + o.settleSeconds * 1000;
    let pending = await pendingWork(cluster);
    while (pending.total > 0 && Date.now() < deadline) {
      await sleep(1000);
      pending = await pendingWork(cluster);
    }
    if (pending.total > 0) o.log(`chaos: not settled after ${o.settleSeconds} s:\n  ${pending.detail.join('\n  ')}`);
    for (const s of faults.skipped.slice(0, 10)) o.log(`chaos: fault not applied: ${s}`);

    const v = await checkInvariants(cluster, ledger).catch((e: unknown): Verdict => {
      // Central's database is gone for good (it was killed and nothing brought it back): all that is pending is stuck.
      const stuck = pending.detail.reduce((n, d) => n + Number(/(\d+) events pending/.exec(d)?.[1] ?? 0), 0);
      return { events: 0, lost: 0, duplicated: 0, stuck: Math.max(1, stuck), quarantined: 0, repeated: 0, failures: [`the invariants could not be checked: ${String(e)}`, ...pending.detail.map((d) => `stuck: ${d}`), ...cluster.unexpectedExits.map((x) => `process exit: ${x}`)] };
    });
    if (v.repeated) o.log(`chaos: ${v.repeated} picks/handovers done again by restored tills: stored, logged as pick_repeated, not applied`);
    const faultsByKind = Object.fromEntries(faults.byKind);
    const line = `chaos: seed=${o.seed} agents=${o.agents} events=${v.events} faults=${faults.count} lost=${v.lost} duplicated=${v.duplicated} stuck=${v.stuck} quarantined=${v.quarantined}`;
    return { ...v, seed: o.seed, agents: o.agents, faults: faults.count, faultsByKind, line };
  } finally {
    await cluster.stop();
  }
}
