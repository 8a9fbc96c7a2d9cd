import type { Statement } from 'better-sqlite3';
import { ApiError, handedOverLines, heldBySku, pickOutcome, type agentApi, type ReservationLine, type ReservationStatus } from '@outpost/shared';
import type { Capture, CaptureResult } from './capture.js';
import type { AgentDb } from './db/open.js';

/** A pick or handover refused, with the HTTP status and the words the associate sees. */
export class PickError extends ApiError {}

type LocalStatus = agentApi.PickRow['status'];
interface Row {
  reservationId: string;
  orderId: string;
  status: LocalStatus;
  lines: string;
  expiresAt: string | null;
  createdAt: string | null;
  updatedAt: string;
  correlationId: string | null;
  closeReason: string | null;
}

const COLS = `reservation_id AS reservationId, order_id AS orderId, status, lines, expires_at AS expiresAt, created_at AS createdAt,
  updated_at AS updatedAt, correlation_id AS correlationId, close_reason AS closeReason`;

/** What the associate should do instead, for each state a pick or handover can no longer start from. */
function refusal(r: Row, action: 'confirm' | 'handover'): PickError {
  switch (r.status) {
    case 'cancelled':
    case 'expired':
      return new PickError(409, 'invalid_state', `reservation ${r.reservationId} was ${r.status} by central${r.closeReason ? ` (${r.closeReason})` : ''}; do not hand it over, put any picked items back`, {
        status: r.status,
      });
    case 'collected':
      return new PickError(409, 'invalid_state', `reservation ${r.reservationId} was already handed over`, { status: r.status });
    default:
      return action === 'confirm'
        ? new PickError(409, 'invalid_state', `reservation ${r.reservationId} is already ${r.status}; hand it over when the customer comes`, { status: r.status })
        : new PickError(409, 'invalid_state', `reservation ${r.reservationId} has not been picked yet; confirm the pick first`, { status: r.status });
  }
}

/**
 * Picks in the store (issue 4): the reservations central sent down, confirmed and handed over by associates.
 * Each action is one capture: the event (pick.confirmed / pickup.completed v2) and the local reservation's new
 * state commit in the same SQLite transaction; the reservation id is the document id, so a repeat answers the
 * first event.
 */
export class Picks {
  private readonly q: {
    one: Statement<[string], Row>;
    page: Statement<[string, string, number], Row>;
    pageOpen: Statement<[string, number], Row>;
    open: Statement<[], { status: ReservationStatus; lines: string }>;
    setPicked: Statement<[string, string, string, string]>;
    setCollected: Statement<[string, string]>;
    tasks: Statement<[], { taskId: string; kind: 'restock'; reservationId: string; lines: string; reason: string; status: 'open' | 'done'; createdAt: string; doneAt: string | null }>;
    taskDone: Statement<[string, string]>;
    pendingPicks: Statement<[], { n: number }>;
  };

  constructor(
    adb: AgentDb,
    private readonly capture: Capture,
    private readonly now: () => number,
  ) {
    const db = adb.sqlite;
    this.q = {
      one: db.prepare(`SELECT ${COLS} FROM reservations WHERE reservation_id = ?`),
      page: db.prepare(`SELECT ${COLS} FROM reservations WHERE status = ? AND reservation_id > ? ORDER BY reservation_id LIMIT ?`),
      pageOpen: db.prepare(`SELECT ${COLS} FROM reservations WHERE status IN ('delivered', 'picked', 'short_picked') AND reservation_id > ? ORDER BY reservation_id LIMIT ?`),
      open: db.prepare(`SELECT status, lines FROM reservations WHERE status IN ('delivered', 'picked', 'short_picked')`),
      setPicked: db.prepare('UPDATE reservations SET status = ?, lines = ?, updated_at = ? WHERE reservation_id = ?'),
      setCollected: db.prepare(`UPDATE reservations SET status = 'collected', updated_at = ? WHERE reservation_id = ?`),
      tasks: db.prepare(`SELECT task_id AS taskId, kind, reservation_id AS reservationId, lines, reason, status, created_at AS createdAt, done_at AS doneAt
        FROM tasks ORDER BY status = 'done', created_at`),
      taskDone: db.prepare(`UPDATE tasks SET status = 'done', done_at = ? WHERE task_id = ? AND status = 'open'`),
      pendingPicks: db.prepare(`SELECT count(*) AS n FROM reservations WHERE status = 'delivered'`),
    };
  }

