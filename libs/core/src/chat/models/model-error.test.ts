import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { classifyModelError, ModelError } from './model-error.js';

// An error chunk inside a 200 stream: the SDK throws an APIError without a status.
const streamError = (code: unknown) => new OpenAI.APIError(undefined, { code, message: `stream error ${String(code)}` }, undefined, new Headers());
const apiError = (status: number) => OpenAI.APIError.generate(status, { error: { message: `status ${status}` } }, `status ${status}`, new Headers());

describe('classifyModelError: retry or give up', () => {
  const cases: [string, unknown, ModelError['code'], boolean][] = [
    ['401 bad key', apiError(401), 'model_auth_failed', false],
    ['403 forbidden', apiError(403), 'model_auth_failed', false],
    ['400 bad request', apiError(400), 'model_bad_request', false],
    ['404 unknown model', apiError(404), 'model_bad_request', false],
    ['422 unprocessable', apiError(422), 'model_bad_request', false],
    ['429 rate limited', apiError(429), 'model_rate_limited', true],
    ['500 server error', apiError(500), 'model_unavailable', true],
    ['503 overloaded', apiError(503), 'model_unavailable', true],
    ['408 request timeout', apiError(408), 'model_unavailable', true],
    ['our own deadline (user abort)', new OpenAI.APIUserAbortError(), 'model_timeout', true],
    ['the SDK timing out', new OpenAI.APIConnectionTimeoutError(), 'model_timeout', true],
    ['connection refused', new OpenAI.APIConnectionError({ message: 'ECONNREFUSED' }), 'model_unavailable', true],
    ['a DOMException TimeoutError', Object.assign(new Error('timeout'), { name: 'TimeoutError' }), 'model_timeout', true],
    ['an AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'model_timeout', true],
    ['anything else', new TypeError('boom'), 'model_unavailable', true],
    ['stream error chunk, code 429', streamError(429), 'model_rate_limited', true],
    ['stream error chunk, code 401', streamError(401), 'model_auth_failed', false],
    ['stream error chunk, code 502', streamError(502), 'model_unavailable', true],
    ['stream error chunk, code 400', streamError(400), 'model_bad_request', false],
    ['stream error chunk, code "429" as text', streamError('429'), 'model_rate_limited', true],
    ['stream error chunk, code rate_limit_exceeded', streamError('rate_limit_exceeded'), 'model_rate_limited', true],
    ['stream error chunk, code server_error', streamError('server_error'), 'model_unavailable', true],
    ['stream error chunk, code invalid_api_key', streamError('invalid_api_key'), 'model_auth_failed', false],
    ['stream error chunk without a code', streamError(undefined), 'model_unavailable', true],
  ];
  for (const [name, error, code, isRetryable] of cases) {
    it(`${name} → ${code}, ${isRetryable ? 'retry' : 'fail now'}`, () => {
      const classified = classifyModelError(error);
      expect(classified).toBeInstanceOf(ModelError);
      expect(classified.code).toBe(code);
      expect(classified.isRetryable).toBe(isRetryable);
    });
  }

  it('keeps a ModelError as it is', () => {
    const original = new ModelError('model_invalid_output', 'no name', true);
    expect(classifyModelError(original)).toBe(original);
  });

  it('never puts the provider’s message (which may echo the key) in the turn error', () => {
    const leaky = OpenAI.APIError.generate(401, { error: { message: 'Incorrect API key provided: sk-live-123' } }, 'Incorrect API key provided: sk-live-123', new Headers());
    expect(classifyModelError(leaky).message).not.toContain('sk-live');
  });
});
