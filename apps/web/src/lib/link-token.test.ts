import { describe, expect, it } from 'vitest';
import { captureLinkToken, getLinkToken, VERIFY_EMAIL_PATH } from './link-token';

describe('captureLinkToken', () => {
  it('keeps the verification token in memory and removes it from the address bar at once', () => {
    window.history.replaceState(null, '', '/verify-email?token=Xy_z-987&utm=mail#top');
    captureLinkToken(VERIFY_EMAIL_PATH);
    expect(getLinkToken(VERIFY_EMAIL_PATH)).toBe('Xy_z-987');
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/verify-email?utm=mail#top');
  });

  it('leaves other pages alone, and keeps tokens of different links apart', () => {
    window.history.replaceState(null, '', '/reset-password?token=a-reset-token');
    captureLinkToken(VERIFY_EMAIL_PATH);
    expect(window.location.search).toBe('?token=a-reset-token');
    expect(getLinkToken('/reset-password')).toBeNull();
  });
});
