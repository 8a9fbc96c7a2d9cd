import { eq, sql } from 'drizzle-orm';
import type { AgentDb } from './db/open.js';
import { syncState } from './db/schema.js';

export type SyncStateRow = typeof syncState.$inferSelect;

const ROW = 1;

/** The single sync_state row: identity and both cursors. */
export class SyncStateStore {
  constructor(private readonly adb: AgentDb) {}

  /**
   * Create the row at first start; an existing row keeps its cursors. A new row wants a seed: this till holds no
   * store picture yet, and its first hello asks central for one.
   */
  ensure(storeId: string, deviceId: string): SyncStateRow {
    this.adb.db.insert(syncState).values({ id: ROW, storeId, deviceId, seedWanted: 1 }).onConflictDoNothing().run();
    const row = this.get();
    if (row.storeId !== storeId || row.deviceId !== deviceId) {
      // A data folder belongs to one enrolment: mixing two devices' seq streams would corrupt both.
      throw new Error(
        `this data folder holds device ${row.deviceId} of store ${row.storeId}, but agent.json says ${deviceId} of ${storeId}; use a fresh data folder for a new enrolment`,
      );
    }
    return row;
  }

  get(): SyncStateRow {
    const row = this.adb.db.select().from(syncState).where(eq(syncState.id, ROW)).get();
    if (!row) throw new Error('sync_state is not initialised');
    return row;
  }

  setLastError(message: string | null): void {
    this.adb.db.update(syncState).set({ lastError: message }).where(eq(syncState.id, ROW)).run();
  }

  setClockSkew(skewMs: number | null, at: string | null): void {
    this.adb.db.update(syncState).set({ clockSkewMs: skewMs, clockSkewAt: at }).where(eq(syncState.id, ROW)).run();
  }

  setAppliedCommandSeq(seq: number): void {
    this.adb.db.update(syncState).set({ appliedCommandSeq: seq }).where(eq(syncState.id, ROW)).run();
  }

  setCapture(lastSeq: number, lastHlc: string): void {
    this.adb.db.update(syncState).set({ lastSeq, lastHlc }).where(eq(syncState.id, ROW)).run();
  }

  /** Only ever moves forward: a late ack of an older batch must not un-forward newer rows. */
  advanceAcked(seq: number, at: string): void {
    this.adb.db
      .update(syncState)
      .set({ ackedSeq: sql`max(${syncState.ackedSeq}, ${seq})`, lastSyncAt: at })
      .where(eq(syncState.id, ROW))
      .run();
  }

  setCursors(ackedSeq: number, lastSeq: number, at: string): void {
    this.adb.db.update(syncState).set({ ackedSeq, lastSeq, lastSyncAt: at }).where(eq(syncState.id, ROW)).run();
  }
}
