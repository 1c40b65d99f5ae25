import OpenAI from 'openai';

/** Why a model call failed, and whether trying again later can help. */
export class ModelError extends Error {
  override name = 'ModelError';
  constructor(
    readonly code: 'model_auth_failed' | 'model_bad_request' | 'model_rate_limited' | 'model_unavailable' | 'model_timeout' | 'model_invalid_output',
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
    error instanceof OpenAI.APIConnectionTimeoutError ||
    error instanceof OpenAI.APIUserAbortError ||
    (error as Error)?.name === 'TimeoutError'
  ) {
    return new ModelError('model_timeout', 'The model did not answer in time.', true);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    return new ModelError('model_unavailable', 'The model service could not be reached.', true);
  }
  if (error instanceof OpenAI.APIError) {
    const status = error.status ?? 0;
    if (status === 0) return new ModelError('model_unavailable', 'The model call failed without an answer.', true);
    if (status === 401 || status === 403) return new ModelError('model_auth_failed', `The model service refused our credentials (${status}).`, false);
    if (status === 429) return new ModelError('model_rate_limited', 'The model service is rate limiting us (429).', true);
    if (status >= 500 || status === 408 || status === 409) return new ModelError('model_unavailable', `The model service failed (${status}).`, true);
    return new ModelError('model_bad_request', `The model service rejected the request (${status}).`, false);
  }
  if ((error as Error)?.name === 'AbortError') return new ModelError('model_timeout', 'The model call was aborted.', true);
  return new ModelError('model_unavailable', 'The model call failed unexpectedly.', true);
}
