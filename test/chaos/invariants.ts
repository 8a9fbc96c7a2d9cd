import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { countsOf, movementsOf, replaySku, type EventEnvelope, type Movement } from '@outpost/shared';
import { agentStatus } from '../support/procs.js';
import type { Cluster } from './cluster.js';
import type { Ledger } from './traffic.js';

/** The verdict of a round: the figures of the summary line and every failure in words. */
export interface Verdict {
  events: number;
  lost: number;
  duplicated: number;
  stuck: number;
  quarantined: number;
  /** Picks and handovers done again by restored tills: stored, logged as repeats, not applied. */
  repeated: number;
  /** Invariant failures (each counted above or, like an inventory mismatch or a crash, failing by itself). */
  failures: string[];
}

const ERP_TYPES = new Set(['sale.completed', 'return.received', 'count.submitted']);

interface EventRow {
  event_id: string;
  store_id: string;
  device_id: string;
  seq: string;
  type: string;
  hlc: string;
  payload: Record<string, unknown>;
}

/**
 * The document a stored event is, across retries: one per (device, type, business id). A reservation is picked
 * and handed over once in its store, whichever till does it.
 */
function businessKey(e: EventRow): string | null {
  const p = e.payload;
  if (typeof p.reservationId === 'string') return `${e.store_id}|${e.type}|${p.reservationId}`;
  const id = p.transactionId ?? p.returnId ?? p.countId ?? p.adjustmentId ?? p.businessDate;
  return typeof id === 'string' ? `${e.device_id}|${e.type}|${id}` : null;
}

/** How far the round is from settled: what is still pending somewhere (0 = settled). */
export async function pendingWork(cluster: Cluster): Promise<{ total: number; detail: string[] }> {
  const detail: string[] = [];
  for (const t of cluster.tills) {
    const s = t.agent ? await agentStatus(t.agent).catch(() => null) : null;
    if (!s) detail.push(`${t.tag}: agent not answering`);
    else if (!s.online || s.pendingUp > 0) detail.push(`${t.tag}: ${s.online ? 'online' : 'offline'}, ${s.pendingUp} events pending${s.lastError ? ` (${s.lastError})` : ''}`);
  }
  const url = cluster.postgres()?.url;
  if (!url) return { total: detail.length + 1, detail: [...detail, 'central database not running'] };
  const c = new pg.Client({ connectionString: url });
  try {
    await c.connect();
    const postings = await c.query<{ status: string; n: string; err: string | null }>(
      "SELECT status, count(*) AS n, max(last_error) AS err FROM erp_postings WHERE status <> 'posted' GROUP BY status",
    );
    for (const r of postings.rows) detail.push(`ERP postings ${r.status}: ${r.n}${r.err ? ` (${r.err.slice(0, 120)})` : ''}`);
    const behind = await c.query<{ device_id: string; applied: string; head: string }>(
      `SELECT d.device_id, d.applied_command_seq AS applied, c.head FROM devices d
         JOIN (SELECT store_id, max(seq) AS head FROM commands GROUP BY store_id) c ON c.store_id = d.store_id
        WHERE d.revoked_at IS NULL AND d.applied_command_seq < c.head`,
    );
    for (const r of behind.rows) {
      const t = cluster.tills.find((x) => x.deviceId === r.device_id);
      detail.push(`${t?.tag ?? r.device_id}: commands applied up to ${r.applied} of ${r.head}`);
    }
  } catch (e) {
    detail.push(`central database: ${String(e)}`);
  } finally {
    await c.end().catch(() => {});
  }
  return { total: detail.length, detail };
}

