import { commandsAckSchema, formatZodError, seedAckSchema, type CommandVersions, type RawCommand, type Seed } from '@outpost/shared';
import { deliverable } from './command-hold.js';

export interface PusherLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CommandPusherDeps {
  /** The store's commands after a seq, in order, at most `limit` (batched over the node's pushers by the gateway). */
  pending: (storeId: string, afterSeq: number, limit: number) => Promise<RawCommand[]>;
  /** Record the device's applied seq (never backwards). */
  recordApplied: (deviceId: string, appliedSeq: number) => Promise<void>;
  /** Record the command this connection holds back because the agent cannot apply its version (null: none). */
  recordHeld: (deviceId: string, held: RawCommand | null) => Promise<void>;
  storeId: string;
  deviceId: string;
  /** Send one `commands` message and resolve with the agent's raw ack; rejects on timeout or disconnect. */
  send: (commands: RawCommand[]) => Promise<unknown>;
  log: PusherLog;
  pageSize?: number;
  /**
   * After the agent's ack of a page holding one of these command types was recorded (reservations turn
   * delivered); a failure here is logged, not fatal, and it runs again with the next ack.
   */
  onAcked?: { types: ReadonlySet<string>; run: (appliedSeq: number) => Promise<void> };
  /** A till that holds no picture asked for one (hello.seed): read it, and send it with ack, before any command. */
  seed?: { read: () => Promise<Seed>; send: (seed: Seed) => Promise<unknown> };
}

/** Pushes a store's pending commands down one connection, in order, one page at a time (docs/protocol.md). */
export interface CommandPusher {
  /**
   * Begin after hello, from the seq the agent says it has applied; `known`: the command versions it can apply;
   * with `seed`, send the store's picture first.
   */
  start(appliedSeq: number, known: Readonly<CommandVersions>, opts?: { seed?: boolean; heldSeq?: number | null }): void;
  /** New commands may exist (a notification, or hello): push them unless already pushing. */
  trigger(): void;
  /** The seq the agent has applied, as far as this pusher knows; null before hello and after stop. */
  appliedSeq(): number | null;
  stop(): void;
  /** Resolves when no push is running (tests and shutdown). */
  idle(): Promise<void>;
}

