const captured = new Map<string, string>();

/**
 * Takes the token of a mailed link (`/verify-email?token=...`) out of the address bar before
 * anything else runs (history, the Referer of later requests, a screenshot), keeping it in
 * memory for that page. The reset link has its own copy of this in reset-token.ts.
 */
export function captureLinkToken(pathname: string, location: Location = window.location): void {
  if (location.pathname !== pathname) return;
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (token === null) return;
  captured.set(pathname, token);
  params.delete('token');
  const search = params.toString();
  window.history.replaceState(window.history.state, '', `${location.pathname}${search ? `?${search}` : ''}${location.hash}`);
}

/** The token captured at load for `pathname`, if the app was opened from such a link. */
export function getLinkToken(pathname: string): string | null {
  return captured.get(pathname) ?? null;
}

export const VERIFY_EMAIL_PATH = '/verify-email';
