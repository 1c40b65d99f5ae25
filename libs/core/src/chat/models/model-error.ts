// The SDK's error classes alone (13 ms to load, against ~100 ms for the whole SDK, which
// openai.model.ts loads only when the OpenAI provider makes its first call); the same classes the
// SDK throws, since its index re-exports this module.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai/core/error';
import type { TurnErrorCode } from '../chat.schemas.js';

export type ModelErrorCode = Exclude<TurnErrorCode, 'internal'>;

/** Why a model call failed, and whether trying again later can help. */
export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly isRetryable: boolean,
  ) {
    super(message);
  }
}

/**
 * The one place that decides retry versus give up for model calls: 429, 5xx, timeouts and
 * connection errors are worth retrying (with the queue's backoff); a bad key, a refused request
 * or a missing model will fail the same way again.
 */
export function classifyModelError(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  // Our own per-call deadline (AbortSignal.timeout) surfaces from the SDK as a user abort.
  if (
    error instanceof APIConnectionTimeoutError ||
    error instanceof APIUserAbortError ||
    (error as Error)?.name === 'TimeoutError'
  ) {
    return new ModelError('model_timeout', 'The model did not answer in time.', true);
  }
  if (error instanceof APIConnectionError) {
    return new ModelError('model_unavailable', 'The model service could not be reached.', true);
  }
  if (error instanceof APIError) {
    const status = error.status ?? statusOfStreamError(error);
    if (status === 0) return new ModelError('model_unavailable', 'The model call failed without an answer.', true);
    if (status === 401 || status === 403) return new ModelError('model_auth_failed', `The model service refused our credentials (${status}).`, false);
    if (status === 429) return new ModelError('model_rate_limited', 'The model service is rate limiting us (429).', true);
    if (status >= 500 || status === 408 || status === 409) return new ModelError('model_unavailable', `The model service failed (${status}).`, true);
    return new ModelError('model_bad_request', `The model service rejected the request (${status}).`, false);
  }
  if ((error as Error)?.name === 'AbortError') return new ModelError('model_timeout', 'The model call was aborted.', true);
  return new ModelError('model_unavailable', 'The model call failed unexpectedly.', true);
}

/**
 * An error chunk inside a 200 stream (OpenRouter: `data: {"error":{"code":429,...}}`) reaches us
 * as an APIError without a status; its code names the HTTP status it stands for. 0 when unknown.
 */
function statusOfStreamError(error: APIError): number {
  const code = (error.code ?? (error.error as { code?: unknown } | undefined)?.code) as unknown;
  const numeric = typeof code === 'number' ? code : typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : NaN;
  if (numeric >= 400 && numeric <= 599) return numeric;
  if (typeof code !== 'string') return 0;
  if (/rate_limit|quota|too_many/i.test(code)) return 429;
  if (/invalid_api_key|unauthori[sz]ed|authentication/i.test(code)) return 401;
  if (/invalid_request|bad_request|context_length/i.test(code)) return 400;
  if (/server_error|overloaded|unavailable|timeout/i.test(code)) return 503;
  return 0;
}