export function createCommandPusher(deps: CommandPusherDeps): CommandPusher {
  const pageSize = deps.pageSize ?? 200;
  let appliedSeq = 0;
  let known: Readonly<CommandVersions> = {};
  // The command this connection holds back (the agent cannot apply it), as last recorded on the device row (hello
  // reads it); a pass records it only when it changes, so a hold left by an older connection is cleared. Unknown
  // (undefined) until start says otherwise: the first pass then records.
  let heldSeq: number | null | undefined;
  let started = false;
  let stopped = false;
  let running: Promise<void> | null = null;
  // A trigger while a run is in progress is remembered, so a command committed mid-run is not missed.
  let again = false;
  // onAcked failed: run it with the next ack whatever that page holds.
  let onAckedOwed = false;
  let seedWanted = false;

  /**
   * The seed, once per connection, before the stream: the agent takes its `atSeq` as applied, so the stream
   * continues after it. A timeout or disconnect throws (the next trigger or connection asks again); a refusal
   * means the agent will not take one (it already applied commands): the stream goes on from its hello.
   */
  async function seedPass(seed: NonNullable<CommandPusherDeps['seed']>): Promise<void> {
    const picture = await seed.read();
    const ack = seedAckSchema.safeParse(await seed.send(picture));
    seedWanted = false;
    if (!ack.success) {
      deps.log.warn({ deviceId: deps.deviceId, error: formatZodError(ack.error) }, 'seed ack does not parse; the command stream goes on from hello');
    } else if (!ack.data.ok) {
      deps.log.warn({ deviceId: deps.deviceId, error: ack.data.error }, 'the agent refused the seed; the command stream goes on from hello');
    } else {
      const { atSeq, items, stock, picks } = picture;
      deps.log.info({ deviceId: deps.deviceId, atSeq, items: items.length, stock: stock.length, picks: picks.length }, 'store seed applied by the agent');
      if (ack.data.appliedSeq > appliedSeq) {
        appliedSeq = ack.data.appliedSeq;
        await deps.recordApplied(deps.deviceId, appliedSeq);
        // The seed holds the store's open reservations: the store has them now (requested -> delivered).
        const after = deps.onAcked;
        if (after && picks.length > 0) {
          const seq = appliedSeq;
          await after.run(seq).catch((err: unknown) => {
            onAckedOwed = true;
            deps.log.warn({ err, deviceId: deps.deviceId, appliedSeq: seq }, 'after-ack step failed; it runs again on the next ack');
          });
        }
      }
    }
  }

  /** One pass: push pages until nothing is pending. Returns false when the agent stopped short (retry later). */
  async function pass(): Promise<boolean> {
    if (seedWanted && deps.seed) await seedPass(deps.seed);
    for (;;) {
      if (stopped) return false;
      const page = await deps.pending(deps.storeId, appliedSeq, pageSize);
      const { send: commands, held } = deliverable(page, known);
      if ((held?.seq ?? null) !== heldSeq) {
        heldSeq = held?.seq ?? null;
        if (held) deps.log.warn({ deviceId: deps.deviceId, seq: held.seq, type: held.type, schemaVersion: held.schemaVersion }, 'command held: this agent cannot apply its version; it waits until the agent is upgraded');
        await deps.recordHeld(deps.deviceId, held);
      }
      if (commands.length === 0) return true;
      const raw = await deps.send(commands);
      const ack = commandsAckSchema.safeParse(raw);
      if (!ack.success) {
        deps.log.warn({ deviceId: deps.deviceId, error: formatZodError(ack.error) }, 'commands ack does not parse; push paused');
        return false;
      }
      if (ack.data.appliedSeq > appliedSeq) {
        appliedSeq = ack.data.appliedSeq;
        await deps.recordApplied(deps.deviceId, appliedSeq);
        const after = deps.onAcked;
        // Most pages (a price change for every store) hold nothing the after-ack step is about: skip its queries.
        if (after && (onAckedOwed || commands.some((c) => c.seq <= appliedSeq && after.types.has(c.type)))) {
          onAckedOwed = false;
          const seq = appliedSeq;
          await after.run(seq).catch((err: unknown) => {
            onAckedOwed = true;
            deps.log.warn({ err, deviceId: deps.deviceId, appliedSeq: seq }, 'after-ack step failed; it runs again on the next ack');
          });
        }
      }
      // The agent applied less than it was sent (it failed on one): wait for the next trigger or reconnect.
      if (appliedSeq < commands.at(-1)!.seq) return false;
    }
  }

  async function loop(): Promise<void> {
    try {
      do {
        again = false;
        if (!(await pass())) break;
      } while (again && !stopped);
    } catch (err) {
      // Ack timeout, disconnect or DB trouble: stop quietly; the next trigger or reconnect resumes from appliedSeq.
      if (!stopped) deps.log.warn({ err, deviceId: deps.deviceId }, 'command push interrupted');
    } finally {
      running = null;
    }
  }

  const trigger = () => {
    if (!started || stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = loop();
  };

  return {
    start(seq, versions, opts) {
      appliedSeq = seq;
      known = versions;
      seedWanted = opts?.seed === true;
      // What the device row already says it holds (hello read it): no write per connection when nothing changed.
      if (opts?.heldSeq !== undefined) heldSeq = opts.heldSeq;
      started = true;
      trigger();
    },
    trigger,
    appliedSeq: () => (started && !stopped ? appliedSeq : null),
    stop() {
      stopped = true;
    },
    async idle() {
      while (running) await running;
    },
  };
}
