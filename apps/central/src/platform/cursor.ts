const INT8_MAX = 9_223_372_036_854_775_807n;

/**
 * A numeric `after` cursor (already checked to be digits at the edge) as a query parameter: '0' when absent,
 * null when beyond any bigint (nothing can follow it; PostgreSQL would otherwise fail the cast).
 */
export function cursorParam(after: string | undefined): string | null {
  if (after === undefined) return '0';
  return BigInt(after) > INT8_MAX ? null : after;
}
