import Database from 'better-sqlite3';
import { join } from 'node:path';

/**
 * Write an event into a stopped agent's outbox the way a buggy older build could have: next seq, envelope
 * cloned from the last captured sale and then altered. Returns what was written.
 */
export function appendRawOutboxEvent(
  dataDir: string,
  alter: (envelope: Record<string, unknown>) => void,
  /** Rewrite the stored JSON text itself (what an object cannot carry, e.g. 5,000 levels of nesting). */
  rewrite: (body: string) => string = (body) => body,
): { eventId: string; seq: number } {
  const db = new Database(join(dataDir, 'agent.db'));
  try {
    return db.transaction(() => {
      // The template is the latest sale (the caller alters a sale's fields); the seq is the next one of the device.
      const template = db.prepare("SELECT body FROM outbox WHERE type = 'sale.completed' ORDER BY seq DESC LIMIT 1").get() as { body: string };
      const last = db.prepare('SELECT max(seq) AS seq FROM outbox').get() as { seq: number };
      const env = JSON.parse(template.body) as Record<string, unknown>;
      const seq = last.seq + 1;
      const eventId = `${String(env.eventId).slice(0, 24)}${'0'.repeat(11)}${seq % 10}`;
      Object.assign(env, { seq, eventId });
      alter(env);
      db.prepare('INSERT INTO outbox (seq, event_id, type, body, created_at) VALUES (?, ?, ?, ?, ?)').run(seq, eventId, env.type, rewrite(JSON.stringify(env)), new Date().toISOString());
      db.prepare('UPDATE sync_state SET last_seq = ?').run(seq);
      return { eventId, seq };
    })();
  } finally {
    db.close();
  }
}
