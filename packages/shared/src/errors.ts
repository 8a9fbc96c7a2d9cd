import { z } from 'zod';

/** The one error shape of every HTTP API and protocol refusal: `{error: {code, message, details}}`. */
export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * An outcome an API names (not found, conflict, refused state ...), with its HTTP status and the
 * `{error:{code,message,details}}` it answers. Both apps' error handlers render it.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details: unknown = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function errorBody(code: string, message: string, details: unknown = null): ErrorBody {
  return { error: { code, message, details } };
}

/** Readable one-line-per-issue rendering of a zod error, for quarantine records and HTTP details. */
export function describeZodError(err: z.ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

export function formatZodError(err: z.ZodError): string {
  return describeZodError(err)
    .map((i) => `${i.path}: ${i.message}`)
    .join('; ');
}
