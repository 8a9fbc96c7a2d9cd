/**
 * What a chaos round does: how many agents, how much traffic, for how long, with which faults. The seed makes
 * the schedule (which fault, when, on whom, and the traffic mix) repeatable: print it, pass it back with --seed.
 */
export const FAULT_KINDS = [
  'cut', // drop an agent's link (both sides)
  'delay', // a slow link for a stretch
  'halfopen', // a link that passes nothing but never closes, for a stretch
  'duplicate', // every socket.io event of an agent delivered twice, for a stretch
  'kill-agent', // kill -9 of an agent process, then restart
  'kill-central', // kill -9 of central, then restart
  'kill-postgres', // kill -9 of the embedded PostgreSQL's postmaster (central must survive and recover)
  'restore', // an agent's data folder put back from an older copy (a restored PC image)
  'skew', // an agent restarted with its clock hours off (faketime)
  'poison', // out-of-range captures through the API and unstorable events in an outbox
  'erp-down', // the ERP webhook endpoint down for a stretch
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface ChaosOptions {
  seed: number;
  agents: number;
  /** Tills per store: several devices enrolled for one store. */
  tillsPerStore: number;
  /** Captures to attempt (the round ends its traffic at this count or at `minutes`, whichever first). */
  events: number;
  minutes: number;
  faults: ReadonlySet<FaultKind>;
  /** How long the end of the round may take to settle (drain, post, apply) before what is left counts as stuck. */
  settleSeconds: number;
  log: (line: string) => void;
}

/**
 * The fault kinds `npm test`'s short round turns on: every kind. A fault kind the code does not survive yet is
 * left out here, with the reason, until it is fixed.
 */
export const DEFAULT_TEST_FAULTS: readonly FaultKind[] = FAULT_KINDS;

export function parseChaosArgs(argv: readonly string[], log: (line: string) => void): ChaosOptions {
  const o: ChaosOptions = {
    seed: Math.floor(Math.random() * 2 ** 31),
    agents: 5,
    tillsPerStore: 2,
    events: 2000,
    minutes: 2,
    faults: new Set(FAULT_KINDS),
    settleSeconds: 240,
    log,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min: number) => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag}: expected an integer >= ${min}, got ${v}`);
      return n;
    };
    switch (flag) {
      case '--seed':
        o.seed = int(0);
        break;
      case '--agents':
        o.agents = int(1);
        break;
      case '--tills-per-store':
        o.tillsPerStore = int(1);
        break;
      case '--events':
        o.events = int(1);
        break;
      case '--minutes':
        o.minutes = Number(value());
        if (!(o.minutes > 0)) throw new Error('--minutes must be positive');
        break;
      case '--settle-seconds':
        o.settleSeconds = int(10);
        break;
      case '--faults':
        o.faults = parseFaults(value());
        break;
      case '--no-faults':
        o.faults = new Set();
        break;
      case '--without': {
        const off = parseFaults(value());
        o.faults = new Set([...o.faults].filter((f) => !off.has(f)));
        break;
      }
      default:
        throw new Error(`unknown option ${flag} (options: --seed S --agents N --tills-per-store T --events E --minutes M --faults a,b --without a,b --no-faults --settle-seconds S)`);
    }
  }
  return o;
}

export function parseFaults(list: string): Set<FaultKind> {
  const out = new Set<FaultKind>();
  for (const f of list.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(FAULT_KINDS as readonly string[]).includes(f)) throw new Error(`unknown fault kind ${f} (known: ${FAULT_KINDS.join(', ')})`);
    out.add(f as FaultKind);
  }
  return out;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same schedule and traffic mix. */
export class Prng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}
