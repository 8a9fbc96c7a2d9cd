import { eq } from 'drizzle-orm';
import { advancesTo, handedOverLines, parseCommandPayload, rawCommandSchema, type Command, type HybridClock, type RawCommand, type ReservationLine, type ReservationStatus } from '@outpost/shared';
import type { AgentDb } from './db/open.js';
import { appliedCommands, commandQuarantine, items, receivedStock, reservations, tasks } from './db/schema.js';
import type { SyncStateStore } from './state.js';
import type { Logger } from './log.js';
import type { LocalStock } from './stock.js';

type Outcome = 'applied' | 'ignored_old_version' | 'ignored_closed' | 'ignored_not_newer' | 'unknown_target' | 'quarantined';

export interface CommandApplierDeps {
  adb: AgentDb;
  state: SyncStateStore;
  now: () => number;
  log: Logger;
  /** Local stock: a receipt adds to it in the command's own transaction. */
  stock: LocalStock;
  /** Stamps v1 receipts (which carry no hlc) at apply time. */
  clock: HybridClock;
  /** After a command's transaction committed, before anything is acked (fault injection hooks in here). */
  onApplied?: (seq: number) => void;
}

/**
 * Applies central's command stream strictly in seq order; each command and the applied cursor commit in ONE
 * transaction, so a crash between apply and ack re-delivers a command that is then skipped (idempotent).
 */
export class CommandApplier {
  constructor(private readonly d: CommandApplierDeps) {}

  appliedSeq(): number {
    return this.d.state.get().appliedCommandSeq;
  }

  /** Apply what can be applied in order; returns the new applied seq (what the ack tells central). */
  apply(commands: readonly RawCommand[]): number {
    const sorted = [...commands].sort((a, b) => a.seq - b.seq);
    for (const raw of sorted) {
      const applied = this.appliedSeq();
      if (raw.seq <= applied) continue; // already applied: a redelivery after a lost ack
      if (raw.seq > applied + 1) break; // a gap: stop, the ack tells central where we are
      this.applyOne(raw.seq, raw, () => parseCommandPayload(raw));
    }
    return this.appliedSeq();
  }

