import { statSync, statfsSync } from 'node:fs';
import type { Logger } from './log.js';

/** Free bytes for this (unprivileged) process on the disk holding `dir`; null when the platform cannot say. */
export function diskFreeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** Bytes the database takes on disk: the file with its write-ahead log and shared-memory index. */
export function databaseBytes(dbFile: string): number {
  let total = 0;
  for (const f of [dbFile, `${dbFile}-wal`, `${dbFile}-shm`]) {
    try {
      total += statSync(f).size;
    } catch {
      // not there (no WAL yet): nothing to add
    }
  }
  return total;
}

/** Free disk below the threshold; unknown free space is not reported as low. */
export function isDiskLow(freeBytes: number | null, lowBytes: number): boolean {
  return freeBytes !== null && freeBytes < lowBytes;
}

export interface DiskView {
  /** Bytes of the agent's SQLite database (file, WAL and index). */
  dbBytes: number;
  /** Free bytes on the data disk for the agent (null: the platform cannot say). */
  diskFreeBytes: number | null;
  /** Free disk is below OUTPOST_DISK_LOW_MIB: capture still works, but someone should free space. */
  diskLow: boolean;
}

/**
 * The till's disk budget: what the database takes, what is left, and a warning well before capture fails. The
 * warning is logged once each time the disk crosses the threshold (not on every status poll).
 */
export class DiskBudget {
  private low = false;

  constructor(private readonly d: { dataDir: string; dbFile: string; lowBytes: number; log: Logger }) {}

  freeBytes(): number | null {
    return diskFreeBytes(this.d.dataDir);
  }

  view(): DiskView {
    const free = this.freeBytes();
    const low = isDiskLow(free, this.d.lowBytes);
    if (low !== this.low) {
      this.low = low;
      if (low) this.d.log.warn('disk space low: free some before capture fails', { diskFreeBytes: free, thresholdBytes: this.d.lowBytes });
      else this.d.log.info('disk space back above the warning threshold', { diskFreeBytes: free });
    }
    return { dbBytes: databaseBytes(this.d.dbFile), diskFreeBytes: free, diskLow: low };
  }
}
