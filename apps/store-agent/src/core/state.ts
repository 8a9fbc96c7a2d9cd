import type { Statement } from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import type { AgentDb } from './db/open.js';
import { syncState } from './db/schema.js';

export type SyncStateRow = typeof syncState.$inferSelect;

const ROW = 1;

/** The single sync_state row: identity, both cursors and the clock. The only module that writes it. */
export class SyncStateStore {
  /** The writes of every capture and every clock stamp, prepared once (capture is the hot path). */
  private hot: { capture: Statement<[number, string]>; lastHlc: Statement<[string]> } | null = null;

  constructor(private readonly adb: AgentDb) {}

  private statements(): NonNullable<SyncStateStore['hot']> {
    this.hot ??= {
      capture: this.adb.sqlite.prepare('UPDATE sync_state SET last_seq = ?, last_hlc = ? WHERE id = 1'),
      lastHlc: this.adb.sqlite.prepare('UPDATE sync_state SET last_hlc = ? WHERE id = 1'),
    };
    return this.hot;
  }

  /** Create the row at first start; an existing row keeps its cursors. */
  ensure(storeId: string, deviceId: string): SyncStateRow {
    this.adb.db.insert(syncState).values({ id: ROW, storeId, deviceId }).onConflictDoNothing().run();
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

  /** The seq and stamp of the event just captured (inside the capture's transaction). */
  setCapture(lastSeq: number, lastHlc: string): void {
    this.statements().capture.run(lastSeq, lastHlc);
  }

  /** A stamp this clock issued or merged, persisted so a restart never issues an earlier one. */
  setLastHlc(hlc: string): void {
    this.statements().lastHlc.run(hlc);
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
