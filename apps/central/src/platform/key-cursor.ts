/**
 * Opaque cursors for lists ordered by a composite text key (inventory, counts): the last row's key as base64url
 * JSON. Anything that does not decode to `parts` strings is treated as "past the end" rather than an error,
 * matching how numeric cursors beyond any row answer an empty page.
 */
export function encodeKeyCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeKeyCursor(cursor: string | undefined, parts: number): string[] | null | 'invalid' {
  if (cursor === undefined) return null;
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === parts && v.every((p) => typeof p === 'string')) return v as string[];
  } catch {
    // fall through
  }
  return 'invalid';
}
