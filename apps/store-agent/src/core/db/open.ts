import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Drizzle = BetterSQLite3Database<typeof schema>;

export interface AgentDb {
  /** Raw handle: transactions and the few hot-path statements that stream rows. */
  readonly sqlite: Database.Database;
  readonly db: Drizzle;
  /** How the file's auto-vacuum mode stood at open (incremental: deleted rows give their pages back to the disk). */
  readonly vacuum: VacuumMode;
  close(): void;
}

export type SyncMode = 'full' | 'normal';

/** incremental: already so, or switched now; pending: an older file that could not be switched yet (next open). */
export type VacuumMode = 'incremental' | 'pending';

const WAL_SIZE_LIMIT = 16 * 1024 * 1024;

/**
 * Put the file in auto_vacuum=INCREMENTAL, so the pages retention frees are handed back to the file system
 * (PRAGMA incremental_vacuum) instead of staying in the file for ever. A new file takes the setting before its
 * first table; a file created by an older agent needs one full VACUUM to switch. VACUUM rewrites the database
 * through a temporary copy and its journal, atomically (a crash leaves the old file intact), but it needs about
 * the file's size again in free disk: with less than twice that free it is left for a later start, never risked.
 */
export function ensureIncrementalVacuum(sqlite: Database.Database, freeBytes: number | null): VacuumMode {
  const INCREMENTAL = 2;
  if (sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return 'incremental';
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  const pages = sqlite.pragma('page_count', { simple: true }) as number;
  if (pages === 0) return 'incremental'; // a new file: the setting holds from its first page on
  const bytes = pages * (sqlite.pragma('page_size', { simple: true }) as number);
  if (freeBytes !== null && freeBytes < 2 * bytes) return 'pending';
  try {
    sqlite.exec('VACUUM');
  } catch {
    return 'pending'; // e.g. the disk filled up meanwhile: the old file is untouched, the agent starts as it was
  }
  return sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL ? 'incremental' : 'pending';
}

/** Shipped beside the sources (apps/store-agent/drizzle), found from this file so any cwd works. */
const MIGRATIONS = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/**
 * Open (creating if needed) the agent database and bring its schema up to date.
 * synchronous=FULL by default: a sale acknowledged to the till must survive a power cut, not only a crash.
 */
export function openAgentDb(
  file: string,
  /** freeBytes: free space on the data disk now (null: unknown), so the one-time VACUUM is skipped when it cannot fit. */
  opts: { sync?: SyncMode; nativeBinding?: string | null; freeBytes?: number | null } = {},
): AgentDb {
  mkdirSync(dirname(file), { recursive: true });
  // nativeBinding: the desktop shell in development runs under Electron, whose ABI differs from Node's.
  const sqlite = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    // The CLI `status` and a second process may read while the agent writes; wait rather than fail.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // Checkpoints leave the WAL file at most this big (it is otherwise reused at its largest size for ever).
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    const vacuum = ensureIncrementalVacuum(sqlite, opts.freeBytes ?? null);
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS });
    return { sqlite, db, vacuum, close: () => sqlite.close() };
  } catch (e) {
    sqlite.close();
    throw e;
  }
}