/** Check every invariant of the round against central's database, the agents' databases and the ERP's books. */
export async function checkInvariants(cluster: Cluster, ledger: Ledger): Promise<Verdict> {
  const failures: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let stuck = 0;
  const url = cluster.postgres()?.url;
  if (!url) throw new Error('central database is not running: nothing to check against');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const events = (await c.query<EventRow>('SELECT event_id, store_id, device_id, seq, type, hlc, payload FROM events')).rows;
    const quarantine = (
      await c.query<{ device_id: string; seq: string; event_id: string | null; raw: string; error: string }>('SELECT device_id, seq, event_id, raw, error FROM quarantine')
    ).rows;
    const devices = (await c.query<{ device_id: string; store_id: string; stored_seq: string }>('SELECT device_id, store_id, stored_seq FROM devices')).rows;
    // A pick or handover a till did again (restored from an older copy, it had lost its record of the first) is
    // stored as the till's fact and logged as a repeat, never applied: it takes no effect, so it is no duplicate
    // and moves no stock. Applied twice (not logged) it counts as duplicated below, and its movement would show in
    // the inventory check.
    const repeats = new Set(
      (await c.query<{ event_id: string }>("SELECT inputs->>'eventId' AS event_id FROM conflicts WHERE kind = 'pick_repeated'")).rows.map((r) => r.event_id.toLowerCase()),
    );

    // 1. Every answered capture is at central exactly once, or quarantined with a reason. One still waiting in an
    // agent's outbox is not lost but stuck (counted with the outbox below).
    const waiting = new Set<string>();
    for (const t of cluster.tills) {
      const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true, fileMustExist: true });
      try {
        const rows = db.prepare('SELECT event_id FROM outbox WHERE seq > (SELECT acked_seq FROM sync_state LIMIT 1)').all() as { event_id: string }[];
        for (const r of rows) waiting.add(r.event_id);
      } finally {
        db.close();
      }
    }
    const stored = new Set(events.map((e) => e.event_id));
    const quarantinedIds = new Set(quarantine.map((q) => q.event_id).filter((x): x is string => x !== null));
    const rawQuarantine = quarantine.map((q) => q.raw).join('\n');
    for (const a of ledger.answered.values()) {
      if (stored.has(a.eventId) || quarantinedIds.has(a.eventId)) continue;
      if (rawQuarantine.includes(a.eventId) || waiting.has(a.eventId)) continue;
      lost++;
      if (lost <= 20) failures.push(`lost: ${a.till} ${a.key} (event ${a.eventId}${a.poison ? ', poison' : ''}) answered by the agent, neither stored nor quarantined`);
    }
    for (const q of quarantine) {
      if (!q.error.trim()) failures.push(`quarantined without a reason: device ${q.device_id} seq ${q.seq}`);
    }

    // 2. Seq gap-free per device: every seq up to the stored mark is an event or a quarantined element.
    const seqs = new Map<string, Set<number>>();
    for (const r of [...events, ...quarantine]) {
      const s = seqs.get(r.device_id) ?? new Set<number>();
      s.add(Number(r.seq));
      seqs.set(r.device_id, s);
    }
    for (const d of devices) {
      const have = seqs.get(d.device_id) ?? new Set<number>();
      const top = Math.max(Number(d.stored_seq), ...have);
      const missing: number[] = [];
      for (let s = 1; s <= top; s++) if (!have.has(s)) missing.push(s);
      if (missing.length) {
        lost += missing.length;
        failures.push(`seq gap: device ${d.device_id} (${d.store_id}) seqs ${missing.slice(0, 10).join(',')}${missing.length > 10 ? '…' : ''} neither stored nor quarantined`);
      }
    }

    // 3. Nothing twice: one event per document and device, and a repeated capture names its first event.
    duplicated += ledger.keyMismatches.length;
    for (const m of ledger.keyMismatches.slice(0, 10)) failures.push(`repeat answered another event: ${m}`);
    const byKey = new Map<string, string[]>();
    for (const e of events) {
      if (repeats.has(e.event_id.toLowerCase())) continue;
      const k = businessKey(e);
      if (k) byKey.set(k, [...(byKey.get(k) ?? []), e.event_id]);
    }
    for (const [k, ids] of byKey) {
      if (ids.length < 2) continue;
      duplicated += ids.length - 1;
      failures.push(`duplicated: ${k} stored ${ids.length} times`);
    }

    // 4. Outboxes drained and commands applied once, in order, up to the head of the store's stream.
    const heads = new Map((await c.query<{ store_id: string; head: string }>('SELECT store_id, max(seq) AS head FROM commands GROUP BY store_id')).rows.map((r) => [r.store_id, Number(r.head)]));
    for (const t of cluster.tills) {
      const s = t.agent ? await agentStatus(t.agent).catch(() => null) : null;
      if (!s) {
        stuck++;
        failures.push(`stuck: agent ${t.tag} does not answer`);
        continue;
      }
      if (s.pendingUp > 0) {
        stuck += s.pendingUp;
        failures.push(`stuck: agent ${t.tag} still has ${s.pendingUp} events in its outbox (${s.lastError ?? 'no error shown'})`);
      }
      const db = new Database(join(t.dataDir, 'agent.db'), { readonly: true, fileMustExist: true });
      try {
        const applied = (db.prepare('SELECT seq FROM applied_commands ORDER BY applied_order').all() as { seq: number }[]).map((r) => r.seq);
        for (let i = 1; i < applied.length; i++) {
          if (applied[i] !== applied[i - 1]! + 1) {
            duplicated++;
            failures.push(`commands out of order or twice at ${t.tag}: seq ${applied[i]} applied after ${applied[i - 1]}`);
            break;
          }
        }
        const head = heads.get(t.storeId) ?? 0;
        const last = applied.at(-1) ?? 0;
        if (last < head) {
          stuck += head - last;
          failures.push(`stuck: ${t.tag} applied commands up to ${last} of ${head}`);
        }
      } finally {
        db.close();
      }
    }

    // 5. Central's inventory equals a replay of what it stores (the shared reference model).
    const receipts = (await c.query<{ store_id: string; receipt_id: string; hlc: string; lines: { sku: string; qty: number }[] }>('SELECT store_id, receipt_id, hlc, lines FROM receipts')).rows;
    for (const key of ledger.receipts) {
      if (!receipts.some((r) => `${r.store_id}|${r.receipt_id}` === key)) {
        lost++;
        failures.push(`lost: receipt ${key} answered by central, not stored`);
      }
    }
    const reservations = new Set((await c.query<{ reservation_id: string }>('SELECT reservation_id FROM reservations')).rows.map((r) => r.reservation_id));
    for (const id of ledger.reservations) {
      if (!reservations.has(id)) {
        lost++;
        failures.push(`lost: reservation ${id} answered by central, not stored`);
      }
    }
    // int8 columns: pg answers strings.
    const inventory = (await c.query<{ store_id: string; sku: string; on_hand: string; damaged: string; quarantine: string }>('SELECT store_id, sku, on_hand, damaged, quarantine FROM inventory')).rows;
    const movements = new Map<string, Movement[]>();
    const counts = new Map<string, ReturnType<typeof countsOf>>();
    for (const e of events) {
      if (repeats.has(e.event_id.toLowerCase())) continue;
      const env = { eventId: e.event_id, hlc: e.hlc, type: e.type, payload: e.payload } as unknown as EventEnvelope;
      movements.set(e.store_id, [...(movements.get(e.store_id) ?? []), ...movementsOf(env)]);
      counts.set(e.store_id, [...(counts.get(e.store_id) ?? []), ...countsOf(env)]);
    }
    for (const r of receipts) {
      const ms = r.lines.map((l) => ({ hlc: r.hlc, sourceId: `receipt:${r.receipt_id}`, sku: l.sku, qty: l.qty, bucket: 'sellable' as const }));
      movements.set(r.store_id, [...(movements.get(r.store_id) ?? []), ...ms]);
    }
    const skus = new Set([...inventory.map((r) => `${r.store_id}|${r.sku}`), ...[...movements].flatMap(([s, ms]) => ms.map((m) => `${s}|${m.sku}`))]);
    for (const key of skus) {
      const [storeId, sku] = key.split('|') as [string, string];
      const want = replaySku(sku, movements.get(storeId) ?? [], counts.get(storeId) ?? []);
      const row = inventory.find((r) => r.store_id === storeId && r.sku === sku);
      const have = { onHand: Number(row?.on_hand ?? 0), damaged: Number(row?.damaged ?? 0), quarantine: Number(row?.quarantine ?? 0) };
      if (have.onHand !== want.onHand || have.damaged !== want.damaged || have.quarantine !== want.quarantine) {
        failures.push(`inventory: ${storeId} ${sku} central has ${JSON.stringify(have)}, replay of stored events gives ${JSON.stringify({ onHand: want.onHand, damaged: want.damaged, quarantine: want.quarantine })}`);
      }
    }

    // 6. One ERP posting per document, each posted, each booked by the ERP once; none lost.
    // A per-document posting names its source event; a day summary lists what it covers in erp_posting_events
    // (erp/outbox.ts postingCoverage). Two postings covering one event would book it twice.
    const coverage = await c.query<{ event_id: string; posting_id: string }>(
      `SELECT source_event_id AS event_id, posting_id FROM erp_postings WHERE source_event_id IS NOT NULL
       UNION SELECT event_id, posting_id FROM erp_posting_events`,
    );
    const covered = new Map<string, string>();
    for (const r of coverage.rows) {
      const other = covered.get(r.event_id);
      if (other !== undefined && other !== r.posting_id) {
        duplicated++;
        failures.push(`ERP: event ${r.event_id} is covered by two postings, ${other} and ${r.posting_id}`);
      }
      covered.set(r.event_id, r.posting_id);
    }
    const postings = (await c.query<{ posting_id: string; status: string; kind: string; last_error: string | null }>('SELECT posting_id, status, kind, last_error FROM erp_postings')).rows;
    for (const e of events) {
      if (!ERP_TYPES.has(e.type) || covered.has(e.event_id)) continue;
      lost++;
      failures.push(`ERP: ${e.type} ${e.event_id} of ${e.store_id} has no posting`);
    }
    for (const p of postings) {
      if (p.status !== 'posted') {
        stuck++;
        failures.push(`stuck: ERP posting ${p.posting_id} (${p.kind}) is ${p.status}${p.last_error ? `: ${p.last_error.slice(0, 160)}` : ''}`);
      } else if (!cluster.erp.booked.has(p.posting_id)) {
        lost++;
        failures.push(`lost: ERP posting ${p.posting_id} (${p.kind}) marked posted, never booked by the ERP`);
      }
    }
    const postingIds = new Set(postings.map((p) => p.posting_id));
    for (const key of cluster.erp.booked.keys()) {
      if (!postingIds.has(key)) {
        duplicated++;
        failures.push(`ERP booked ${key}, which is no posting of central's`);
      }
    }
    const badSignatures = cluster.erp.received.filter((r) => !r.signatureOk).length;
    if (badSignatures) failures.push(`ERP: ${badSignatures} deliveries with a bad signature`);

    for (const x of cluster.unexpectedExits) failures.push(`process exit: ${x}`);
    for (const e of ledger.serverErrors.slice(0, 10)) failures.push(`5xx: ${e}`);
    return { events: events.length, lost, duplicated, stuck, quarantined: quarantine.length, repeated: repeats.size, failures };
  } finally {
    await c.end();
  }
}