  /** GET /picks: the open ones (to pick, and picked waiting for the customer) unless a status is asked for. */
  list(q: { status?: LocalStatus | undefined; after?: string | undefined; limit: number }): { items: agentApi.PickRow[]; next: string | null } {
    const rows = q.status ? this.q.page.all(q.status, q.after ?? '', q.limit + 1) : this.q.pageOpen.all(q.after ?? '', q.limit + 1);
    const page = rows.slice(0, q.limit).map(view);
    return { items: page, next: rows.length > q.limit ? (page.at(-1)?.reservationId ?? null) : null };
  }

  /** Picks waiting for an associate (the status bar's count). */
  pendingCount(): number {
    return this.q.pendingPicks.get()?.n ?? 0;
  }

  /** Units open reservations hold out of local available stock, by the shared rule (before the pick: asked; after: picked). */
  heldBySku(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.q.open.all()) {
      for (const [sku, n] of heldBySku(r.status, JSON.parse(r.lines) as ReservationLine[])) out.set(sku, (out.get(sku) ?? 0) + n);
    }
    return out;
  }

  confirm(reservationId: string, body: agentApi.ConfirmPickBody): CaptureResult & { status: LocalStatus } {
    const seen = this.capture.findDocument('pick', reservationId);
    if (seen) return { ...seen, duplicate: true, status: this.get(reservationId).status };
    const r = this.get(reservationId);
    if (r.status !== 'delivered') throw refusal(r, 'confirm');
    const lines = JSON.parse(r.lines) as ReservationLine[];
    const outcome = pickOutcome(lines, body.lines);
    if (!outcome.ok) throw new PickError(400, 'validation_error', outcome.error, { lines: body.lines });
    const result = this.capture.reservationEvent(
      'pick',
      'pick.confirmed',
      { reservationId, lines: outcome.lines.map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: l.pickedQty ?? 0 })) },
      r.correlationId,
      () => this.q.setPicked.run(outcome.status, JSON.stringify(outcome.lines), new Date(this.now()).toISOString(), reservationId),
    );
    return { ...result, status: outcome.status };
  }

  handover(reservationId: string): CaptureResult & { status: LocalStatus } {
    const seen = this.capture.findDocument('pickup', reservationId);
    if (seen) return { ...seen, duplicate: true, status: this.get(reservationId).status };
    const r = this.get(reservationId);
    if (r.status !== 'picked' && r.status !== 'short_picked') throw refusal(r, 'handover');
    const out = handedOverLines(JSON.parse(r.lines) as ReservationLine[]);
    if (out.length === 0) throw new PickError(409, 'nothing_picked', `nothing was found for reservation ${reservationId}; there is nothing to hand over`, { status: r.status });
    // The handover names what leaves the store: the local stock moves with it (movementsOf, pickup v2).
    const result = this.capture.reservationEvent('pickup', 'pickup.completed', { reservationId, lines: out }, r.correlationId, () =>
      this.q.setCollected.run(new Date(this.now()).toISOString(), reservationId),
    );
    return { ...result, status: 'collected' };
  }

  listTasks(): agentApi.TaskRow[] {
    return this.q.tasks.all().map((t) => ({ ...t, lines: JSON.parse(t.lines) as { sku: string; qty: number }[] }));
  }

  completeTask(taskId: string): agentApi.TaskRow {
    this.q.taskDone.run(new Date(this.now()).toISOString(), taskId);
    const t = this.listTasks().find((x) => x.taskId === taskId);
    if (!t) throw new PickError(404, 'not_found', `no task ${taskId}`);
    return t;
  }

  private get(reservationId: string): Row {
    const r = this.q.one.get(reservationId);
    if (!r) throw new PickError(404, 'not_found', `no reservation ${reservationId} in this store; it may not have arrived from central yet`);
    return r;
  }
}

function view(r: Row): agentApi.PickRow {
  return {
    reservationId: r.reservationId,
    orderId: r.orderId,
    status: r.status,
    lines: (JSON.parse(r.lines) as { sku: string; qty: number; pickedQty?: number | null }[]).map((l) => ({ sku: l.sku, qty: l.qty, pickedQty: l.pickedQty ?? null })),
    createdAt: r.createdAt ?? r.updatedAt,
    expiresAt: r.expiresAt,
  };
}
