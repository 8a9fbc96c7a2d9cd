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

  /**
   * The row of a re-seeded till's new database: the same device, its numbering after what central acknowledged,
   * its clock after the last stamp it issued, and a seed wanted.
   */
  createReseeded(storeId: string, deviceId: string, from: { seq: number; lastHlc: string | null }): void {
    this.adb.db.insert(syncState).values({ id: ROW, storeId, deviceId, lastSeq: from.seq, ackedSeq: from.seq, lastHlc: from.lastHlc, seedWanted: 1 }).run();
  }

  /** The seed was applied (inside its transaction): the stream resumes after its seq, and none is asked for again. */
  setSeeded(atSeq: number, at: string): void {
    this.adb.db.update(syncState).set({ appliedCommandSeq: atSeq, seedWanted: 0, seededAtSeq: atSeq, seededAt: at }).where(eq(syncState.id, ROW)).run();
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

  /** Connected (null), or offline since `at`: an earlier moment already recorded is kept. */
  setOffline(at: string | null): void {
    const set = at === null ? { offlineSince: null } : { offlineSince: sql`coalesce(${syncState.offlineSince}, ${at})` };
    this.adb.db.update(syncState).set(set).where(eq(syncState.id, ROW)).run();
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
