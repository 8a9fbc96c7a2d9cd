/**
 * Stamps are fixed-width strings (see hlc.ts), so plain code-unit comparison is stamp order. Databases must
 * compare them the same way (PostgreSQL: COLLATE "C"), never by a locale's rules.
 */
export function compareHlcStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
