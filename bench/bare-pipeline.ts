/**
 * The bare pipeline baseline of `npm run bench -- sync` (issue 14): the transport Outpost does, with nothing else.
 * Two processes, as in the real thing:
 *   client: SQLite outbox -> socket.io batches of 500 events, 3 in flight -> on ack, mark the acked seq in SQLite;
 *   server: Fastify + socket.io -> one `INSERT ... SELECT unnest` into PostgreSQL's events table -> ack.
 * No validation, no device lock, no effects. Run as `node --import tsx bench/bare-pipeline.ts server|client ...`;
 * each role prints one JSON line on stdout (server: {port}; client: {events, seconds, peakRssMiB}).
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import pg from 'pg';
import { Server } from 'socket.io';
import { io } from 'socket.io-client';

const BATCH = 500;
const IN_FLIGHT = 3;

// The same (month-partitioned) events table as central's: the partition key is computed from the id as central does.
const INSERT = `INSERT INTO events (store_id, event_id, event_month, device_id, seq, type, schema_version, hlc, occurred_at, correlation_id, payload)
  SELECT s, e, outpost_event_month(e), d, q, t, v, h, o, c, p
  FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::int8[], $5::text[], $6::int4[], $7::text[], $8::timestamptz[], $9::text[], $10::jsonb[])
    AS u(s, e, d, q, t, v, h, o, c, p)
  ON CONFLICT DO NOTHING`;

async function server(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: IN_FLIGHT + 1 });
  const app = Fastify();
  const ioServer = new Server(app.server, { maxHttpBufferSize: 16 * 1024 * 1024, serveClient: false });
  ioServer.of('/agent').on('connection', (socket) => {
    socket.on('batch', (msg: { firstSeq: number; count: number; events: Buffer }, ack: (a: unknown) => void) => {
      const evs = JSON.parse(msg.events.toString('utf8')) as Record<string, unknown>[];
      const col = (k: string) => evs.map((e) => e[k]);
      pool
        .query(INSERT, [col('storeId'), col('eventId'), col('deviceId'), col('seq'), col('type'), col('schemaVersion'), col('hlc'), col('occurredAt'), col('correlationId'), evs.map((e) => JSON.stringify(e.payload))])
        .then(
          () => ack({ ok: true, storedSeq: msg.firstSeq + msg.count - 1 }),
          (err: unknown) => ack({ ok: false, error: String(err) }),
        );
    });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  console.log(JSON.stringify({ port: typeof addr === 'object' && addr ? addr.port : 0 }));
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function client(sqlitePath: string, url: string): Promise<void> {
  const t0 = performance.now();
  const db = new Database(sqlitePath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS bare_mark (id INTEGER PRIMARY KEY CHECK (id = 1), acked_seq INTEGER NOT NULL); INSERT OR REPLACE INTO bare_mark VALUES (1, 0)');
  const page = db.prepare<[number, number], { seq: number; body: string }>('SELECT seq, body FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
  const mark = db.prepare<[number]>('UPDATE bare_mark SET acked_seq = max(acked_seq, ?) WHERE id = 1');
  const last = (db.prepare('SELECT max(seq) AS m FROM outbox').get() as { m: number | null }).m ?? 0;
  const socket = io(`${url}/agent`, { transports: ['websocket'], forceNew: true });
  let cursor = 0;
  let inFlight = 0;
  let acked = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = () => {
      while (inFlight < IN_FLIGHT && cursor < last) {
        const rows = page.all(cursor, BATCH);
        if (rows.length === 0) break;
        const firstSeq = rows[0]!.seq;
        cursor = rows.at(-1)!.seq;
        const events = Buffer.from(`[${rows.map((r) => r.body).join(',')}]`, 'utf8');
        inFlight++;
        socket.emitWithAck('batch', { firstSeq, count: rows.length, events }).then((a: { ok: boolean; storedSeq?: number; error?: string }) => {
          inFlight--;
          if (!a.ok) return reject(new Error(`bare server refused: ${a.error}`));
          mark.run(a.storedSeq!);
          acked = Math.max(acked, a.storedSeq!);
          if (acked >= last) resolve();
          else pump();
        }, reject);
      }
    };
    socket.on('connect', pump);
    socket.on('connect_error', reject);
  });
  const seconds = (performance.now() - t0) / 1000;
  socket.close();
  db.close();
  console.log(JSON.stringify({ events: last, seconds, peakRssMiB: peakRssMiB() }));
}

const [role, a, b] = process.argv.slice(2);
if (role === 'server' && a) await server(a);
else if (role === 'client' && a && b) {
  await client(a, b);
  process.exit(0);
} else {
  console.error('usage: bare-pipeline.ts server DATABASE_URL | client SQLITE_PATH URL');
  process.exit(2);
}
