import type pg from 'pg';
import type { Namespace, Socket } from 'socket.io';
import {
  agentHelloSchema,
  agentStatusSchema,
  batchSchema,
  formatZodError,
  handshakeAuthSchema,
  importRejectedSchema,
  chooseVersion,
  CENTRAL_RANGE,
  NEGOTIATION_PROTOCOL_VERSION,
  refusal,
  SEED_PROTOCOL_VERSION,
  type BatchAck,
  type CentralHello,
  type HandshakeRefusal,
  type RawCommand,
  type Refusal,
  type SyncLimits,
  TOKEN_ROTATE_PROTOCOL_VERSION,
  upcastHello,
  upcastStatus,
  type VersionRange,
} from '@outpost/shared';
import type { Faults } from '../platform/index.js';
import { ingestBatch, type IngestObserver, type Peer } from './ingest.js';
import { markDeliveredUpTo, type ReservationSettings } from '../reservations/index.js';
import type { Limiter } from '../access/index.js';
import { createStatusWriter, createTokenRotator, findDeviceByToken, type Presence, recordAppliedCommandsOfMany, recordHeldCommand, recordHello, rotationDue, type TokenRotator } from '../fleet/index.js';
import { recordImportRejections } from '../imports/index.js';
import { type CommandPusher, createCommandPusher, pendingCommandsOfMany } from '../commands/index.js';
import { createTickBatcher } from '../platform/index.js';
import { createAdmission } from './admission.js';
import { createSerialQueue } from './serial-queue.js';
import { readStoreSeed } from './store-seed.js';

export interface GatewayLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface GatewayDeps {
  pool: pg.Pool;
  limits: SyncLimits;
  faults: Faults;
  presence: Presence;
  centralVersion: string;
  log: GatewayLog;
  /** How long central waits for the ack of a `commands` message. */
  commandAckTimeoutMs: number;
  /** Reservation rules in ingest, and "delivered" when a store acks their commands. */
  reservations: ReservationSettings;
  /** Watches ingest (metrics, logs): every committed batch and every refused one. */
  observer?: IngestObserver;
  /** Handshakes with an unknown token, counted per source address; over the limit, the address waits. */
  handshakeFailures?: Limiter;
  /** A device token older than this is rotated at hello (OUTPOST_DEVICE_TOKEN_MAX_AGE_DAYS). */
  tokenMaxAgeMs: number;
  /** How long central waits for the ack of `token.rotate`. */
  tokenRotateAckTimeoutMs?: number;
  /** Connection set-up work (token lookups, hellos) run at once, and hellos that may wait before "busy". */
  admission?: { concurrency: number; maxWaitingHellos: number };
  /** The protocol versions this central speaks (default CENTRAL_RANGE; OUTPOST_PROTOCOL_MAX_VERSION lowers the top). */
  protocolRange?: VersionRange;
}

/** What the handshake proved, kept on the socket. */
export interface AgentSocketData {
  storeId: string;
  deviceId: string;
  /** sha256 of the token the handshake proved. */
  tokenHash: string;
  /** The protocol version this connection runs at: the highest both sides speak, chosen at the handshake. */
  protocolVersion: number;
}

type Ack = (answer: unknown) => void;
type AgentSocket = Socket<Record<string, (...args: never[]) => void>, Record<string, (...args: never[]) => void>, Record<string, never>, AgentSocketData>;

export interface AgentGateway {
  /** New commands for a store were committed: push them to its connected devices. */
  commandsAvailable(storeId: string): void;
  /**
   * Wake the pushers of the connected stores that have commands past what their agent acked: one query for the
   * whole node (the periodic re-check, and after the notification connection was lost for a while).
   */
  recheck(): Promise<void>;
  disconnectDevice(deviceId: string): void;
  /** Resolves when every status and last-seen received so far is written (shutdown). */
  flushed(): Promise<void>;
  /** Rotate the token of the device if this node holds a connection of it that speaks `token.rotate`. */
  rotateDevice(deviceId: string): void;
}

