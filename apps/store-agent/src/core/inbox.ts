/**
 * The POS inbox: export files dropped in `<data-dir>/inbox/` are imported once, then moved to `processed/`, or to
 * `rejected/` beside `<name>.error.json` saying which line failed and why.
 *
 * When is a file complete? A POS may write it in several bursts, and nothing on disk says "done". So:
 * - names that say "not finished" are never read: dot files, `*.tmp`, `*.part`, `*.partial`, `*~`; the safe way
 *   for a POS is to write `x.csv.tmp` and rename it to `x.csv` (a rename is atomic in one folder);
 * - any other file is read only once its size and mtime are the same at two polls in a row (one poll interval
 *   without a write, `OUTPOST_INBOX_POLL_MS`, 1 s by default) and it is not empty; it is stat'ed again after
 *   reading, and a change in between sends it back to waiting.
 * Only `*.json` and `*.csv` are considered; other files are left where they are.
 *
 * How a file is read (encoding, delimiter, money, dates, header names) comes from the import profile that claims
 * it (pos-profile.ts): by name pattern, or because it sits in `inbox/<folder>/` of a profile. Profiles are read at
 * every poll, so a fixed profile takes effect without a restart; while one is invalid, no file is touched (read
 * with the wrong settings it would be imported wrong or rejected for nothing) and the problem is logged.
 *
 * A file is all or nothing: every document is validated first, and one bad line rejects the whole file with
 * nothing imported; a good file is captured in ONE SQLite transaction. Capture is idempotent by document id
 * (transactionId, returnId), so the POS can re-export a fixed file with the same ids, and a crash between the
 * import and the move only means the file is read again at the next start: its documents come back as
 * duplicates and create no event.
 */
import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { agentApi } from '@outpost/shared';
import { InvalidEventError, type CaptureResult } from './capture.js';
import type { Logger } from './log.js';
import { decodePosBytes } from './pos-decode.js';
import { MAX_POS_FILE_BYTES, parsePosFile, posFormatOf, type PosFileError } from './pos-file.js';
import { loadProfiles, profileFor, type PosProfile } from './pos-profile.js';

export interface InboxDeps {
  dataDir: string;
  capture: { sale(b: agentApi.SaleBody): CaptureResult; return(b: agentApi.ReturnBody): CaptureResult };
  /** Runs `fn` in one database transaction (all of a file's captures commit together or not at all). */
  transaction: <T>(fn: () => T) => T;
  pollMs: number;
  log: Logger;
  now?: () => number;
}

export type InboxOutcome =
  | { file: string; result: 'processed'; imported: number; duplicates: number; movedTo: string }
  | { file: string; result: 'rejected'; errors: PosFileError[]; movedTo: string };

/** Names that announce a file still being written (or not meant for us). */
export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || /\.(tmp|part|partial|crdownload)$/i.test(name) || name.endsWith('~') || posFormatOf(name) === null;
}

export function inboxDirs(dataDir: string): { inbox: string; processed: string; rejected: string } {
  return { inbox: join(dataDir, 'inbox'), processed: join(dataDir, 'processed'), rejected: join(dataDir, 'rejected') };
}

export class PosInbox {
  /** size:mtime of each candidate at the previous poll. */
  private readonly seen = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;
  /** Set by stop(): a poll in progress finishes its current file and looks at no other. */
  private halting = false;
  private readonly dirs: ReturnType<typeof inboxDirs>;
  /** The profile problems logged last, so an invalid profile is logged when it changes, not at every poll. */
  private profileProblems = '';

  constructor(private readonly d: InboxDeps) {
    this.dirs = inboxDirs(d.dataDir);
  }

  async start(): Promise<void> {
    await this.ensureDirs();
    this.stopped = false;
    this.halting = false;
    this.schedule(0);
  }

