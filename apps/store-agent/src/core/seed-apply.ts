import { countsOf, movementsOf, parseEvent, refusal, seedSchema, type Seed, type SeedAck } from '@outpost/shared';
import type { AgentDb } from './db/open.js';
import type { Logger } from './log.js';
import type { SyncStateStore } from './state.js';
import type { LocalStock } from './stock.js';

export interface SeedApplierDeps {
  adb: AgentDb;
  state: SyncStateStore;
  stock: LocalStock;
  now: () => number;
  log: Logger;
}

/**
 * Central's `seed` (protocol v3): the store's item master, stock and open picks at command seq `atSeq`, for a till
 * that asked for one in hello because it holds no picture (new, replacement or re-seeded PC). Applied in ONE
 * transaction that also sets the applied command seq to `atSeq`: a crash leaves either no seed (it is asked for
 * again) or the whole of it, and the command stream that follows skips every seq at or below `atSeq`.
 *
 * Stock: central's on-hand for the store, plus this till's own movements central had not stored when it read the
 * picture (seq above `deviceStoredSeq`: a new PC may sell before it first reaches central). A count taken here
 * and not yet at central replaces central's figure for its sku, exactly as it will at central.
 */
export class SeedApplier {
  private readonly q;

  constructor(private readonly d: SeedApplierDeps) {
    const db = d.adb.sqlite;
    this.q = {
      item: db.prepare<[string, string, number, string, number]>(
        `INSERT INTO items (sku, name, price, currency, version) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price = excluded.price, currency = excluded.currency, version = excluded.version
         WHERE excluded.version > items.version`,
      ),
      clearStock: db.prepare('DELETE FROM stock'),
      clearFacts: db.prepare('DELETE FROM stock_facts'),
      stock: db.prepare<[string, number, number, number]>('INSERT INTO stock (sku, on_hand, damaged, quarantine) VALUES (?, ?, ?, ?)'),
      ownAfter: db.prepare<[number], { body: string }>('SELECT body FROM outbox WHERE seq > ? ORDER BY seq'),
      pick: db.prepare<[string, string, string, string, string | null, number, string, string, string]>(
        `INSERT INTO reservations (reservation_id, order_id, status, lines, expires_at, created_seq, created_at, correlation_id, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      ),
      journal: db.prepare<[number, string]>(`INSERT INTO applied_commands (seq, command_id, type, outcome, applied_at) VALUES (?, NULL, 'seed', 'seeded', ?)`),
    };
  }

  /** The `seed` message as it arrived: validated here, at the edge; the answer is the ack central waits for. */
  onMessage(msg: unknown): SeedAck {
    const parsed = seedSchema.safeParse(msg);
    if (!parsed.success) {
      this.d.log.warn('seed did not parse', { error: parsed.error.message.slice(0, 500) });
      return refusal('bad_request', `seed: ${parsed.error.message.slice(0, 500)}`);
    }
    try {
      return this.apply(parsed.data);
    } catch (e) {
      // Disk full, a locked file: nothing was applied (one transaction); central asks again on the next connection.
      this.d.log.error('applying the seed failed', { error: String(e) });
      return refusal('internal', `the till could not apply the seed: ${String(e).slice(0, 300)}`);
    }
  }

  apply(seed: Seed): SeedAck {
    const { adb, state, stock, log } = this.d;
    const at = new Date(this.d.now()).toISOString();
    return adb.sqlite
      .transaction((): SeedAck => {
        const st = state.get();
        if (!st.seedWanted || st.appliedCommandSeq > 0) {
          // Already on the command stream: a picture on top of applied commands would apply them twice.
          return refusal('bad_request', `this till is not waiting for a seed (it applied commands up to ${st.appliedCommandSeq})`, { appliedSeq: st.appliedCommandSeq });
        }
        for (const i of seed.items) this.q.item.run(i.sku, i.name, i.price, i.currency, i.version);
        this.q.clearStock.run();
        this.q.clearFacts.run();
        for (const s of seed.stock) this.q.stock.run(s.sku, s.onHand, s.damaged, s.quarantine);
        let replayed = 0;
        for (const row of this.q.ownAfter.all(seed.deviceStoredSeq)) {
          const ev = parseEvent(JSON.parse(row.body));
          if (!ev.ok) continue; // capture validated it; an unreadable row has no stock effect to keep
          stock.record(movementsOf(ev.value), countsOf(ev.value), { capturedHere: true });
          replayed++;
        }
        for (const p of seed.picks) {
          this.q.pick.run(p.reservationId, p.orderId, p.status, JSON.stringify(p.lines), p.expiresAt, p.createdSeq, p.createdAt, p.correlationId, at);
        }
        if (seed.atSeq > 0) this.q.journal.run(seed.atSeq, at);
        state.setSeeded(seed.atSeq, at);
        log.info('store seed applied', { atSeq: seed.atSeq, items: seed.items.length, stock: seed.stock.length, picks: seed.picks.length, ownEventsReplayed: replayed });
        return { ok: true, appliedSeq: seed.atSeq };
      })
      .immediate();
  }
}