function handshakeError(code: HandshakeRefusal['code'], message: string, range?: VersionRange): Error & { data: HandshakeRefusal } {
  return Object.assign(new Error(message), { data: { code, message, ...(range ? { minVersion: range.min, maxVersion: range.max } : {}) } });
}

/** Commands whose ack changes something beyond the device's applied seq (the reservation turns delivered). */
const DELIVERY_TYPES: ReadonlySet<string> = new Set(['reservation.created']);

/** The messages an agent sends (the §4 protocol); anything else gets a bad_request refusal. */
const AGENT_MESSAGES: ReadonlySet<string> = new Set(['hello', 'batch', 'status', 'import.rejected']);

function asAck(v: unknown): Ack | null {
  return typeof v === 'function' ? (v as Ack) : null;
}

/** The `/agent` namespace (docs/protocol.md): handshake, hello, batches, status, and the command push. */
export function attachAgentGateway(ns: Namespace, deps: GatewayDeps): AgentGateway {
  const pushersByStore = new Map<string, Set<CommandPusher>>();
  const rotatorsByDevice = new Map<string, Set<TokenRotator>>();
  // Token lookups only queue (a waiting handshake costs an open socket, nothing more); hellos past the line are
  // told to come back, so a reconnect storm is met with "retry after X" instead of hello timeouts.
  const concurrency = deps.admission?.concurrency ?? 8;
  const handshakes = createAdmission({ concurrency, maxWaiting: Infinity });
  const hellos = createAdmission({ concurrency, maxWaiting: deps.admission?.maxWaitingHellos ?? 200 });
  // Statuses and last-seen of the whole node, coalesced into one statement per write (an agent reports after
  // every acked batch); the pool may already be closing when the last disconnects are written at shutdown.
  // The pushers of every connected store ask for their commands and record their acks through these: one
  // statement per turn of the event loop, however many stores one price change woke.
  const pendingLoader = createTickBatcher(async (asks: { storeId: string; afterSeq: number; limit: number }[]) => {
    const limit = Math.max(...asks.map((a) => a.limit));
    return (await pendingCommandsOfMany(deps.pool, asks, limit)).map((list, i) => list.slice(0, asks[i]!.limit));
  });
  const appliedWriter = createTickBatcher(async (acks: { deviceId: string; appliedSeq: number }[]) => {
    await recordAppliedCommandsOfMany(deps.pool, acks);
    return acks.map(() => undefined);
  });
  const statuses = createStatusWriter(deps.pool, (err) => deps.log.warn({ err }, 'could not record agent statuses'));
  const range = deps.protocolRange ?? CENTRAL_RANGE;

  ns.use((socket, next) => {
    const auth = handshakeAuthSchema.safeParse(socket.handshake.auth);
    if (!auth.success) return next(handshakeError('bad_request', `handshake auth: ${formatZodError(auth.error)}`));
    const address = socket.handshake.address;
    const failures = deps.handshakeFailures;
    (failures ? failures.peek(address) : Promise.resolve({ limited: false, retryAfterSeconds: 0 }))
      .then(async (blocked) => {
        // A plain error, not a refusal: the agent treats it as transient and retries with its backoff.
        if (blocked.limited) return next(new Error(`too many failed handshakes from this address; retry in ${blocked.retryAfterSeconds} s`));
        const looked = await handshakes.run(() => findDeviceByToken(deps.pool, auth.data.token));
        if (!looked.admitted) return next(new Error('central is busy; try again')); // never: the line is unbounded
        const device = looked.value;
        if (!device) {
          await failures?.hit(address);
          deps.log.info({ sourceAddress: address }, 'handshake refused: unknown device token');
          return next(handshakeError('unauthorized', 'unknown device token'));
        }
        if (device.revoked) return next(handshakeError('revoked', 'this device token was revoked; enrol the device again'));
        // Before v3 an agent named one version; from v3 on a range (minProtocolVersion..protocolVersion). A central
        // held below v3 (OUTPOST_PROTOCOL_MAX_VERSION) answers exactly as those releases did: no ranges.
        const ranges = range.max >= NEGOTIATION_PROTOCOL_VERSION;
        const offered = { min: (ranges ? auth.data.minProtocolVersion : undefined) ?? auth.data.protocolVersion, max: auth.data.protocolVersion };
        const chosen = offered.min <= offered.max ? chooseVersion(offered, range) : null;
        if (chosen === null) {
          const asked = offered.min === offered.max ? `v${offered.max}` : `v${offered.min}..v${offered.max}`;
          return next(handshakeError('protocol_unsupported', `protocol ${asked} is not supported; central speaks v${range.min}..v${range.max}`, ranges ? range : undefined));
        }
        socket.data = { storeId: device.storeId, deviceId: device.deviceId, tokenHash: device.tokenHash, protocolVersion: chosen };
        next();
      })
      .catch((err: unknown) => {
        deps.log.error({ err }, 'handshake failed');
        next(new Error('central could not check the token; try again'));
      });
  });

  ns.on('connection', (raw) => onConnection(raw as AgentSocket));

  function onConnection(socket: AgentSocket): void {
    const { storeId, deviceId, protocolVersion: version } = socket.data;
    const log = { storeId, deviceId, socketId: socket.id, protocolVersion: version };
    void socket.join([`store:${storeId}`, `device:${deviceId}`]);
    deps.presence.add(deviceId);
    // Last seen is written by hello (and at disconnect): a write here too would double the storm's writes.
    deps.log.info(log, 'agent connected');

    const queue = createSerialQueue();
    let helloDone = false;
    // What this connection's hello said; ingest answers seq_conflict only to agents that understand it.
    let peer: Peer = { protocolVersion: version, highestSeq: 0 };
    const pusher = createCommandPusher({
      pending: (store, afterSeq, limit) => pendingLoader.load({ storeId: store, afterSeq, limit }),
      recordApplied: (device, appliedSeq) => appliedWriter.load({ deviceId: device, appliedSeq }),
      recordHeld: (device, held) => recordHeldCommand(deps.pool, device, held),
      storeId,
      deviceId,
      log: deps.log,
      // A store that acked a reservation.created has it: the order system hears "delivered".
      onAcked: { types: DELIVERY_TYPES, run: (appliedSeq) => markDeliveredUpTo(deps.pool, deps.reservations, storeId, appliedSeq).then(() => undefined) },
      send: (commands: RawCommand[]) => socket.timeout(deps.commandAckTimeoutMs).emitWithAck('commands', { commands }),
      // A replacement till's picture (hello.seed, v3): read in one snapshot, no command appended for it.
      seed: {
        read: () => readStoreSeed(deps.pool, storeId, deviceId),
        send: (seed) => socket.timeout(deps.commandAckTimeoutMs).emitWithAck('seed', seed),
      },
    });
    // Registered after a hello from an agent that understands `token.rotate`; never before.
    const rotator = createTokenRotator({
      pool: deps.pool,
      deviceId,
      tokenHash: socket.data.tokenHash,
      send: (token) => socket.timeout(deps.tokenRotateAckTimeoutMs ?? 30_000).emitWithAck('token.rotate', { token }),
      disconnect: () => socket.disconnect(true),
      log: deps.log,
    });
    const rotate = () => rotator.rotate().catch((err: unknown) => deps.log.warn({ err, ...log }, 'token rotation failed'));
    const storePushers = pushersByStore.get(storeId) ?? new Set<CommandPusher>();
    storePushers.add(pusher);
    pushersByStore.set(storeId, storePushers);

    socket.on('hello', (msg: unknown, ackFn: unknown) => {
      const ack = asAck(ackFn);
      void onHello(msg)
        .then((answer) => ack?.(answer))
        .catch((err: unknown) => {
          deps.log.error({ err, ...log }, 'hello failed');
          ack?.(refusal('internal', 'central failed to answer hello; reconnect'));
        });
    });

    async function onHello(msg: unknown): Promise<CentralHello | Refusal> {
      const hello = agentHelloSchema.safeParse(msg);
      if (!hello.success) return refusal('bad_request', `hello: ${formatZodError(hello.error)}`);
      // hello names the agent's own (highest) version; the connection runs at the one the handshake chose.
      if (hello.data.protocolVersion < version) {
        return refusal('protocol_unsupported', `hello says protocol v${hello.data.protocolVersion}, below v${version} chosen at the handshake`, { min: range.min, max: range.max });
      }
      const h = upcastHello(hello.data, version);
      if (h.storeId !== storeId || h.deviceId !== deviceId) {
        return refusal('wrong_store', `this token belongs to store ${storeId}, device ${deviceId}`, { storeId, deviceId });
      }
      const admitted = await hellos.run(async () => {
        const { storedSeq, heldSeq } = await recordHello(deps.pool, deviceId, h, version);
        const due = h.protocolVersion >= TOKEN_ROTATE_PROTOCOL_VERSION && (await rotationDue(deps.pool, deviceId, deps.tokenMaxAgeMs));
        return { storedSeq, heldSeq, due };
      });
      if (!admitted.admitted) {
        return refusal('retry_after', `central is busy with other agents' hellos; say hello again in ${admitted.retryAfterMs} ms`, { retryAfterMs: admitted.retryAfterMs });
      }
      if (!socket.connected) return refusal('not_ready', 'disconnected while waiting'); // nobody to answer
      const { storedSeq, heldSeq, due } = admitted.value;
      helloDone = true;
      peer = { protocolVersion: version, highestSeq: h.highestSeq };
      pusher.start(h.appliedCommandSeq, h.commandVersions, { seed: h.seed === true && version >= SEED_PROTOCOL_VERSION, heldSeq });
      if (version >= TOKEN_ROTATE_PROTOCOL_VERSION) {
        const rotators = rotatorsByDevice.get(deviceId) ?? new Set<TokenRotator>();
        rotators.add(rotator);
        rotatorsByDevice.set(deviceId, rotators);
        // Asked for while the device was away, or the token is too old: rotate once hello is answered.
        if (due) setImmediate(() => void rotate());
      }
      return {
        ok: true,
        protocolVersion: version,
        centralVersion: deps.centralVersion,
        storedSeq,
        limits: deps.limits,
        serverTime: Date.now(),
      };
    }

    socket.on('batch', (msg: unknown, ackFn: unknown) => {
      const ack = asAck(ackFn);
      if (!ack) return; // a batch without an ack cannot be confirmed: the agent will resend it
      void onBatch(msg).then((answer) => {
        ack(answer);
        if (!answer.ok) deps.observer?.refused?.({ storeId, deviceId }, answer.error.code);
      }, (err: unknown) => {
        deps.log.error({ err, ...log }, 'batch failed');
        ack(refusal('internal', 'central failed to store the batch; nothing was stored'));
      });
    });

    async function onBatch(msg: unknown): Promise<BatchAck> {
      if (!helloDone) return refusal('not_ready', 'send hello before batches');
      const parsed = batchSchema.safeParse(msg);
      if (!parsed.success) return refusal('bad_request', `batch: ${formatZodError(parsed.error)}`);
      if (queue.pending >= deps.limits.maxInFlight) {
        return refusal('retry_after', `more than ${deps.limits.maxInFlight} batches in flight`, { retryAfterMs: 250 });
      }
      const result = await queue.run(() => ingestBatch({ pool: deps.pool, limits: deps.limits, faults: deps.faults, log: deps.log, reservations: deps.reservations, ...(deps.observer ? { observer: deps.observer } : {}) }, { storeId, deviceId }, parsed.data, peer));
      if ('revoked' in result) {
        setImmediate(() => socket.disconnect(true));
        return refusal('internal', 'this device token was revoked; nothing was stored');
      }
      if (!result.ok && result.error.code === 'seq_conflict') deps.log.warn({ ...log, details: result.error.details }, 'device restored from an older copy or cloned: it renumbers its events');
      return result;
    }

    // The writer keeps only a device's latest status and writes one batch at a time, so an older backlog
    // ("2 waiting") can never land after a newer one and stay on the fleet table for good.
    socket.on('status', (msg: unknown) => {
      const status = agentStatusSchema.safeParse(msg);
      if (!status.success) {
        deps.log.warn({ ...log, error: formatZodError(status.error) }, 'status does not parse');
        return;
      }
      statuses.status(deviceId, upcastStatus(status.data, version));
    });

    // Till files the agent rejected: kept at central for the console and the import_rejected alert.
    socket.on('import.rejected', (msg: unknown, ackFn: unknown) => {
      const ack = asAck(ackFn);
      if (!helloDone) return ack?.(refusal('not_ready', 'send hello before reports'));
      const parsed = importRejectedSchema.safeParse(msg);
      if (!parsed.success) return ack?.(refusal('bad_request', `import.rejected: ${formatZodError(parsed.error)}`));
      recordImportRejections(deps.pool, storeId, deviceId, parsed.data.reports).then(
        (n) => {
          if (n > 0) deps.log.warn({ ...log, files: parsed.data.reports.map((r) => r.file) }, 'till files rejected at the store');
          ack?.({ ok: true, received: parsed.data.reports.length });
        },
        (err: unknown) => {
          deps.log.error({ err, ...log }, 'could not record import rejections');
          ack?.(refusal('internal', 'central could not record the reports; send them again'));
        },
      );
    });

    // A message this central does not know (a newer agent, a typo) is answered at once, not left to time out.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if (typeof event === 'string' && AGENT_MESSAGES.has(event)) return;
      const name = JSON.stringify(String(event).slice(0, 100));
      deps.log.warn({ ...log, event: name }, 'unknown message');
      asAck(args.at(-1))?.(refusal('bad_request', `unknown message ${name}; central understands ${[...AGENT_MESSAGES].join(', ')}`, { known: [...AGENT_MESSAGES] }));
    });

    socket.on('disconnect', (reason) => {
      pusher.stop();
      storePushers.delete(pusher);
      if (storePushers.size === 0 && pushersByStore.get(storeId) === storePushers) pushersByStore.delete(storeId);
      deps.presence.remove(deviceId);
      const rotators = rotatorsByDevice.get(deviceId);
      rotators?.delete(rotator);
      if (rotators?.size === 0) rotatorsByDevice.delete(deviceId);
      statuses.seen(deviceId);
      deps.log.info({ ...log, reason }, 'agent disconnected');
    });
  }

  return {
    commandsAvailable(storeId) {
      for (const p of pushersByStore.get(storeId) ?? []) p.trigger();
    },
    async recheck() {
      if (pushersByStore.size === 0) return;
      const r = await deps.pool.query<{ store_id: string; command_seq: string }>(
        'SELECT store_id, command_seq FROM stores WHERE store_id = ANY($1::text[]) AND command_seq > 0',
        [[...pushersByStore.keys()]],
      );
      for (const row of r.rows) {
        const latest = Number(row.command_seq);
        for (const p of pushersByStore.get(row.store_id) ?? []) {
          const applied = p.appliedSeq();
          if (applied !== null && applied < latest) p.trigger();
        }
      }
    },
    flushed: () => statuses.flushed(),
    disconnectDevice(deviceId) {
      // Local only: every node gets the revocation over NOTIFY and drops its own sockets (no N×N broadcast).
      ns.local.in(`device:${deviceId}`).disconnectSockets(true);
    },
    rotateDevice(deviceId) {
      // Local only, like disconnectDevice: the node holding the socket heard the same NOTIFY.
      for (const r of rotatorsByDevice.get(deviceId) ?? []) void r.rotate().catch((err: unknown) => deps.log.warn({ err, deviceId }, 'token rotation failed'));
    },
  };
}
