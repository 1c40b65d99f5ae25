import type { Problem } from './api-types';

/** A failed API call, carrying the problem details the API answered with (RFC 9457). */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Partial<Problem> | undefined;

  constructor(status: number, problem: Partial<Problem> | undefined) {
    super(problem?.detail ?? problem?.title ?? `The server answered ${status}.`);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
  }

  /** The message for one field (`email`, `password`, ...), when the API named it. */
  fieldError(path: string): string | undefined {
    return this.problem?.errors?.find((e) => e.path === path)?.message;
  }
}

/** Words a person can act on, whatever went wrong (an API problem, a dropped connection, ...). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'Too many attempts. Please wait a moment and try again.';
    if (error.status >= 500) return 'The server had a problem. Please try again in a moment.';
    return error.message;
  }
  if (error instanceof TypeError) return 'Could not reach the server. Check your connection and try again.';
  return error instanceof Error ? error.message : 'Something went wrong.';
}

/** openapi-fetch's answer → its data, or an ApiError with the problem details. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, (error ?? undefined) as Partial<Problem> | undefined);
  return data as T;
}
