import Database from 'better-sqlite3';
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { agentJsonPath, dbPath, type Enrolment } from './config.js';
import { openAgentDb } from './db/open.js';
import { SyncStateStore } from './state.js';

/** What a till holds that central has not acknowledged: re-seeding would leave it behind. */
export interface Unacknowledged {
  count: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** When the oldest of them was captured. */
  oldestAt: string | null;
}

interface OldState {
  storeId: string;
  deviceId: string;
  ackedSeq: number;
  lastHlc: string | null;
  pending: Unacknowledged;
}

/** Re-seeding refused: the till holds events central has not acknowledged (or its database cannot be read). */
export class ReseedRefused extends Error {
  constructor(
    message: string,
    readonly pending: Unacknowledged | null,
  ) {
    super(message);
  }
}

/** The agent (CLI service, desktop app) holds its database open while it runs: re-seeding then is refused. */
export class AgentRunning extends Error {}

/**
 * Read straight from the SQLite file under an exclusive lock taken without waiting: a running agent keeps the
 * file open (WAL), so the lock is refused while it runs, whichever way it was started. Null when the folder holds
 * no database.
 */
function readOld(dataDir: string): OldState | null {
  const file = dbPath(dataDir);
  if (!existsSync(file)) return null;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    try {
      db.exec('BEGIN EXCLUSIVE');
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_BUSY') throw new AgentRunning(`the agent is running on ${dataDir} (its database is open); stop it first`);
      throw e;
    }
    try {
      const s = db.prepare('SELECT store_id AS storeId, device_id AS deviceId, last_seq AS lastSeq, acked_seq AS ackedSeq, last_hlc AS lastHlc FROM sync_state WHERE id = 1').get() as
        | { storeId: string; deviceId: string; lastSeq: number; ackedSeq: number; lastHlc: string | null }
        | undefined;
      if (!s) return null;
      const p = db.prepare('SELECT count(*) AS count, min(seq) AS firstSeq, max(seq) AS lastSeq, min(created_at) AS oldestAt FROM outbox WHERE seq > ?').get(s.ackedSeq) as Unacknowledged;
      return { storeId: s.storeId, deviceId: s.deviceId, ackedSeq: s.ackedSeq, lastHlc: s.lastHlc, pending: p };
    } finally {
      db.exec('ROLLBACK');
    }
  } finally {
    db.close();
  }
}

export function describePending(p: Unacknowledged): string {
  return `${p.count} event${p.count === 1 ? '' : 's'} central has not acknowledged (seq ${p.firstSeq}..${p.lastSeq}, the oldest captured ${p.oldestAt})`;
}

/**
 * The check before a till's database is replaced (`outpost-agent reseed`, `enroll --reseed`): refused while it
 * holds events central has not acknowledged, unless forced, saying how many and since when; refused too when the
 * database cannot be read, unless forced. Returns what was read (null: no database, nothing to check).
 */
export function checkReseed(dataDir: string, force: boolean): OldState | null {
  let old: OldState | null;
  try {
    old = readOld(dataDir);
  } catch (e) {
    if (e instanceof AgentRunning) throw new ReseedRefused(e.message, null);
    if (force) return null;
    throw new ReseedRefused(`the till's database ${dbPath(dataDir)} cannot be read (${(e as Error).message}); pass --force to replace it anyway (it is kept beside)`, null);
  }
  if (old && old.pending.count > 0 && !force) {
    throw new ReseedRefused(
      `refused: this till holds ${describePending(old.pending)}; re-seeding would lose them. Start the agent and let it reach central until \`outpost-agent status\` shows pendingUp 0, or pass --force (the old database is kept beside as ${dbPath(dataDir)}.replaced-<time>)`,
      old.pending,
    );
  }
  return old;
}

/** Move the database (and its WAL files) and agent.json aside, never deleting them: what was not sent stays readable. */
export function moveAside(dataDir: string, now: Date): string | null {
  const file = dbPath(dataDir);
  if (!existsSync(file)) return null;
  const kept = `${file}.replaced-${now.toISOString().replace(/[:.]/g, '-')}`;
  for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) renameSync(file + suffix, kept + suffix);
  renameSync(file, kept);
  if (existsSync(agentJsonPath(dataDir))) copyFileSync(agentJsonPath(dataDir), `${kept}.agent.json`);
  return kept;
}

/**
 * `outpost-agent reseed`: the same device, a fresh database that asks central for the store's picture at its next
 * connection. Its seq numbering goes on after what central acknowledged (central's hello raises it further if it
 * holds more), and its clock after the last stamp, so nothing it captures next collides with what central has.
 */
export function reseedInPlace(dataDir: string, enrolment: Enrolment, opts: { force: boolean; now?: Date }): { keptAs: string | null; pending: Unacknowledged | null } {
  const old = checkReseed(dataDir, opts.force);
  if (old && (old.storeId !== enrolment.storeId || old.deviceId !== enrolment.deviceId)) {
    throw new ReseedRefused(`this data folder's database is device ${old.deviceId} of store ${old.storeId}, but agent.json says ${enrolment.deviceId} of ${enrolment.storeId}; enrol it again with --reseed`, null);
  }
  const keptAs = moveAside(dataDir, opts.now ?? new Date());
  const adb = openAgentDb(dbPath(dataDir));
  try {
    new SyncStateStore(adb).createReseeded(enrolment.storeId, enrolment.deviceId, { seq: old?.ackedSeq ?? 0, lastHlc: old?.lastHlc ?? null });
  } finally {
    adb.close();
  }
  return { keptAs, pending: old?.pending.count ? old.pending : null };
}
