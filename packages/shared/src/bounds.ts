import { z } from 'zod';

// What the database can store, stated once so the contract schemas refuse at the edge (agent capture, central's
// HTTP routes, ingest) what central could never store. Without these, one such value passes every schema, fails
// its INSERT at central on every resend, and blocks the store's stream behind it.
//
// The bounds are zod refinements, not `.max()`/`.regex()`: they narrow every schema version alike and leave the
// JSON-Schema shape (the wire fingerprint of protocol-shape.test.ts) as it was. A value beyond them could never be
// stored whatever the version, so an old agent's out-of-range event is quarantined at central, not re-versioned.

/** One line's quantity is stored in int4 columns (movements, counts, ledger stock moves): 2^31 − 1. */
export const MAX_QTY = 2_147_483_647;
/**
 * Money in minor units: 10^15 (ten trillion in a two-decimal currency). Totals are summed in JS numbers and
 * stored in int8; this bound keeps a sum of up to 9,007 such amounts exact (below 2^53).
 */
export const MAX_MINOR_UNITS = 1e15;
/**
 * Tender methods one day close may carry a counted amount for. A store takes a handful (cash, card, vouchers); the
 * bound keeps one close event small, whatever a till sends.
 */
export const MAX_COUNTED_TENDERS = 32;
/**
 * Deepest JSON nesting of one event or command element. Real envelopes nest 4 levels (envelope, payload, lines,
 * line); anything far deeper is hostile or broken, and checking it must not recurse (5,000 levels blew the stack).
 */
export const MAX_NESTING_DEPTH = 32;

/**
 * PostgreSQL refuses NUL in text and jsonb, and unpaired UTF-16 surrogates in jsonb; in text columns the driver
 * silently replaces a lone surrogate with U+FFFD. JSON and plain zod accept both.
 */
export const UNSTORABLE_CHAR = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const UNSTORABLE_CHAR_MESSAGE = 'contains a NUL character or an unpaired surrogate, which cannot be stored';

export function hasUnstorableChar(s: string): boolean {
  return UNSTORABLE_CHAR.test(s);
}

/** Make any text safe for a PostgreSQL text column (error messages may quote what arrived). */
export function storableText(s: string): string {
  return s.replace(new RegExp(UNSTORABLE_CHAR.source, 'g'), '\ufffd');
}

/** A string of `min`..`max` characters that the database stores unaltered. */
export function storableString(min: number, max: number): z.ZodString {
  // No `.min(0)`: it would add minLength to the JSON Schema of shipped payloads that never had it.
  const base = min > 0 ? z.string().min(min).max(max) : z.string().max(max);
  return base.refine((s) => !hasUnstorableChar(s), UNSTORABLE_CHAR_MESSAGE);
}

/** An integer quantity that fits the int4 columns one line's quantity is stored in. */
export function boundedQty(schema: z.ZodNumber): z.ZodNumber {
  return schema.refine((n) => n >= -MAX_QTY && n <= MAX_QTY, `quantity must be between -${MAX_QTY} and ${MAX_QTY}`);
}

/**
 * Depth of a parsed JSON value, walked without recursion; stops counting at `limit + 1` so a hostile document
 * costs no more than the limit. Depth 0 is a scalar, 1 an object or array of scalars.
 */
export function nestingDepthExceeds(value: unknown, limit: number = MAX_NESTING_DEPTH): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/**
 * The path of the first string (or object key) holding an unstorable character, or null. Walked without
 * recursion, so it is safe on any parsed JSON.
 */
export function unstorableStringPath(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (hasUnstorableChar(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}.${i}`]);
    } else if (typeof v === 'object' && v !== null) {
      const entries = Object.entries(v);
      for (const [k] of entries) if (hasUnstorableChar(k)) return `${path} (a key)`;
      for (let i = entries.length - 1; i >= 0; i--) stack.push([entries[i]![1], `${path}.${entries[i]![0]}`]);
    }
  }
  return null;
}

/**
 * JSON text of a value for the record (quarantine `raw`), never throwing: levels deeper than `maxDepth` are
 * replaced by a marker, so a 5,000-level element is stored truncated instead of overflowing the stack.
 * JSON.stringify escapes NUL and lone surrogates, so the text itself is always storable.
 */
export function boundedJson(value: unknown, maxDepth: number = MAX_NESTING_DEPTH): string {
  if (!nestingDepthExceeds(value, maxDepth)) return JSON.stringify(value) ?? 'null';
  const cut = (v: unknown, depth: number): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth >= maxDepth) return `[nested deeper than ${maxDepth} levels: cut]`;
    if (Array.isArray(v)) return v.map((x) => cut(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cut(x, depth + 1)]));
  };
  return JSON.stringify(cut(value, 0)) ?? 'null';
}
