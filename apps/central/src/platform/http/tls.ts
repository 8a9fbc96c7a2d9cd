import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { Server as HttpsServer } from 'node:https';

/** Where central's certificate chain and private key live (PEM); both or neither. */
export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export function readTlsFiles(f: TlsFiles): TlsMaterial {
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read(f.certFile, 'certificate'), key: read(f.keyFile, 'key') };
}

interface TlsLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Certificate renewal without a restart: when either file changes, both are read again and become the context of
 * new connections (live ones keep theirs). A half-written or mismatched pair is logged and the old one kept; the
 * next change tries again. Polling (`watchFile`) rather than inotify, because renewal tools replace files by
 * rename, which an inotify watch on the old file would miss.
 */
export function watchTlsFiles(server: HttpsServer, f: TlsFiles, log: TlsLog, intervalMs = 1000): () => void {
  const reload = () => {
    try {
      const m = readTlsFiles(f);
      server.setSecureContext({ cert: m.cert, key: m.key });
      log.info({ certFile: f.certFile }, 'TLS certificate reloaded');
    } catch (err) {
      log.error({ err: { message: (err as Error).message }, certFile: f.certFile }, 'TLS certificate not reloaded; keeping the previous one');
    }
  };
  const onChange = (cur: { mtimeMs: number; size: number }, prev: { mtimeMs: number; size: number }) => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) reload();
  };
  watchFile(f.certFile, { interval: intervalMs }, onChange);
  watchFile(f.keyFile, { interval: intervalMs }, onChange);
  return () => {
    unwatchFile(f.certFile, onChange);
    unwatchFile(f.keyFile, onChange);
  };
}
