import { existsSync } from 'node:fs';
import { appendRawOutboxEvent } from '../support/agent-db.js';
import { agentStatus } from '../support/procs.js';
import { waitFor } from '../support/wait.js';
import { FAKETIME_LIB, type Cluster, type Till } from './cluster.js';
import type { FaultKind, Prng } from './options.js';
import type { Traffic } from './traffic.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The seeded fault schedule: every few seconds one fault of an enabled kind on a victim the PRNG picks. Faults
 * with a stretch (a slow, half-open or duplicating link, the ERP down) heal in the background while the next
 * one starts; kills and restores are done in line. `healAll` puts everything right for the settle phase.
 */
export class FaultScheduler {
  count = 0;
  readonly byKind = new Map<FaultKind, number>();
  readonly skipped: string[] = [];
  private readonly healing = new Set<Promise<void>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly prng: Prng,
    private readonly kinds: readonly FaultKind[],
    private readonly traffic: Traffic,
    private readonly log: (line: string) => void,
    /** Mean seconds between two faults. */
    private readonly meanGapSeconds: number,
  ) {}

  async run(): Promise<void> {
    if (this.kinds.length === 0) return;
    while (!this.traffic.done()) {
      await sleep(1000 * this.meanGapSeconds * (0.5 + this.prng.next()));
      if (this.traffic.done()) break;
      const kind = this.prng.pick(this.kinds);
      const till = this.prng.pick(this.cluster.tills);
      try {
        if (await this.apply(kind, till)) {
          this.count++;
          this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
        }
      } catch (e) {
        this.skipped.push(`${kind} on ${till.tag}: ${String(e)}`);
      }
    }
  }

  private stretch(ms: number, heal: () => Promise<void> | void): void {
    const p = sleep(ms)
      .then(heal)
      .finally(() => this.healing.delete(p));
    this.healing.add(p);
  }

  private async restart(t: Till, whileDown?: () => void): Promise<void> {
    t.busy = true;
    try {
      await this.cluster.killTill(t);
      whileDown?.();
      await this.cluster.startTill(t);
    } finally {
      t.busy = false;
    }
  }

  /** Applies one fault; false when it could not apply here (nothing counted). */
  private async apply(kind: FaultKind, t: Till): Promise<boolean> {
    const p = this.prng;
    switch (kind) {
      case 'cut':
        t.proxy.cut();
        return true;
      case 'delay': {
        t.proxy.setDelay(p.int(50, 800));
        this.stretch(p.int(2000, 6000), () => t.proxy.setDelay(0));
        return true;
      }
      case 'halfopen':
        t.proxy.hold();
        this.stretch(p.int(3000, 10_000), () => t.proxy.release());
        return true;
      case 'duplicate':
        t.proxy.setDuplicate(true);
        this.stretch(p.int(3000, 8000), () => t.proxy.setDuplicate(false));
        return true;
      case 'kill-agent': {
        if (t.busy) return false;
        const backup = this.kinds.includes('restore') && p.chance(0.6);
        const poison = this.kinds.includes('poison') && p.chance(0.4);
        await this.restart(t, () => {
          if (backup) this.cluster.snapshot(t);
          // An unstorable event already in the outbox (an older build wrote it): central must quarantine it.
          if (poison) this.poisonOutbox(t);
        });
        return true;
      }
      case 'kill-central':
        await this.cluster.killCentral();
        await sleep(p.int(200, 3000));
        await this.cluster.restartCentral();
        return true;
      case 'kill-postgres':
        return this.cluster.killPostgres();
      case 'restore': {
        if (t.busy || !t.snapshot) {
          // No backup yet: take one now (stop, copy, start); a later restore puts it back.
          if (t.busy) return false;
          await this.restart(t, () => this.cluster.snapshot(t));
          return false;
        }
        // Only a till whose captures all reached central: a restore then loses nothing the store did not own.
        // The till stops taking sales for a moment so its outbox can drain.
        t.busy = true;
        const drained = await waitFor(async () => (await agentStatus(t.agent!)).pendingUp === 0, { timeoutMs: 20_000, what: 'drain' }).catch(() => false);
        t.busy = false;
        if (!drained) {
          this.skipped.push(`restore on ${t.tag}: outbox did not drain within 20 s`);
          return false;
        }
        // Back up without its link for a while: the till captures offline on the restored folder first (how a
        // restored PC in a store with a flaky line starts its day).
        await this.restart(t, () => {
          this.cluster.restoreSnapshot(t);
          t.proxy.hold();
        });
        this.stretch(p.int(3000, 8000), () => t.proxy.release());
        this.log(`chaos: ${t.tag} data folder restored from an older copy (life ${t.life})`);
        return true;
      }
      case 'skew': {
        if (t.busy || !existsSync(FAKETIME_LIB)) return false;
        t.skewHours = p.pick([0, -26, -5, 5, 22]);
        await this.restart(t);
        return true;
      }
      case 'poison':
        await this.traffic.poison(t);
        return true;
      case 'erp-down':
        await this.cluster.erpDown();
        this.stretch(p.int(3000, 10_000), () => this.cluster.erpUp());
        return true;
    }
  }

  private poisonOutbox(t: Till): void {
    try {
      const w = appendRawOutboxEvent(t.dataDir, (env) => {
        (env.payload as Record<string, unknown>).lines = 'not-a-list';
      });
      this.traffic.ledger.answered.set(w.eventId, { eventId: w.eventId, till: t.tag, key: `outbox-poison-${w.seq}`, poison: true });
    } catch (e) {
      // No sale left in the outbox to clone (pruned after acks): nothing written.
      this.skipped.push(`outbox poison on ${t.tag}: ${String(e)}`);
    }
  }

  /** Everything back to healthy: links, ERP endpoint, processes (clocks stay as they are). */
  async healAll(): Promise<void> {
    await Promise.all([...this.healing]);
    for (const t of this.cluster.tills) {
      t.proxy.setDelay(0);
      t.proxy.release();
      t.proxy.setDuplicate(false);
    }
    await this.cluster.erpUp();
    await this.cluster.restartCentral();
    for (const t of this.cluster.tills) if (!t.agent?.proc.alive && !t.busy) await this.cluster.startTill(t);
  }
}
