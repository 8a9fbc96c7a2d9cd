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
  close(): void;
}

export type SyncMode = 'full' | 'normal';

/** Shipped beside the sources (apps/store-agent/drizzle), found from this file so any cwd works. */
const MIGRATIONS = fileURLToPath(new URL('../../../drizzle', import.meta.url));

/**
 * Open (creating if needed) the agent database and bring its schema up to date.
 * synchronous=FULL by default: a sale acknowledged to the till must survive a power cut, not only a crash.
 */
export function openAgentDb(file: string, opts: { sync?: SyncMode; nativeBinding?: string | null } = {}): AgentDb {
  mkdirSync(dirname(file), { recursive: true });
  // nativeBinding: the desktop shell in development runs under Electron, whose ABI differs from Node's.
  const sqlite = new Database(file, opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {});
  try {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma(`synchronous = ${opts.sync === 'normal' ? 'NORMAL' : 'FULL'}`);
    // The CLI `status` and a second process may read while the agent writes; wait rather than fail.
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite, { schema });
    migrate(db, { migrationsFolder: MIGRATIONS });
    return { sqlite, db, close: () => sqlite.close() };
  } catch (e) {
    sqlite.close();
    throw e;
  }
}