  /** Stops polling and waits for a file being imported to finish (so the database can be closed after). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.poll()
        .catch((e: unknown) => this.d.log.error('inbox poll failed', { error: String(e) }))
        .finally(() => {
          this.running = null;
          this.schedule(this.d.pollMs);
        });
    }, ms);
  }

  async ensureDirs(): Promise<void> {
    for (const dir of Object.values(this.dirs)) await mkdir(dir, { recursive: true });
  }

  /** One look at the inbox: imports or rejects every file that is complete, returns what it did. */
  async poll(): Promise<InboxOutcome[]> {
    const loaded = loadProfiles(this.d.dataDir);
    if (!loaded.ok) {
      const text = loaded.problems.join('\n');
      if (text !== this.profileProblems) this.d.log.error('pos import profiles invalid: no file is imported until they are fixed', { problems: loaded.problems });
      this.profileProblems = text;
      return [];
    }
    this.profileProblems = '';
    let files: { rel: string; name: string; folder: string | null }[];
    try {
      files = (await this.list(null)).map((name) => ({ rel: name, name, folder: null }));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        await this.ensureDirs();
        return [];
      }
      throw e;
    }
    for (const folder of new Set(loaded.profiles.flatMap((p) => (p.match.folder ? [p.match.folder] : [])))) {
      const names = await this.list(folder).catch((e: unknown) => {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      });
      files.push(...names.map((name) => ({ rel: join(folder, name), name, folder })));
    }
    const rels = new Set(files.map((f) => f.rel));
    for (const known of [...this.seen.keys()]) if (!rels.has(known)) this.seen.delete(known);
    const out: InboxOutcome[] = [];
    for (const f of files) {
      if (this.halting) break;
      try {
        const o = await this.consider(f.rel, f.name, profileFor(loaded.profiles, f.name, f.folder));
        if (o) out.push(o);
      } catch (e) {
        // EACCES, a file removed meanwhile...: left in the inbox and tried again at the next poll.
        this.d.log.warn('inbox file not handled, will retry', { file: f.rel, error: String(e) });
        this.seen.delete(f.rel);
      }
    }
    return out;
  }

  private async list(folder: string | null): Promise<string[]> {
    const dir = folder === null ? this.dirs.inbox : join(this.dirs.inbox, folder);
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !isIgnoredName(e.name)).map((e) => e.name).sort();
  }

  /** `rel`: the file's path inside the inbox (`x.csv`, or `<folder>/x.csv` for a profile's folder). */
  private async consider(rel: string, name: string, profile: PosProfile): Promise<InboxOutcome | null> {
    const path = join(this.dirs.inbox, rel);
    const st = await stat(path);
    const mark = `${st.size}:${st.mtimeMs}`;
    const before = this.seen.get(rel);
    this.seen.set(rel, mark);
    if (before !== mark || st.size === 0) return null; // new or still growing: wait for a quiet poll
    if (st.size > MAX_POS_FILE_BYTES) {
      return this.reject(rel, name, [{ line: null, at: '', transactionId: null, message: `the file is ${st.size} bytes, more than the ${MAX_POS_FILE_BYTES} a POS export may have` }]);
    }
    const bytes = await readFile(path);
    const again = await stat(path);
    if (`${again.size}:${again.mtimeMs}` !== mark) {
      this.seen.set(rel, `${again.size}:${again.mtimeMs}`);
      return null;
    }
    const format = posFormatOf(name);
    if (!format) return null;
    // JSON is UTF-8 by definition (RFC 8259); a profile's encoding is for the till's CSV.
    const decoded = decodePosBytes(bytes, format === 'json' ? 'utf-8' : profile.encoding);
    if (!decoded.ok) return this.reject(rel, name, decoded.problems.map((p) => ({ line: p.line, at: `byte ${p.byteOffset}`, transactionId: null, message: p.message })), profile);
    const parsed = parsePosFile(format, decoded.text, profile);
    if (!parsed.ok) return this.reject(rel, name, parsed.errors, profile);

    let imported = 0;
    let duplicates = 0;
    try {
      // Synchronous: the sync pump's wake is a setImmediate, so nothing reads these events before the commit.
      this.d.transaction(() => {
        for (const doc of parsed.documents) {
          const r = doc.kind === 'sale' ? this.d.capture.sale(doc.body) : this.d.capture.return(doc.body);
          if (r.duplicate) duplicates++;
          else imported++;
        }
      });
    } catch (e) {
      // A document the shared event schema refuses will never pass: reject the file. Anything else (a busy or
      // full disk) is thrown to poll(), which leaves the file in the inbox for the next poll.
      if (!(e instanceof InvalidEventError)) throw e;
      return this.reject(rel, name, [{ line: null, at: '', transactionId: null, message: e.message }], profile);
    }
    const movedTo = await this.move(rel, name, this.dirs.processed);
    this.seen.delete(rel);
    this.d.log.info('pos file imported', { file: rel, profile: profile.name, imported, duplicates, movedTo });
    return { file: rel, result: 'processed', imported, duplicates, movedTo };
  }

  private async reject(rel: string, name: string, errors: PosFileError[], profile?: PosProfile): Promise<InboxOutcome> {
    const movedTo = await this.move(rel, name, this.dirs.rejected);
    const first = errors[0];
    const where = first?.line ? `line ${first.line}` : first?.at || 'the file';
    const report = {
      error: {
        code: 'invalid_pos_file',
        message: `${name} was rejected whole, nothing was imported: ${where}: ${first?.message ?? 'invalid'}`,
        details: { file: rel, ...(profile ? { profile: profile.name, encoding: profile.encoding } : {}), rejectedAt: new Date((this.d.now ?? Date.now)()).toISOString(), errors },
      },
    };
    // Written aside and renamed: whoever watches rejected/ (a POS tool, a person) never reads half a report.
    const reportPath = `${movedTo}.error.json`;
    await writeFile(`${reportPath}.tmp`, `${JSON.stringify(report, null, 2)}\n`);
    await rename(`${reportPath}.tmp`, reportPath);
    this.seen.delete(rel);
    this.d.log.warn('pos file rejected', { file: rel, movedTo, errors: errors.slice(0, 5) });
    return { file: rel, result: 'rejected', errors, movedTo };
  }

  /** Moves into `dir`, never over an earlier file of the same name (`sales.csv` then `sales.2.csv`...). */
  private async move(rel: string, name: string, dir: string): Promise<string> {
    const ext = extname(name);
    const base = name.slice(0, name.length - ext.length);
    let target = join(dir, name);
    for (let n = 2; existsSync(target) || existsSync(`${target}.error.json`); n++) target = join(dir, `${base}.${n}${ext}`);
    await rename(join(this.dirs.inbox, rel), target);
    return target;
  }
}
