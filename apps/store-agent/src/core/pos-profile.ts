/**
 * Import profiles: how to read one till's export. A till writes its own encoding, delimiter, decimal separator,
 * date format and header names; a profile (a JSON file in `<data-dir>/pos-profiles/`) says which, and which files it
 * applies to (a file name pattern, or a subfolder of the inbox the till writes into). A file no profile claims is
 * read with the defaults, which are exactly Outpost's own CSV format (UTF-8, `,` or `;`, integer minor units,
 * ISO dates, Outpost's column names).
 *
 * Pure, except `loadProfiles`, which reads the folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const POS_PROFILE_DIR = 'pos-profiles';

/** Outpost's CSV fields, the targets of a profile's column mapping. */
export const POS_FIELDS = [
  'type',
  'transactionId',
  'sku',
  'qty',
  'unitPrice',
  'taxAmount',
  'refundAmount',
  'reasonCode',
  'disposition',
  'tenderMethod',
  'tenderAmount',
  'currency',
  'businessDate',
  'originalTransactionId',
] as const;
export type PosField = (typeof POS_FIELDS)[number];
export const MONEY_FIELDS: ReadonlySet<PosField> = new Set(['unitPrice', 'taxAmount', 'refundAmount', 'tenderAmount']);

export const POS_ENCODINGS = ['utf-8', 'utf-16', 'windows-1252', 'iso-8859-1', 'iso-8859-15'] as const;
export type PosEncoding = (typeof POS_ENCODINGS)[number];

const folderName = z
  .string()
  .regex(/^[A-Za-z0-9._-]+$/, 'a folder is one plain name inside the inbox (letters, digits, . _ -)')
  .refine((s) => s !== '.' && s !== '..', 'a folder is one plain name inside the inbox');

export const posProfileSchema = z
  .object({
    /** Which files: names matching one of `files` (`*` and `?` wildcards, case-insensitive) or anything in `inbox/<folder>/`. */
    match: z
      .object({ files: z.array(z.string().min(1)).min(1).optional(), folder: folderName.optional() })
      .strict()
      .refine((m) => m.files !== undefined || m.folder !== undefined, 'match needs "files" (name patterns) or "folder"'),
    /** `utf-16` needs a BOM (it says which byte order); a UTF-8 or UTF-16 BOM always wins over this setting. */
    encoding: z.enum(POS_ENCODINGS).default('utf-8'),
    /** `auto`: `;` when the header line has semicolons and no comma, else `,`. */
    delimiter: z.enum([',', ';', '\t', '|', 'auto']).default('auto'),
    decimalSeparator: z.enum(['.', ',']).default('.'),
    /** `minor`: integer minor units (450 = 4.50). `major`: amounts as written on a receipt (4.50, or 4,50). */
    money: z.enum(['minor', 'major']).default('minor'),
    /** Digits after the decimal separator in the currency (2 for EUR, 0 for JPY); only used with money `major`. */
    minorDigits: z.number().int().min(0).max(4).default(2),
    /** Tokens YYYY, YY, MM, M, DD, D, HH, mm, ss (time parts are read and dropped); anything else is literal. */
    dateFormat: z.string().min(1).max(40).default('YYYY-MM-DD'),
    /** The till's header name → Outpost's field. Outpost's own names are still recognised for unmapped columns. */
    columns: z.record(z.string().min(1), z.enum(POS_FIELDS)).default({}),
    /** Values for fields the till does not export (e.g. `"currency": "EUR"`, `"tenderMethod": "cash"`). */
    defaults: z.partialRecord(z.enum(POS_FIELDS), z.string().min(1)).default({}),
  })
  .strict();
export type PosProfileSettings = z.infer<typeof posProfileSchema>;
export interface PosProfile extends PosProfileSettings {
  /** The profile file's name (`kasse-de.json`), or `default`. */
  name: string;
}

export const DEFAULT_PROFILE: PosProfile = { name: 'default', ...posProfileSchema.parse({ match: { files: ['*'] } }) };

export type LoadResult = { ok: true; profiles: PosProfile[] } | { ok: false; problems: string[] };

