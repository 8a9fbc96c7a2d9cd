import { createTestDatabase } from './pg.js';
import { openDatabase, type Database } from '../../apps/central/src/platform/db/database.js';
import { runMigrations } from '../../apps/central/src/platform/db/migrate.js';

/** A fresh database on the shared test server with central's migrations applied; `close` closes it and drops it. */
export async function openMigratedTestDatabase(max = 10): Promise<{ db: Database; url: string; close: () => Promise<void> }> {
  const t = await createTestDatabase();
  const db = openDatabase({ url: t.url, max });
  try {
    await runMigrations(db.pool);
  } catch (err) {
    await db.close();
    await t.drop();
    throw err;
  }
  return {
    db,
    url: t.url,
    close: async () => {
      await db.close();
      await t.drop();
    },
  };
}
