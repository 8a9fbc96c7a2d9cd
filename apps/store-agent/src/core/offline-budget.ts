import type { Statement } from 'better-sqlite3';
import type { Unsent } from '@outpost/shared';
import type { AgentDb } from './db/open.js';

/** The kinds an associate and an operator count by; everything else (adjustments, picks, day closes) is "other". */
const KIND: Readonly<Record<string, 'sales' | 'returns' | 'counts'>> = {
  'sale.completed': 'sales',
  'return.received': 'returns',
  'count.submitted': 'counts',
};

export interface UnsentRow {
  type: string;
  n: number;
  oldest: string | null;
}

/** The offline budget from per-type counts of the events central has not acked yet. */
export function summarizeUnsent(rows: readonly UnsentRow[]): Unsent {
  const out: Unsent = { oldestAt: null, sales: 0, returns: 0, counts: 0, other: 0 };
  for (const r of rows) {
    out[KIND[r.type] ?? 'other'] += r.n;
    if (r.oldest !== null && (out.oldestAt === null || Date.parse(r.oldest) < Date.parse(out.oldestAt))) out.oldestAt = r.oldest;
  }
  return out;
}

/**
 * What this store holds that central does not have yet, in business terms. One indexed range read over the
 * unacked rows only (seq above the acked mark), so its cost follows the backlog, not the history.
 */
export class OfflineBudget {
  private readonly byType: Statement<[number], UnsentRow>;

  constructor(adb: AgentDb, private readonly ackedSeq: () => number) {
    this.byType = adb.sqlite.prepare('SELECT type, count(*) AS n, min(created_at) AS oldest FROM outbox WHERE seq > ? GROUP BY type');
  }

  unsent(): Unsent {
    return summarizeUnsent(this.byType.all(this.ackedSeq()));
  }
}