/** Every `*.json` of `<data-dir>/pos-profiles/`, in name order (the first that matches a file is used). */
export function loadProfiles(dataDir: string): LoadResult {
  const dir = join(dataDir, POS_PROFILE_DIR);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.toLowerCase().endsWith('.json')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true, profiles: [] };
    throw e;
  }
  const profiles: PosProfile[] = [];
  const problems: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      problems.push(`${path}: not valid JSON (${(e as Error).message})`);
      continue;
    }
    const r = posProfileSchema.safeParse(raw);
    if (r.success) profiles.push({ name, ...r.data });
    else for (const iss of r.error.issues) problems.push(`${path}: ${iss.path.join('.') || '(top)'}: ${iss.message}`);
  }
  return problems.length ? { ok: false, problems } : { ok: true, profiles };
}

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** The profile for a file at `inbox/<folder>/<name>` (folder null: the inbox itself). */
export function profileFor(profiles: readonly PosProfile[], name: string, folder: string | null): PosProfile {
  for (const p of profiles) {
    if (folder !== null) {
      if (p.match.folder === folder) return p;
      continue;
    }
    if (p.match.folder === undefined && p.match.files?.some((g) => globToRegExp(g).test(name))) return p;
  }
  return DEFAULT_PROFILE;
}

// ---- values as the till writes them → Outpost's

export type Converted = { ok: true; value: number } | { ok: false; message: string };

/** A money cell in the profile's units and decimal separator → integer minor units. */
export function parseMoney(text: string, p: Pick<PosProfileSettings, 'money' | 'decimalSeparator' | 'minorDigits'>): Converted {
  if (p.money === 'minor') {
    if (/^-?\d+$/.test(text)) return { ok: true, value: Number(text) };
    return { ok: false, message: `must be a whole number of minor units (450 for 4.50), got ${JSON.stringify(text)}` };
  }
  const sep = p.decimalSeparator;
  const re = sep === ',' ? /^(-?)(\d+)(?:,(\d+))?$/ : /^(-?)(\d+)(?:\.(\d+))?$/;
  const m = re.exec(text);
  const example = p.minorDigits === 0 ? '4' : `4${sep}${'5'.padEnd(p.minorDigits, '0')}`;
  if (!m) return { ok: false, message: `must be an amount like ${example} (decimal separator "${sep}"), got ${JSON.stringify(text)}` };
  const frac = m[3] ?? '';
  if (frac.length > p.minorDigits) return { ok: false, message: `has more than ${p.minorDigits} decimals: ${JSON.stringify(text)}` };
  const minor = Number(m[2]) * 10 ** p.minorDigits + Number(frac.padEnd(p.minorDigits, '0') || '0');
  if (!Number.isSafeInteger(minor)) return { ok: false, message: `is too large: ${JSON.stringify(text)}` };
  return { ok: true, value: m[1] === '-' ? -minor : minor };
}

const DATE_TOKENS: Record<string, string> = { YYYY: '(?<y>\\d{4})', YY: '(?<yy>\\d{2})', MM: '(?<m>\\d{2})', M: '(?<m>\\d{1,2})', DD: '(?<d>\\d{2})', D: '(?<d>\\d{1,2})', HH: '\\d{1,2}', mm: '\\d{2}', ss: '\\d{2}' };

/** A date cell in the profile's format → `YYYY-MM-DD` (the shared schema then checks it is a real date). */
export function parseDate(text: string, format: string): { ok: true; value: string } | { ok: false; message: string } {
  const re = format.replace(/YYYY|YY|MM|M|DD|D|HH|mm|ss|[.*+?^${}()|[\]\\]/g, (t) => DATE_TOKENS[t] ?? `\\${t}`);
  const g = new RegExp(`^${re}$`).exec(text)?.groups;
  if (!g || (!g.y && !g.yy) || !g.m || !g.d) return { ok: false, message: `must be a date written ${format}, got ${JSON.stringify(text)}` };
  const year = g.y ?? `20${g.yy}`;
  return { ok: true, value: `${year}-${g.m.padStart(2, '0')}-${g.d.padStart(2, '0')}` };
}