  /**
   * For a message whose envelope did not parse as a whole: take each element on its own, quarantining the
   * broken ones that still carry a usable seq, so one bad command neither blocks nor vanishes.
   */
  applyLoose(elements: readonly unknown[]): number {
    const withSeq = elements
      .map((e) => ({ e, seq: (e as { seq?: unknown } | null)?.seq }))
      .filter((x): x is { e: unknown; seq: number } => Number.isSafeInteger(x.seq) && (x.seq as number) > 0)
      .sort((a, b) => a.seq - b.seq);
    for (const { e, seq } of withSeq) {
      const applied = this.appliedSeq();
      if (seq <= applied) continue;
      if (seq > applied + 1) break;
      const parsed = rawCommandSchema.safeParse(e);
      this.applyOne(seq, e, () =>
        parsed.success ? parseCommandPayload(parsed.data) : { ok: false, error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') },
      );
    }
    return this.appliedSeq();
  }

  private applyOne(seq: number, raw: unknown, parse: () => { ok: true; value: Command } | { ok: false; error: string }): void {
    const { adb, state, now, log } = this.d;
    const at = new Date(now()).toISOString();
    adb.sqlite
      .transaction(() => {
        const p = parse();
        let outcome: Outcome;
        let type: string;
        let commandId: string | null = null;
        if (!p.ok) {
          type = String((raw as { type?: unknown } | null)?.type ?? 'unknown');
          adb.db.insert(commandQuarantine).values({ seq, raw: JSON.stringify(raw) ?? 'null', error: p.error, createdAt: at }).run();
          outcome = 'quarantined';
          log.warn('command quarantined', { seq, type, error: p.error });
        } else {
          type = p.value.type;
          commandId = p.value.commandId;
          outcome = this.handle(p.value, at);
        }
        adb.db.insert(appliedCommands).values({ seq, commandId, type, outcome, appliedAt: at }).run();
        state.setAppliedCommandSeq(seq);
      })
      .immediate();
    this.d.onApplied?.(seq);
  }

  private addRestockTask(taskId: string, reservationId: string, lines: { sku: string; qty: number }[], reason: string, at: string): void {
    this.d.adb.db
      .insert(tasks)
      .values({ taskId, kind: 'restock', reservationId, lines: JSON.stringify(lines), reason, status: 'open', createdAt: at })
      .onConflictDoNothing()
      .run();
  }

  /** A fresh stamp from the agent clock, persisted so a restart never issues it again. */
  private stampNow(): string {
    const hlc = this.d.clock.tick();
    this.d.state.setLastHlc(hlc);
    return hlc;
  }

  /**
   * Merge central's stamp into this agent's clock (HLC receive), so a count taken after the receipt arrived is
   * stamped after it, also when this PC's clock runs behind. A stamp far in this clock's future (beyond the HLC
   * drift bound) is not merged: it would drag every later stamp of this till into that future.
   */
  private receiveStamp(hlc: string): void {
    try {
      const merged = this.d.clock.receive(hlc);
      this.d.state.setLastHlc(merged);
    } catch (e) {
      this.d.log.warn('receipt stamp not merged into this clock', { hlc, error: String(e) });
    }
  }

  private handle(cmd: Command, at: string): Outcome {
    const { db } = this.d.adb;
    switch (cmd.type) {
      case 'item.upserted': {
        const p = cmd.payload;
        const cur = db.select({ version: items.version }).from(items).where(eq(items.sku, p.sku)).get();
        // R6: central owns master data; an older or equal version arriving late never overwrites a newer one.
        if (cur && cur.version >= p.version) return 'ignored_old_version';
        db.insert(items)
          .values({ sku: p.sku, name: p.name, price: p.price, currency: p.currency, version: p.version })
          .onConflictDoUpdate({ target: items.sku, set: { name: p.name, price: p.price, currency: p.currency, version: p.version } })
          .run();
        return 'applied';
      }
      case 'reservation.created': {
        const p = cmd.payload;
        const r = db
          .insert(reservations)
          .values({
            reservationId: p.reservationId,
            orderId: p.orderId,
            status: 'delivered',
            lines: JSON.stringify(p.lines.map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: null }))),
            expiresAt: p.expiresAt ?? null,
            createdSeq: cmd.seq,
            createdAt: cmd.createdAt,
            correlationId: cmd.correlationId,
            updatedAt: at,
          })
          .onConflictDoNothing()
          .run();
        return r.changes > 0 ? 'applied' : 'unknown_target';
      }
      case 'reservation.cancelled': {
        const p = cmd.payload;
        const cur = db.select().from(reservations).where(eq(reservations.reservationId, p.reservationId)).get();
        if (!cur) return 'unknown_target';
        if (cur.status !== 'delivered' && cur.status !== 'picked' && cur.status !== 'short_picked') return 'ignored_closed';
        const status = p.reason === 'expired' ? 'expired' : 'cancelled';
        db.update(reservations)
          .set({ status, closeReason: p.reason ?? null, updatedAt: at })
          .where(eq(reservations.reservationId, p.reservationId))
          .run();
        // Goods already picked for it go back on the shelf: the same task id central uses for R5, so one task.
        const back = handedOverLines(JSON.parse(cur.lines) as ReservationLine[]);
        if (cur.status !== 'delivered' && back.length > 0) {
          this.addRestockTask(`restock:${p.reservationId}`, p.reservationId, back, `reservation ${status}${p.reason && p.reason !== 'expired' ? `: ${p.reason}` : ''}`, at);
        }
        return 'applied';
      }
      case 'reservation.updated': {
        // Central's state after the store's pick or handover. This till may not know it: another till of the store
        // did it, or this till's data folder was restored from an older copy (its journal went back and central
        // resent from there). Taken only when it moves the local copy forward, so the pick list never offers a
        // reservation again that was picked or collected; the till's own pick and handover records stand.
        const p = cmd.payload;
        const cur = db.select({ status: reservations.status }).from(reservations).where(eq(reservations.reservationId, p.reservationId)).get();
        if (!cur) return 'unknown_target';
        if (!advancesTo(cur.status as ReservationStatus, p.status)) return cur.status === 'cancelled' || cur.status === 'expired' || cur.status === 'collected' ? 'ignored_closed' : 'ignored_not_newer';
        // No stock moves here: a handover's movement belongs to the pickup event of the till that made it.
        db.update(reservations)
          .set({ status: p.status, lines: JSON.stringify(p.lines), updatedAt: at })
          .where(eq(reservations.reservationId, p.reservationId))
          .run();
        return 'applied';
      }
      case 'restock.requested': {
        const p = cmd.payload;
        this.addRestockTask(p.taskId, p.reservationId, p.lines, p.reason, at);
        return 'applied';
      }
      case 'stock.received': {
        const p = cmd.payload;
        const r = db.insert(receivedStock).values({ receiptId: p.receiptId, lines: JSON.stringify(p.lines), appliedAt: at }).onConflictDoNothing().run();
        // A receipt booked twice under one receiptId is one delivery of goods: stock moves once.
        if (r.changes === 0) return 'applied';
        // v2 carries central's hlc so the receipt sorts against local counts as it does at central (R3); a v1
        // receipt is ordered when it lands here, the best this agent knows.
        const hlc = p.hlc ?? this.stampNow();
        if (p.hlc) this.receiveStamp(p.hlc);
        const sourceId = `receipt:${p.receiptId}`;
        this.d.stock.record(p.lines.map((l) => ({ hlc, sourceId, sku: l.sku, qty: l.qty, bucket: 'sellable' as const })), []);
        return 'applied';
      }
    }
  }
}
