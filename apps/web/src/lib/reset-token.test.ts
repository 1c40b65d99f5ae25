import { describe, expect, it } from 'vitest';
import { captureResetToken, getResetToken } from './reset-token';

describe('captureResetToken', () => {
  it('keeps the token in memory and removes it from the address bar at once', () => {
    window.history.replaceState(null, '', '/reset-password?token=abc_DEF-123&utm=mail#top');
    captureResetToken();
    expect(getResetToken()).toBe('abc_DEF-123');
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/reset-password?utm=mail#top');
  });

  it('leaves other pages alone', () => {
    window.history.replaceState(null, '', '/tasks?token=not-a-reset-token');
    captureResetToken();
    expect(window.location.search).toBe('?token=not-a-reset-token');
  });
});
