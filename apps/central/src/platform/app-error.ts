import { ApiError } from '@outpost/shared';

/**
 * An error with its HTTP status and the `{error:{code,message,details}}` it should answer. Services throw it for
 * the outcomes the API names (not found, conflict, ...); the error handler renders it.
 */
export class AppError extends ApiError {}

export const notFound = (what: string, details: unknown = null) => new AppError(404, 'not_found', `${what} not found`, details);
